import { useEffect, useState } from "react";
import { problemOf, type Schemas } from "../api/client";
import { useApp } from "../context";

type Platform = Schemas["Platform"];
const PLATFORMS: Platform[] = ["google", "meta", "tiktok", "linkedin", "twitter"];
const PLATFORM_NAMES: Record<Platform, string> = {
  google: "Google Ads",
  meta: "Meta",
  tiktok: "TikTok",
  linkedin: "LinkedIn",
  twitter: "X",
};

/** The platform's consent page comes back here with ?oauth_pending=<id> or ?oauth_error=. */
export function oauthReturn(): { pending: string | null; error: string | null } {
  const query = new URLSearchParams(window.location.search);
  return { pending: query.get("oauth_pending"), error: query.get("oauth_error") };
}

function clearOauthReturn(): void {
  window.history.replaceState(null, "", `${window.location.pathname}${window.location.hash}`);
}

export function ConnectButtons() {
  const { api, org, t, isAdmin } = useApp();
  const [message, setMessage] = useState<string | null>(null);
  if (!isAdmin) return <p className="muted">{t("forbidden")}</p>;

  async function start(platform: Platform) {
    const result = await api.POST("/api/orgs/{org_id}/integrations/oauth/{platform}/start", {
      params: { path: { org_id: org.id, platform } },
      body: { return_url: `${window.location.origin}/` },
    });
    if (result.data) window.location.assign(result.data.authorization_url);
    else setMessage(problemOf(result.response, result.error).message);
  }

  return (
    <div className="connect card">
      <h2>{t("connectAccount")}</h2>
      <div className="actions">
        {PLATFORMS.map((platform) => (
          <button key={platform} onClick={() => void start(platform)}>
            {t("connectWith", { platform: PLATFORM_NAMES[platform] })}
          </button>
        ))}
      </div>
      {message && (
        <p className="error-words" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}

/** After the consent: choose which of the accounts the grant reaches to connect. */
export function PendingGrant({ onConnected }: { onConnected: () => void }) {
  const { api, org, t } = useApp();
  const [{ pending, error }] = useState(oauthReturn);
  const [grant, setGrant] = useState<Schemas["PendingOut"] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string | null>(error ? t("oauthRefused", { reason: error }) : null);

  useEffect(() => {
    if (!pending) return;
    void api
      .GET("/api/orgs/{org_id}/integrations/oauth/pending/{pending_id}", {
        params: { path: { org_id: org.id, pending_id: pending } },
      })
      .then((result) => {
        if (result.data) setGrant(result.data);
        else setMessage(problemOf(result.response, result.error).message);
      });
  }, [api, org.id, pending]);

  if (!grant) {
    return message ? (
      <p className="error-words card" role="alert">
        {message}
      </p>
    ) : null;
  }

  async function connect() {
    if (!grant) return;
    const result = await api.POST("/api/orgs/{org_id}/integrations/oauth/pending/{pending_id}/connect", {
      params: { path: { org_id: org.id, pending_id: grant.id } },
      body: { account_ids: [...chosen] },
    });
    if (result.data) {
      // A new account's first sync starts now, not at its next scheduled slot.
      await Promise.all(
        result.data.integrations.map((integration) =>
          api.POST("/api/orgs/{org_id}/sync/integrations/{integration_id}/trigger", {
            params: { path: { org_id: org.id, integration_id: integration.id } },
            body: { data_type: "all" },
          }),
        ),
      );
      clearOauthReturn();
      setGrant(null);
      setMessage(t("connected", { n: result.data.integrations.length }));
      onConnected();
    } else {
      setMessage(problemOf(result.response, result.error).message);
    }
  }

  return (
    <form
      className="card"
      aria-labelledby="choose-title"
      onSubmit={(event) => {
        event.preventDefault();
        void connect();
      }}
    >
      <h2 id="choose-title">{t("chooseAccounts")}</h2>
      <ul className="choices">
        {grant.accounts.map((account) => (
          <li key={account.account_id}>
            <label>
              <input
                type="checkbox"
                disabled={!account.connectable}
                checked={chosen.has(account.account_id)}
                onChange={(event) => {
                  const next = new Set(chosen);
                  if (event.target.checked) next.add(account.account_id);
                  else next.delete(account.account_id);
                  setChosen(next);
                }}
              />{" "}
              {account.name} <span className="muted">({account.kind}, {account.account_id}, {account.currency ?? "–"})</span>
            </label>
          </li>
        ))}
      </ul>
      <button className="primary" type="submit" disabled={chosen.size === 0}>
        {t("connectChosen")}
      </button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}
