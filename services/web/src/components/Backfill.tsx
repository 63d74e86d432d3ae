import { useState } from "react";
import { problemOf } from "../api/client";
import { percentDone, withUpdate, type BackfillUpdates } from "../backfillState";
import { useApp } from "../context";
import { formatDate, formatNumber } from "../i18n/locale";
import { LoadState, useLoad } from "./States";

const STATUS_KEYS = {
  running: "backfillRunning",
  completed: "backfillCompleted",
  completed_with_failures: "backfillCompletedWithFailures",
  cancelled: "backfillCancelled",
} as const;

function isoDaysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Request a date range for one or every account, follow each backfill's progress live,
 * cancel one that runs. */
export function BackfillPanel({
  integrations,
  updates,
}: {
  integrations: { integration_id: string; account_name: string; platform: string }[];
  updates: BackfillUpdates;
}) {
  const { api, org, t, language } = useApp();
  const [integration, setIntegration] = useState("");
  const [since, setSince] = useState(isoDaysAgo(365));
  const [until, setUntil] = useState(isoDaysAgo(1));
  const [onlyGaps, setOnlyGaps] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [changed, setChanged] = useState(0);
  const [loaded] = useLoad(() => api.GET("/api/orgs/{org_id}/backfills", { params: { path: { org_id: org.id } } }), [
    org.id,
    changed,
  ]);

  async function request(event: React.FormEvent) {
    event.preventDefault();
    setMessage(null);
    const result = await api.POST("/api/orgs/{org_id}/backfills", {
      params: { path: { org_id: org.id } },
      body: { since, until, integration_ids: integration ? [integration] : null, data_types: ["metrics"], only_gaps: onlyGaps },
    });
    if (!result.response.ok) setMessage(problemOf(result.response, result.error).message);
    setChanged((n) => n + 1);
  }

  async function cancel(backfillId: string) {
    await api.POST("/api/orgs/{org_id}/backfills/{backfill_id}/cancel", {
      params: { path: { org_id: org.id, backfill_id: backfillId } },
    });
    setChanged((n) => n + 1);
  }

  return (
    <section className="card" aria-labelledby="backfill-title">
      <h2 id="backfill-title">{t("backfillTitle")}</h2>
      <form className="backfill-form" onSubmit={(event) => void request(event)}>
        <label>
          {t("account")}
          <select value={integration} onChange={(event) => setIntegration(event.target.value)}>
            <option value="">{t("backfillAllAccounts")}</option>
            {integrations.map((row) => (
              <option key={row.integration_id} value={row.integration_id}>
                {row.platform} · {row.account_name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("backfillFrom")}
          <input type="date" value={since} max={until} onChange={(event) => setSince(event.target.value)} required />
        </label>
        <label>
          {t("backfillTo")}
          <input type="date" value={until} min={since} onChange={(event) => setUntil(event.target.value)} required />
        </label>
        <label>
          <input type="checkbox" checked={onlyGaps} onChange={(event) => setOnlyGaps(event.target.checked)} />{" "}
          {t("backfillOnlyGaps")}
        </label>
        <button type="submit">{t("backfillStart")}</button>
        {message && (
          <span className="error-words" role="alert">
            {message}
          </span>
        )}
      </form>
      <LoadState loaded={loaded}>
        {(list) =>
          list.backfills.length === 0 ? (
            <p className="empty">{t("backfillNone")}</p>
          ) : (
            <ul className="backfills">
              {list.backfills.map((row) => {
                const shown = withUpdate(row, updates);
                const percent = percentDone(shown);
                return (
                  <li key={shown.id}>
                    <div>
                      {formatDate(language, shown.since)} – {formatDate(language, shown.until)} ·{" "}
                      <span role="status" aria-live="polite">
                        {t(STATUS_KEYS[shown.status])}
                      </span>
                    </div>
                    <progress max={100} value={percent} aria-label={t("backfillProgress")}>
                      {percent}%
                    </progress>
                    <div className="backfill-counts">
                      {t("backfillWindows", {
                        done: formatNumber(language, shown.windows_done),
                        total: formatNumber(language, shown.windows_total),
                      })}{" "}
                      · {t("backfillRows", { rows: formatNumber(language, shown.rows_stored) })}
                      {shown.windows_failed > 0 && (
                        <span className="error-words">
                          {" "}
                          {t("backfillFailedWindows", { n: formatNumber(language, shown.windows_failed) })}
                        </span>
                      )}
                    </div>
                    {shown.status === "running" && (
                      <button onClick={() => void cancel(shown.id)}>{t("backfillCancel")}</button>
                    )}
                  </li>
                );
              })}
            </ul>
          )
        }
      </LoadState>
    </section>
  );
}
