// A backfill's progress as the integrations page shows it: the list the API returned, kept
// current by the live stream's "backfill" messages. Pure, unit-tested.
import type { Schemas } from "./api/client";

export type Backfill = Schemas["BackfillOut"];

export interface BackfillMessage {
  backfill_id: string;
  status: Backfill["status"];
  windows_total: number;
  windows_done: number;
  windows_failed: number;
  windows_cancelled: number;
  rows_stored: number;
}

export type BackfillUpdates = Readonly<Record<string, BackfillMessage>>;

function finished(b: Pick<Backfill, "windows_done" | "windows_failed" | "windows_cancelled">): number {
  return b.windows_done + b.windows_failed + b.windows_cancelled;
}

/** Keep the furthest progress per backfill: counts only grow, so an older (or replayed)
 * message never moves a bar back. */
export function applyBackfillMessage(current: BackfillUpdates, message: BackfillMessage): Record<string, BackfillMessage> {
  const previous = current[message.backfill_id];
  if (previous && finished(previous) > finished(message)) return { ...current };
  if (previous && finished(previous) === finished(message) && previous.status !== "running") return { ...current };
  return { ...current, [message.backfill_id]: message };
}

/** The API's row with whatever the stream has said since. */
export function withUpdate(backfill: Backfill, updates: BackfillUpdates): Backfill {
  const update = updates[backfill.id];
  if (!update || finished(update) < finished(backfill)) return backfill;
  const merged = { ...backfill, ...update, id: backfill.id };
  delete (merged as Partial<BackfillMessage>).backfill_id;
  return { ...merged, windows_pending: Math.max(merged.windows_total - finished(merged), 0) };
}

/** Share of windows finished (done, failed or cancelled), 0 to 100; a backfill with no
 * windows (everything was covered already) is complete. */
export function percentDone(backfill: Backfill): number {
  if (backfill.windows_total === 0) return 100;
  return Math.round((finished(backfill) / backfill.windows_total) * 100);
}
