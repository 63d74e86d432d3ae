import { useCallback, useEffect, useMemo, useState } from "react";
import { createApi, type Schemas } from "./api/client";
import { AppContext, type AppContextValue } from "./context";
import { direction, LANGUAGES, translate, type Language } from "./i18n/locale";
import type { MessageKey } from "./i18n/messages";
import { applyBackfillMessage, type BackfillMessage, type BackfillUpdates } from "./backfillState";
import { parseHash, ROUTES, type HashLocation, type Route } from "./links";
import { openLive } from "./live";
import { AlertsPage } from "./pages/Alerts";
import { DashboardPage } from "./pages/Dashboard";
import { IntegrationsPage } from "./pages/Integrations";
import { SettingsPage } from "./pages/Settings";
import { SignInPage } from "./pages/SignIn";
import { session } from "./session";
import { applySyncMessage, type SyncProgress, type SyncStatusMessage } from "./syncState";

const NAV_KEYS: Record<Route, MessageKey> = {
  dashboard: "navDashboard",
  integrations: "navIntegrations",
  alerts: "navAlerts",
  settings: "navSettings",
};

function locationFromUrl(): HashLocation {
  const query = new URLSearchParams(window.location.search);
  if (query.has("oauth_pending") || query.has("oauth_error")) return { route: "integrations", orgId: null, alertId: null };
  return parseHash(window.location.hash);
}

export function App({ apiBaseUrl }: { apiBaseUrl: string }) {
  const [language, setLanguage] = useState<Language>(session.language());
  const [token, setToken] = useState<string | null>(session.token());
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [orgs, setOrgs] = useState<Schemas["OrganizationOut"][] | null>(null);
  const [address, setAddress] = useState<HashLocation>(locationFromUrl);
  const [orgId, setOrgId] = useState<string | null>(() => address.orgId ?? session.org());
  const route = address.route;
  const [progress, setProgress] = useState<Record<string, SyncProgress>>({});
  const [backfills, setBackfills] = useState<BackfillUpdates>({});
  const [revision, setRevision] = useState(0);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dir = direction(language);
    session.setLanguage(language);
  }, [language]);

  useEffect(() => {
    const onHash = () => {
      const next = locationFromUrl();
      setAddress(next);
      if (next.orgId) setOrgId(next.orgId);
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const signOut = useCallback(
    (why: MessageKey | null) => {
      const current = session.token();
      if (current && why === null) {
        void fetch(`${apiBaseUrl}/api/auth/logout`, { method: "POST", headers: { Authorization: `Bearer ${current}` } });
      }
      session.setToken(null);
      setToken(null);
      setOrgs(null);
      setNotice(why);
    },
    [apiBaseUrl],
  );

  const api = useMemo(() => createApi(apiBaseUrl, session.token, () => signOut("sessionExpired")), [apiBaseUrl, signOut]);

  useEffect(() => {
    if (!token) return;
    void api.GET("/api/orgs").then(({ data }) => {
      if (!data) return;
      setOrgs(data.organizations);
      const first = data.organizations[0];
      setOrgId((current) => (data.organizations.some((org) => org.id === current) ? current : (first?.id ?? null)));
    });
  }, [api, token]);

  useEffect(() => {
    if (!token || !orgId) return;
    session.setOrg(orgId);
    setProgress({});
    setBackfills({});
    const live = openLive(
      apiBaseUrl,
      orgId,
      token,
      (kind, data) => {
        if (kind === "sync_status") {
          setProgress((current) => applySyncMessage(current, data as unknown as SyncStatusMessage));
          if (data.status === "success" || data.status === "failed") setRevision((n) => n + 1);
        } else if (kind === "backfill") {
          setBackfills((current) => applyBackfillMessage(current, data as unknown as BackfillMessage));
        } else if (kind === "dashboard" || kind === "alert" || kind === "reset") {
          setRevision((n) => n + 1);
        }
      },
      setConnected,
    );
    return () => live.close();
  }, [apiBaseUrl, token, orgId]);

  const t = useCallback(
    (key: MessageKey, values?: Record<string, string | number>) => translate(language, key, values),
    [language],
  );

  if (!token) {
    return (
      <SignInPage
        apiBaseUrl={apiBaseUrl}
        language={language}
        notice={notice}
        onSignedIn={(newToken) => {
          session.setToken(newToken);
          setNotice(null);
          setToken(newToken);
        }}
      />
    );
  }
  const org = orgs?.find((candidate) => candidate.id === orgId);
  if (!orgs || !org) {
    return (
      <p className="state" role="status">
        {t("loading")}
      </p>
    );
  }
  const context: AppContextValue = { api, apiBaseUrl, token, language, t, org, isAdmin: org.role === "admin" };
  const navigate = (next: string) => {
    window.location.hash = `#/${next}`;
  };

  return (
    <AppContext.Provider value={context}>
      <a className="skip" href="#content">
        {t("skipToContent")}
      </a>
      <header className="top">
        <strong className="brand">{t("appName")}</strong>
        <nav aria-label="main">
          {ROUTES.map((name) => (
            <a key={name} href={`#/${name}`} aria-current={route === name ? "page" : undefined}>
              {t(NAV_KEYS[name])}
            </a>
          ))}
        </nav>
        <span className={`live ${connected ? "on" : "off"}`} role="status">
          {connected ? t("live") : t("offline")}
        </span>
        <label>
          <span className="visually-hidden">{t("organization")}</span>
          <select value={org.id} onChange={(event) => setOrgId(event.target.value)}>
            {orgs.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">{t("language")}</span>
          <select value={language} onChange={(event) => setLanguage(event.target.value as Language)}>
            {LANGUAGES.map((code) => (
              <option key={code} value={code}>
                {code === "ar" ? "العربية" : "English"}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => signOut(null)}>{t("signOut")}</button>
      </header>
      <main id="content" tabIndex={-1}>
        {route === "dashboard" && <DashboardPage progress={progress} revision={revision} navigate={navigate} />}
        {route === "integrations" && <IntegrationsPage progress={progress} backfills={backfills} />}
        {route === "alerts" && <AlertsPage revision={revision} focus={address.alertId} />}
        {route === "settings" && <SettingsPage />}
      </main>
    </AppContext.Provider>
  );
}
