import { LoadState, useLoad } from "../components/States";
import { useApp } from "../context";

export function AlertsPage({ revision }: { revision: number }) {
  const { api, org, t } = useApp();
  const [loaded] = useLoad(
    () => api.GET("/api/orgs/{org_id}/dashboard", { params: { path: { org_id: org.id } } }),
    [org.id, revision],
  );
  return (
    <section aria-labelledby="alerts-page-title">
      <header className="page-header">
        <h1 id="alerts-page-title">{t("navAlerts")}</h1>
      </header>
      <LoadState loaded={loaded}>
        {(view) =>
          view.alerts.length === 0 ? (
            <p className="empty card">{t("noAlerts")}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("severity")}</th>
                  <th scope="col">{t("type")}</th>
                  <th scope="col">{t("message")}</th>
                </tr>
              </thead>
              <tbody>
                {view.alerts.map((alert) => (
                  <tr key={alert.id} className={`severity-${alert.severity}`}>
                    <td>{alert.severity}</td>
                    <td>{alert.type}</td>
                    <td>{alert.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadState>
    </section>
  );
}
