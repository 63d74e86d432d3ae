import { useState } from "react";
import type { BackfillUpdates } from "../backfillState";
import { BackfillPanel } from "../components/Backfill";
import { ConnectButtons, PendingGrant } from "../components/Connect";
import { LoadState, useLoad } from "../components/States";
import { SyncBadge, SyncButton } from "../components/Sync";
import { useApp } from "../context";
import { formatDateTime } from "../i18n/locale";
import type { SyncProgress } from "../syncState";

export function IntegrationsPage({
  progress,
  backfills,
}: {
  progress: Record<string, SyncProgress>;
  backfills: BackfillUpdates;
}) {
  const { api, org, t, language, isAdmin } = useApp();
  const [selected, setSelected] = useState<string | null>(null);
  const [connected, setConnected] = useState(0);
  const [loaded] = useLoad(() => api.GET("/api/orgs/{org_id}/sync/status", { params: { path: { org_id: org.id } } }), [
    org.id,
    progress,
    connected,
  ]);
  return (
    <section aria-labelledby="integrations-title">
      <header className="page-header">
        <h1 id="integrations-title">{t("navIntegrations")}</h1>
        <SyncButton />
      </header>
      <PendingGrant onConnected={() => setConnected((n) => n + 1)} />
      <ConnectButtons />
      <LoadState loaded={loaded}>
        {(status) =>
          status.integrations.length === 0 ? (
            <p className="empty card">{t("emptyOrg")}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("platform")}</th>
                  <th scope="col">{t("account")}</th>
                  <th scope="col">{t("status")}</th>
                  <th scope="col">{t("lastSync")}</th>
                  <th scope="col">{t("nextSync")}</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {status.integrations.map((row) => (
                  <tr key={row.integration_id}>
                    <td>
                      <span className={`platform ${row.platform}`}>{row.platform}</span>
                    </td>
                    <td>
                      <button className="link" onClick={() => setSelected(row.integration_id)}>
                        {row.account_name}
                      </button>
                    </td>
                    <td>
                      {progress[row.integration_id] ? <SyncBadge progress={progress[row.integration_id]} /> : row.status}
                      {row.last_error?.message && <div className="error-words">{row.last_error.message}</div>}
                    </td>
                    <td>{row.last_synced_at ? formatDateTime(language, row.last_synced_at, org.timezone) : t("neverSynced")}</td>
                    <td>{formatDateTime(language, row.next_scheduled_sync, org.timezone)}</td>
                    <td>
                      <SyncButton integrationId={row.integration_id} progress={progress[row.integration_id]} />{" "}
                      {isAdmin && (
                        <button
                          onClick={() => {
                            if (window.confirm(`${t("disconnect")} ${row.account_name}?`)) {
                              void api
                                .DELETE("/api/orgs/{org_id}/integrations/{integration_id}", {
                                  params: { path: { org_id: org.id, integration_id: row.integration_id } },
                                })
                                .then(() => setConnected((n) => n + 1));
                            }
                          }}
                        >
                          {t("disconnect")}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadState>
      {loaded.state === "ready" && loaded.data.integrations.length > 0 && (
        <BackfillPanel integrations={loaded.data.integrations} updates={backfills} />
      )}
      {selected && <IntegrationHistory integrationId={selected} />}
    </section>
  );
}

function IntegrationHistory({ integrationId }: { integrationId: string }) {
  const { api, org, t, language } = useApp();
  const [loaded] = useLoad(
    () =>
      api.GET("/api/orgs/{org_id}/sync/integrations/{integration_id}/status", {
        params: { path: { org_id: org.id, integration_id: integrationId } },
      }),
    [integrationId],
  );
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{t("history")}</h2>
      <LoadState loaded={loaded}>
        {(history) => (
          <ul className="history">
            {history.recent_runs.map((run) => (
              <li key={run.run_id}>
                <strong>{run.data_type}</strong> {run.trigger} · {run.status} ·{" "}
                {formatDateTime(language, run.requested_at, org.timezone)}
                <ul>
                  {run.attempts.map((attempt) => (
                    <li key={attempt.attempt}>
                      {t("attempts")} {attempt.attempt}: {attempt.outcome ?? "…"}
                      {attempt.error_message && <span className="error-words"> {attempt.error_message}</span>}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </LoadState>
    </section>
  );
}
