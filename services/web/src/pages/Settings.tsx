import { useState, type FormEvent } from "react";
import { problemOf, type Schemas } from "../api/client";
import { LoadState, useLoad } from "../components/States";
import { useApp } from "../context";

type SettingsPatch = Schemas["SettingsPatch"];

export function SettingsPage() {
  const { api, org, t, isAdmin } = useApp();
  const [saved, setSaved] = useState(0);
  const [loaded] = useLoad(() => api.GET("/api/orgs/{org_id}/settings", { params: { path: { org_id: org.id } } }), [org.id, saved]);
  const [message, setMessage] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: SettingsPatch = {
      timezone: String(form.get("timezone")) as SettingsPatch["timezone"],
      currency: String(form.get("currency")) as SettingsPatch["currency"],
      alerts: { budget_warning_pct: Number(form.get("budget_warning_pct")) },
    };
    const result = await api.PATCH("/api/orgs/{org_id}/settings", { params: { path: { org_id: org.id } }, body });
    setMessage(result.response.ok ? t("saved") : problemOf(result.response, result.error).message);
    if (result.response.ok) setSaved((n) => n + 1);
  }

  return (
    <section aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title">{t("navSettings")}</h1>
      </header>
      {!isAdmin && <p className="muted">{t("forbidden")}</p>}
      <LoadState loaded={loaded}>
        {(settings) => (
          <form className="card settings" onSubmit={(event) => void save(event)}>
            <fieldset disabled={!isAdmin}>
              <label>
                {t("timezone")}
                <select name="timezone" defaultValue={settings.timezone}>
                  {Intl.supportedValuesOf("timeZone").map((zone) => (
                    <option key={zone}>{zone}</option>
                  ))}
                </select>
              </label>
              <label>
                {t("currency")}
                <select name="currency" defaultValue={settings.currency ?? ""}>
                  {Intl.supportedValuesOf("currency").map((code) => (
                    <option key={code}>{code}</option>
                  ))}
                </select>
              </label>
              <label>
                {t("budgetWarning")}
                <input
                  name="budget_warning_pct"
                  type="number"
                  min={1}
                  max={1000}
                  defaultValue={settings.alerts.budget_warning_pct}
                />
              </label>
              <button className="primary" type="submit">
                {t("save")}
              </button>
            </fieldset>
            {message && <p role="status">{message}</p>}
          </form>
        )}
      </LoadState>
      <Members />
    </section>
  );
}

function Members() {
  const { api, org, t, isAdmin } = useApp();
  const [changed, setChanged] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const [loaded] = useLoad(() => api.GET("/api/orgs/{org_id}/members", { params: { path: { org_id: org.id } } }), [org.id, changed]);

  async function run(request: Promise<{ response: Response; error?: unknown }>) {
    const result = await request;
    setMessage(result.response.ok ? t("saved") : problemOf(result.response, result.error).message);
    if (result.response.ok) setChanged((n) => n + 1);
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await run(
      api.POST("/api/orgs/{org_id}/members", {
        params: { path: { org_id: org.id } },
        body: { email: String(form.get("email")), role: form.get("role") === "admin" ? "admin" : "member" },
      }),
    );
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">{t("members")}</h2>
      <LoadState loaded={loaded}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("name")}</th>
                <th scope="col">{t("email")}</th>
                <th scope="col">{t("role")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {list.members.map((member) => (
                <tr key={member.user_id}>
                  <td>{member.name}</td>
                  <td>{member.email}</td>
                  <td>
                    <select
                      aria-label={`${t("role")} ${member.email}`}
                      value={member.role}
                      disabled={!isAdmin}
                      onChange={(event) =>
                        void run(
                          api.PATCH("/api/orgs/{org_id}/members/{user_id}", {
                            params: { path: { org_id: org.id, user_id: member.user_id } },
                            body: { role: event.target.value === "admin" ? "admin" : "member" },
                          }),
                        )
                      }
                    >
                      <option value="member">{t("member")}</option>
                      <option value="admin">{t("admin")}</option>
                    </select>
                  </td>
                  <td>
                    {isAdmin && (
                      <button
                        onClick={() =>
                          void run(
                            api.DELETE("/api/orgs/{org_id}/members/{user_id}", {
                              params: { path: { org_id: org.id, user_id: member.user_id } },
                            }),
                          )
                        }
                      >
                        {t("remove")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </LoadState>
      {isAdmin && (
        <form className="inline" onSubmit={(event) => void add(event)}>
          <label>
            {t("email")} <input name="email" type="email" required />
          </label>
          <label>
            {t("role")}{" "}
            <select name="role" defaultValue="member">
              <option value="member">{t("member")}</option>
              <option value="admin">{t("admin")}</option>
            </select>
          </label>
          <button type="submit">{t("addMember")}</button>
        </form>
      )}
      {message && <p role="status">{message}</p>}
    </section>
  );
}
