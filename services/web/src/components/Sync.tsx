import { useState } from "react";
import { problemOf } from "../api/client";
import { useApp } from "../context";
import { formatDateTime } from "../i18n/locale";
import { errorInWords, type SyncProgress } from "../syncState";

const PHASE_KEYS = { queued: "syncQueued", syncing: "syncSyncing", done: "syncDone", failed: "syncFailed" } as const;

export function SyncBadge({ progress }: { progress: SyncProgress | undefined }) {
  const { t, language, org } = useApp();
  if (!progress) return null;
  return (
    <span className={`badge ${progress.phase}`} role="status" aria-live="polite">
      {t(PHASE_KEYS[progress.phase])}
      {progress.phase === "failed" && (
        <>
          {" "}
          <span className="error-words">{errorInWords(progress.errorClass, language)}</span>
          {progress.willRetry && progress.nextAttemptAt && (
            <> {t("retryAt", { time: formatDateTime(language, progress.nextAttemptAt, org.timezone) })}</>
          )}
        </>
      )}
    </span>
  );
}

/** "Sync now" for one integration, or for the whole organization when none is given. */
export function SyncButton({ integrationId, progress }: { integrationId?: string; progress?: SyncProgress }) {
  const { api, org, t } = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const busy = progress?.phase === "queued" || progress?.phase === "syncing";

  async function trigger() {
    setMessage(null);
    const result = integrationId
      ? await api.POST("/api/orgs/{org_id}/sync/integrations/{integration_id}/trigger", {
          params: { path: { org_id: org.id, integration_id: integrationId } },
          body: { data_type: "all" },
        })
      : await api.POST("/api/orgs/{org_id}/sync/trigger", { params: { path: { org_id: org.id } }, body: { data_type: "all" } });
    if (!result.response.ok) setMessage(problemOf(result.response, result.error).message);
  }

  return (
    <>
      <button onClick={() => void trigger()} disabled={busy}>
        {integrationId ? t("syncNow") : t("syncAll")}
      </button>
      {message && (
        <span className="error-words" role="alert">
          {message}
        </span>
      )}
    </>
  );
}
