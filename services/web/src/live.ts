// Live updates with EventSource. A browser cannot send an Authorization header on an
// EventSource, so the page first asks for a short-lived single-use ticket, then opens the
// stream with it; EventSource resumes by itself (Last-Event-ID) after a drop, and a fresh
// ticket is fetched when the stream must be reopened.
export type LiveHandler = (kind: string, data: Record<string, unknown>) => void;

export interface LiveConnection {
  close(): void;
}

const KINDS = ["ready", "sync_status", "alert", "backfill", "dashboard", "reset"] as const;

export function openLive(
  apiBaseUrl: string,
  orgId: string,
  token: string,
  onMessage: LiveHandler,
  onState: (connected: boolean) => void,
): LiveConnection {
  let source: EventSource | null = null;
  let closed = false;
  let lastEventId: string | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  async function connect(): Promise<void> {
    if (closed) return;
    try {
      const response = await fetch(`${apiBaseUrl}/api/orgs/${orgId}/live/tickets`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) throw new Error(`ticket: HTTP ${response.status}`);
      const { ticket } = (await response.json()) as { ticket: string };
      const url = new URL(`${apiBaseUrl}/api/orgs/${orgId}/events`);
      url.searchParams.set("ticket", ticket);
      if (lastEventId) url.searchParams.set("lastEventId", lastEventId);
      source = new EventSource(url);
      source.onopen = () => onState(true);
      source.onerror = () => {
        onState(false);
        // A ticket is single-use: EventSource's own reconnect would present a spent one.
        source?.close();
        retryTimer = setTimeout(() => void connect(), 2000);
      };
      for (const kind of KINDS) {
        source.addEventListener(kind, (event) => {
          const message = event as MessageEvent<string>;
          if (message.lastEventId) lastEventId = message.lastEventId;
          onMessage(kind, message.data ? (JSON.parse(message.data) as Record<string, unknown>) : {});
        });
      }
    } catch {
      onState(false);
      retryTimer = setTimeout(() => void connect(), 5000);
    }
  }

  void connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      source?.close();
    },
  };
}
