import { useEffect, useState } from "react";
import type { Schemas } from "../api/client";
import { LoadState, useLoad } from "../components/States";
import { SyncButton, SyncBadge } from "../components/Sync";
import { useApp } from "../context";
import { formatDateTime, formatMoney, formatNumber, formatPercent } from "../i18n/locale";
import type { SyncProgress } from "../syncState";

type Period = Schemas["Period"];
const PERIODS: Period[] = [7, 30, 90];

export function DashboardPage({
  progress,
  revision,
  navigate,
}: {
  progress: Record<string, SyncProgress>;
  revision: number;
  navigate: (route: string) => void;
}) {
  const { api, org, t } = useApp();
  const [period, setPeriod] = useState<Period>(30);
  const [loaded, reload] = useLoad(
    () => api.GET("/api/orgs/{org_id}/dashboard", { params: { path: { org_id: org.id }, query: { period } } }),
    [org.id, period],
  );
  // Live "dashboard" messages bump the revision: re-read the figures, without a reload.
  useEffect(() => {
    if (revision > 0) reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revision]);

  return (
    <section aria-labelledby="dashboard-title">
      <header className="page-header">
        <h1 id="dashboard-title">{t("navDashboard")}</h1>
        <div role="radiogroup" aria-label={t("period")} className="segmented">
          {PERIODS.map((days) => (
            <button
              key={days}
              role="radio"
              aria-checked={period === days}
              className={period === days ? "selected" : ""}
              onClick={() => setPeriod(days)}
            >
              {t("days", { n: days })}
            </button>
          ))}
        </div>
      </header>
      <LoadState loaded={loaded}>
        {(view) =>
          view.connected_accounts.total === 0 ? (
            <EmptyOrganization navigate={navigate} />
          ) : (
            <DashboardBody view={view} progress={progress} />
          )
        }
      </LoadState>
    </section>
  );
}

function EmptyOrganization({ navigate }: { navigate: (route: string) => void }) {
  const { t } = useApp();
  return (
    <div className="empty card">
      <p>{t("emptyOrg")}</p>
      <button className="primary" onClick={() => navigate("integrations")}>
        {t("connectAccount")}
      </button>
    </div>
  );
}

function currencyOf(view: Schemas["DashboardView"]): string | null {
  const currencies = new Set(view.active_campaigns.map((campaign) => campaign.currency));
  return currencies.size === 1 ? ([...currencies][0] ?? null) : null;
}

function DashboardBody({ view, progress }: { view: Schemas["DashboardView"]; progress: Record<string, SyncProgress> }) {
  const { t, language, org } = useApp();
  const ads = view.overview.advertising;
  const currency = currencyOf(view);
  const tiles: [string, string][] = [
    [t("spend"), formatMoney(language, ads.total_spend, currency)],
    [t("impressions"), formatNumber(language, ads.total_impressions)],
    [t("clicks"), formatNumber(language, ads.total_clicks)],
    [t("conversions"), formatNumber(language, ads.total_conversions)],
    [t("ctr"), formatPercent(language, ads.avg_ctr, 2)],
    [t("cpc"), formatMoney(language, ads.avg_cpc, currency)],
    [t("roi"), formatPercent(language, ads.roi, 0)],
  ];
  return (
    <>
      <ul className="tiles" aria-label={t("navDashboard")}>
        {tiles.map(([label, value]) => (
          <li key={label} className="tile card">
            <span className="tile-label">{label}</span>
            <span className="tile-value" dir="ltr">
              {value}
            </span>
          </li>
        ))}
      </ul>

      <div className="grid">
        <section className="card" aria-labelledby="kpis-title">
          <h2 id="kpis-title">{t("kpis")}</h2>
          {view.kpis.length === 0 ? (
            <p className="muted">{t("noData")}</p>
          ) : (
            <ul className="bars">
              {view.kpis.map((kpi) => {
                const ratio = kpi.actual === null ? 0 : Math.min(100, (Number(kpi.actual) / Number(kpi.target)) * 100);
                return (
                  <li key={kpi.name}>
                    <span>{kpi.name}</span>
                    <progress max={100} value={ratio} aria-label={kpi.name} />
                    <span className="figure">
                      {formatNumber(language, kpi.actual, 2)} / {formatNumber(language, kpi.target, 2)}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="campaigns-title">
          <h2 id="campaigns-title">{t("topCampaigns")}</h2>
          {view.active_campaigns.length === 0 ? (
            <p className="muted">{t("noData")}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("name")}</th>
                  <th scope="col">{t("spend")}</th>
                  <th scope="col">{t("budgetUsed")}</th>
                </tr>
              </thead>
              <tbody>
                {view.active_campaigns.map((campaign) => (
                  <tr key={campaign.id}>
                    <td>
                      <span className={`platform ${campaign.platform}`}>{campaign.platform}</span> {campaign.name}
                    </td>
                    <td className="figure">{formatMoney(language, campaign.spend, campaign.currency)}</td>
                    <td>
                      <progress
                        max={100}
                        value={Math.min(100, Number(campaign.budget_used_pct ?? 0))}
                        aria-label={`${t("budgetUsed")} ${campaign.name}`}
                      />{" "}
                      <span className="figure">{formatPercent(language, campaign.budget_used_pct, 0)}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="card" aria-labelledby="accounts-title">
          <h2 id="accounts-title">{t("accounts")}</h2>
          <ul className="accounts">
            {view.connected_accounts.accounts.map((account) => (
              <li key={account.id}>
                <span className={`platform ${account.platform}`}>{account.platform}</span>
                <span>{account.account_name}</span>
                <SyncBadge progress={progress[account.id]} />
                <SyncButton integrationId={account.id} progress={progress[account.id]} />
              </li>
            ))}
          </ul>
          <p className="muted">
            {t("lastSync")}: {formatDateTime(language, view.sync_status.last_sync, org.timezone)}
          </p>
        </section>

        <section className="card" aria-labelledby="alerts-title">
          <h2 id="alerts-title">{t("openAlerts")}</h2>
          {view.alerts.length === 0 ? (
            <p className="muted">{t("noAlerts")}</p>
          ) : (
            <ul className="alerts">
              {view.alerts.map((alert) => (
                <li key={alert.id} className={`severity-${alert.severity}`}>
                  <strong>{alert.severity}</strong> {alert.message}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="content-title">
          <h2 id="content-title">{t("nextContent")}</h2>
          {view.scheduled_content.length === 0 ? (
            <p className="muted">{t("noData")}</p>
          ) : (
            <ul>
              {view.scheduled_content.map((item) => (
                <li key={item.id}>
                  <time dateTime={item.scheduled_for}>{formatDateTime(language, item.scheduled_for, org.timezone)}</time>{" "}
                  {item.platforms.join(", ")}: {item.content}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="posts-title">
          <h2 id="posts-title">{t("recentPosts")}</h2>
          {view.recent_posts.length === 0 ? (
            <p className="muted">{t("noData")}</p>
          ) : (
            <ul>
              {view.recent_posts.map((post) => (
                <li key={post.id}>
                  <span className={`platform ${post.platform}`}>{post.platform}</span> {post.content.slice(0, 80)}{" "}
                  <span className="figure">
                    {t("engagement")}: {formatPercent(language, post.engagement_rate, 1)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <p className="muted">{t("updatedAt", { time: formatDateTime(language, view.updated_at, org.timezone) })}</p>
    </>
  );
}
