import { useState, type FormEvent } from "react";
import { createApi } from "../api/client";
import type { Language } from "../i18n/locale";
import { translate } from "../i18n/locale";
import type { MessageKey } from "../i18n/messages";

/** Sign-in with email and password (POST /api/auth/login returns an expiring token). */
export function SignInPage({
  apiBaseUrl,
  language,
  notice,
  onSignedIn,
}: {
  apiBaseUrl: string;
  language: Language;
  notice: MessageKey | null;
  onSignedIn: (token: string) => void;
}) {
  const t = (key: MessageKey, values?: Record<string, string | number>) => translate(language, key, values);
  const [error, setError] = useState<string | null>(notice ? t(notice) : null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const { data, response } = await createApi(apiBaseUrl, () => null, () => undefined).POST("/api/auth/login", {
        body: { email: String(form.get("email")), password: String(form.get("password")) },
      });
      if (data) {
        onSignedIn(data.token);
      } else if (response.status === 429) {
        setError(t("signInThrottled", { seconds: response.headers.get("Retry-After") ?? "60" }));
      } else {
        setError(t("signInFailed"));
      }
    } catch {
      setError(t("loadFailed"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="content" className="sign-in">
      <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t("signIn")}</h1>
        <label>
          {t("email")}
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          {t("password")}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p className="error-words" role="alert">
            {error}
          </p>
        )}
        <button className="primary" type="submit" disabled={busy}>
          {t("signIn")}
        </button>
      </form>
    </main>
  );
}
