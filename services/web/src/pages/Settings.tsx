import { useApp } from "../context";

export function SettingsPage() {
  const { org, t, isAdmin } = useApp();
  return (
    <section aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title">{t("navSettings")}</h1>
      </header>
      <dl className="card">
        <dt>{t("organization")}</dt>
        <dd>{org.name}</dd>
        <dt>{t("timezone")}</dt>
        <dd>{org.timezone}</dd>
        <dt>{t("role")}</dt>
        <dd>{org.role}</dd>
      </dl>
      {!isAdmin && <p className="muted">{t("forbidden")}</p>}
    </section>
  );
}
