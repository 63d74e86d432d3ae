import { useEffect, useRef, useState } from "react";
import { problemOf, type Schemas } from "../api/client";
import { LoadState, useLoad } from "../components/States";
import { useApp } from "../context";
import { alertTypeLabel } from "../i18n/alertTypes";
import { formatDateTime } from "../i18n/locale";

type Status = "open" | "resolved";
type Severity = NonNullable<Schemas["Severity"]>;
const SEVERITIES: Severity[] = ["critical", "warning"];

/** `focus`: the alert a notification's link names; its list is shown, and it is picked out. */
export function AlertsPage({ revision, focus }: { revision: number; focus: string | null }) {
  const { api, org, t } = useApp();
  const [status, setStatus] = useState<Status>("open");
  const [severity, setSeverity] = useState<Severity | "">("");
  const [changed, setChanged] = useState(0);
  const [linked, setLinked] = useState<Schemas["AlertOut"] | null>(null);
  useEffect(() => {
    setLinked(null);
    if (!focus) return;
    let current = true;
    void api.GET("/api/orgs/{org_id}/alerts/{alert_id}", { params: { path: { org_id: org.id, alert_id: focus } } }).then(({ data }) => {
      if (!current || !data) return;
      setLinked(data);
      setStatus(data.status);
      setSeverity("");
    });
    return () => {
      current = false;
    };
  }, [api, org.id, focus]);
  const [loaded] = useLoad(
    () =>
      api.GET("/api/orgs/{org_id}/alerts", {
        params: { path: { org_id: org.id }, query: { status, severity: severity || undefined, limit: 50 } },
      }),
    [org.id, status, severity, revision, changed],
  );
  return (
    <section aria-labelledby="alerts-page-title">
      <header className="page-header">
        <h1 id="alerts-page-title">{t("navAlerts")}</h1>
        <div className="filters">
          <div role="radiogroup" aria-label={t("status")} className="segmented">
            {(["open", "resolved"] as Status[]).map((value) => (
              <button key={value} role="radio" aria-checked={status === value} className={status === value ? "selected" : ""} onClick={() => setStatus(value)}>
                {t(value)}
              </button>
            ))}
          </div>
          <label>
            {t("filterSeverity")}{" "}
            <select value={severity} onChange={(event) => setSeverity(event.target.value as Severity | "")}>
              <option value="">{t("all")}</option>
              {SEVERITIES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <LoadState loaded={loaded}>
        {(page) => {
          // The linked alert heads the list when it is not on this page of it (older than the 50 shown).
          const items =
            linked && linked.status === status && (!severity || linked.severity === severity) && !page.items.some((alert) => alert.id === linked.id)
              ? [linked, ...page.items]
              : page.items;
          return items.length === 0 ? (
            <p className="empty card">{t("noAlerts")}</p>
          ) : (
            <ul className="alert-list">
              {items.map((alert) => (
                <AlertItem key={alert.id} alert={alert} focused={alert.id === focus} onChanged={() => setChanged((n) => n + 1)} />
              ))}
            </ul>
          );
        }}
      </LoadState>
    </section>
  );
}

function AlertItem({ alert, focused, onChanged }: { alert: Schemas["AlertOut"]; focused: boolean; onChanged: () => void }) {
  const { api, org, t, language } = useApp();
  const item = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focused) item.current?.scrollIntoView({ block: "center" });
  }, [focused]);
  const [message, setMessage] = useState<string | null>(null);
  const [showHistory, setShowHistory] = useState(false);
  const path = { org_id: org.id, alert_id: alert.id };
  const typeLabel = alertTypeLabel(alert.type);

  async function command(action: "acknowledge" | "snooze" | "resolve") {
    const result =
      action === "acknowledge"
        ? await api.POST("/api/orgs/{org_id}/alerts/{alert_id}/acknowledge", { params: { path } })
        : action === "resolve"
          ? await api.POST("/api/orgs/{org_id}/alerts/{alert_id}/resolve", { params: { path } })
          : await api.POST("/api/orgs/{org_id}/alerts/{alert_id}/snooze", {
              params: { path },
              body: { until: new Date(Date.now() + 24 * 3600 * 1000).toISOString() },
            });
    setMessage(result.response.ok ? t("commandSent") : problemOf(result.response, result.error).message);
    if (result.response.ok) setTimeout(onChanged, 1000);
  }

  return (
    <li ref={item} className={`card severity-${alert.severity}${focused ? " focused" : ""}`} aria-current={focused ? "true" : undefined}>
      <p>
        <strong>{alert.severity}</strong> · {typeLabel ? t(typeLabel) : alert.type} · {formatDateTime(language, alert.first_seen_at, org.timezone)}
      </p>
      <p>{alert.message}</p>
      {alert.acknowledged_by && <p className="muted">{t("acknowledgedBy", { who: alert.acknowledged_by })}</p>}
      {alert.snoozed_until && (
        <p className="muted">{t("snoozedUntil", { time: formatDateTime(language, alert.snoozed_until, org.timezone) })}</p>
      )}
      {alert.status === "open" && (
        <div className="actions">
          <button onClick={() => void command("acknowledge")} disabled={alert.acknowledged_at !== null}>
            {t("acknowledge")}
          </button>
          <button onClick={() => void command("snooze")}>{t("snooze")}</button>
          <button onClick={() => void command("resolve")}>{t("resolve")}</button>
        </div>
      )}
      {message && <p role="status">{message}</p>}
      <button className="link" aria-expanded={showHistory} onClick={() => setShowHistory((shown) => !shown)}>
        {t("history")}
      </button>
      {showHistory && <AlertHistory alertId={alert.id} />}
    </li>
  );
}

function AlertHistory({ alertId }: { alertId: string }) {
  const { api, org, language } = useApp();
  const [loaded] = useLoad(
    () => api.GET("/api/orgs/{org_id}/alerts/{alert_id}/history", { params: { path: { org_id: org.id, alert_id: alertId } } }),
    [alertId],
  );
  return (
    <LoadState loaded={loaded}>
      {(history) => (
        <ol className="history">
          {history.items.map((entry) => (
            <li key={entry.id}>
              {formatDateTime(language, entry.at, org.timezone)} · {entry.action} · {entry.severity}
            </li>
          ))}
        </ol>
      )}
    </LoadState>
  );
}
