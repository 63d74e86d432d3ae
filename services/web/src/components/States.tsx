import { useEffect, useState, type ReactNode } from "react";
import { problemOf, type ApiProblem } from "../api/client";
import { useApp } from "../context";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "error"; problem: ApiProblem }
  | { state: "ready"; data: T };

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Loads with the typed client; a 503 with Retry-After is retried by itself. */
export function useLoad<T>(load: () => Promise<Result<T>>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    load()
      .then(({ data, error, response }) => {
        if (cancelled) return;
        if (data !== undefined && response.ok) {
          setLoaded({ state: "ready", data });
          return;
        }
        const problem = problemOf(response, error);
        setLoaded({ state: "error", problem });
        if (problem.status === 503 && problem.retryAfterSeconds) {
          timer = setTimeout(() => setAttempt((n) => n + 1), problem.retryAfterSeconds * 1000);
        }
      })
      .catch((reason: unknown) => {
        if (!cancelled) setLoaded({ state: "error", problem: { status: 0, message: String(reason), retryAfterSeconds: null } });
      });
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, attempt]);
  return [loaded, () => setAttempt((n) => n + 1)];
}

export function LoadState<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ReactNode }) {
  const { t } = useApp();
  if (loaded.state === "loading") {
    return (
      <p className="state" role="status" aria-live="polite">
        {t("loading")}
      </p>
    );
  }
  if (loaded.state === "error") {
    const { problem } = loaded;
    return (
      <div className="state error" role="alert">
        <p>
          {problem.status === 503 && problem.retryAfterSeconds
            ? t("serviceBusy", { seconds: problem.retryAfterSeconds })
            : `${t("loadFailed")} (${problem.message})`}
        </p>
      </div>
    );
  }
  return <>{children(loaded.data)}</>;
}
