// The dashboard's addresses are hash routes (one static page serves them all): `#/alerts`,
// or, from a notification's link (services/notifier/cmis_notifier/domain/messages.py,
// alerts_link), `#/orgs/<org id>/alerts?alert=<alert id>`: the page, the organization to
// switch to and the alert to pick out.
export const ROUTES = ["dashboard", "integrations", "alerts", "settings"] as const;
export type Route = (typeof ROUTES)[number];

export interface HashLocation {
  route: Route;
  orgId: string | null;
  alertId: string | null;
}

export function parseHash(hash: string): HashLocation {
  const rest = hash.replace(/^#\/?/, "");
  const mark = rest.indexOf("?");
  const path = mark < 0 ? rest : rest.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? "" : rest.slice(mark + 1));
  const parts = path.split("/").filter((part) => part !== "");
  const inOrg = parts[0] === "orgs" && parts.length >= 2;
  const name = (inOrg ? parts[2] : parts[0]) ?? "";
  const route = (ROUTES as readonly string[]).includes(name) ? (name as Route) : "dashboard";
  return {
    route,
    orgId: inOrg && parts[1] ? decodeURIComponent(parts[1]) : null,
    alertId: route === "alerts" ? query.get("alert") || null : null,
  };
}
