import { useEffect, useState } from "react";
import type { Schemas } from "../api/client";
import { LoadState, useLoad } from "../components/States";
import { SyncButton, SyncBadge } from "../components/Sync";
import { useApp } from "../context";
import { formatDateTime, formatMoney, formatNumber, formatPercent, percentChange, formatDate } from "../i18n/locale";
import type { SyncProgress } from "../syncState";
import { TimeChart } from "../components/Chart";
import { dailyValues, daysBetween, periods, splitTotals, type Totals } from "../trends";

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
            <DashboardBody view={view} period={period} revision={revision} progress={progress} />
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

/** Which currency the figures are in, and the exchange-rate day they were converted at. */
function CurrencyNote({ view }: { view: Schemas["DashboardView"] }) {
  const { t, language } = useApp();
  if (!view.currency) return null;
  const rates = view.exchange_rates;
  return (
    <p className="muted currency-note">
      {t("figuresIn", { currency: view.currency })}
      {rates.rates_as_of && (
        <>
          {" · "}
          <span>{t("ratesAsOf", { date: formatDate(language, `${rates.rates_as_of}T12:00:00Z`) })}</span>
        </>
      )}
      {rates.unconverted_currencies.length > 0 && (
        <>
          {" · "}
          <span>{t("notConverted", { currencies: rates.unconverted_currencies.join(", ") })}</span>
        </>
      )}
    </p>
  );
}

type Change = number | null;

function changes(current: Totals, previous: Totals): Record<string, Change> {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  const change = (a: number | null, b: number | null) => percentChange(a, b);
  return {
    spend: change(current.spend, previous.spend),
    impressions: change(current.impressions, previous.impressions),
    clicks: change(current.clicks, previous.clicks),
    conversions: change(current.conversions, previous.conversions),
    ctr: change(ratio(current.clicks, current.impressions), ratio(previous.clicks, previous.impressions)),
    cpc: change(ratio(current.spend, current.clicks), ratio(previous.spend, previous.clicks)),
    roi: change(ratio(current.conversionValue, current.spend), ratio(previous.conversionValue, previous.spend)),
  };
}

function DashboardBody({
  view,
  period,
  revision,
  progress,
}: {
  view: Schemas["DashboardView"];
  period: number;
  revision: number;
  progress: Record<string, SyncProgress>;
}) {
  const { api, t, language, org } = useApp();
  const ads = view.overview.advertising;
  const currency = view.currency;
  const range = periods(new Date(), period);
  const [series] = useLoad(
    () =>
      api.GET("/api/orgs/{org_id}/metrics/timeseries", {
        params: { path: { org_id: org.id }, query: { granularity: "day", from: range.previousFrom, to: range.to } },
      }),
    [org.id, period, revision],
  );
  const split = series.state === "ready" ? splitTotals(series.data.total, range.from) : null;
  const change: Record<string, Change> = split ? changes(split.current, split.previous) : {};
  const tiles: [string, string, string][] = [
    ["spend", t("spend"), formatMoney(language, ads.total_spend, currency)],
    ["impressions", t("impressions"), formatNumber(language, ads.total_impressions)],
    ["clicks", t("clicks"), formatNumber(language, ads.total_clicks)],
    ["conversions", t("conversions"), formatNumber(language, ads.total_conversions)],
    ["ctr", t("ctr"), formatPercent(language, ads.avg_ctr, 2)],
    ["cpc", t("cpc"), formatMoney(language, ads.avg_cpc, currency)],
    ["roi", t("roi"), formatPercent(language, ads.roi, 0)],
  ];
  return (
    <>
      <CurrencyNote view={view} />
      <ul className="tiles" aria-label={t("navDashboard")}>
        {tiles.map(([key, label, value]) => {
          const delta = change[key];
          return (
            <li key={key} className="tile card">
              <span className="tile-label">{label}</span>
              <span className="tile-value" dir="ltr">
                {value}
              </span>
              {delta !== undefined && (
                <span className={`tile-change ${delta === null || delta === 0 ? "" : delta > 0 ? "up" : "down"}`}>
                  {delta === null ? t("noChange") : `${delta > 0 ? "▲" : "▼"} ${formatPercent(language, Math.abs(delta), 1)}`}{" "}
                  <span className="muted">{t("vsPrevious")}</span>
                </span>
              )}
            </li>
          );
        })}
      </ul>

      <LoadState loaded={series}>
        {(data) => {
          const days = daysBetween(range.from, range.to);
          const labels = days.map((day) => formatDate(language, `${day}T12:00:00Z`));
          const current = (points: typeof data.total) => points.filter((point) => point.period_start >= range.from);
          return (
            <div className="grid">
              <section className="card" aria-labelledby="spend-chart-title">
                <h2 id="spend-chart-title">{t("spendOverTime")}</h2>
                <TimeChart
                  title={t("spendOverTime")}
                  dates={labels}
                  kind="bar"
                  rtl={language === "ar"}
                  series={Object.entries(data.by_platform).map(([platform, points]) => ({
                    name: platform,
                    values: dailyValues(current(points), days, "spend"),
                  }))}
                />
                {data.freshness.last_day_partial && <p className="muted">{t("partialDay")}</p>}
              </section>
              <section className="card" aria-labelledby="results-chart-title">
                <h2 id="results-chart-title">{t("resultsOverTime")}</h2>
                <TimeChart
                  title={t("resultsOverTime")}
                  dates={labels}
                  kind="line"
                  rtl={language === "ar"}
                  series={[
                    { name: t("clicks"), values: dailyValues(current(data.total), days, "clicks") },
                    { name: t("conversions"), values: dailyValues(current(data.total), days, "conversions") },
                  ]}
                />
                {data.freshness.last_synced_at && (
                  <p className="muted">{t("freshAsOf", { time: formatDateTime(language, data.freshness.last_synced_at, org.timezone) })}</p>
                )}
              </section>
            </div>
          );
        }}
      </LoadState>

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
                    <td className="figure">
                      {formatMoney(language, campaign.spend, campaign.currency)}
                      {campaign.converted && campaign.converted.currency !== campaign.currency && (
                        <span className="muted converted">
                          {t("convertedTo", {
                            amount: formatMoney(language, campaign.converted.spend, campaign.converted.currency),
                            currency: campaign.converted.currency,
                          })}
                        </span>
                      )}
                    </td>
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
