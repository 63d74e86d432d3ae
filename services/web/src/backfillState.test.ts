import { describe, expect, it } from "vitest";
import { applyBackfillMessage, percentDone, withUpdate, type Backfill, type BackfillMessage } from "./backfillState";

const row: Backfill = {
  id: "b1",
  status: "running",
  since: "2025-01-01",
  until: "2025-12-31",
  integration_ids: ["i1"],
  data_types: ["metrics"],
  only_gaps: false,
  requested_by: "ana@example.com",
  requested_at: "2026-01-01T00:00:00Z",
  finished_at: null,
  windows_total: 12,
  windows_done: 0,
  windows_failed: 0,
  windows_cancelled: 0,
  windows_pending: 12,
  rows_stored: 0,
};

const message = (done: number, status: Backfill["status"] = "running"): BackfillMessage => ({
  backfill_id: "b1",
  status,
  windows_total: 12,
  windows_done: done,
  windows_failed: 0,
  windows_cancelled: 0,
  rows_stored: done * 100,
});

describe("backfill progress", () => {
  it("moves forward with the stream and never back", () => {
    let updates = applyBackfillMessage({}, message(3));
    updates = applyBackfillMessage(updates, message(2));
    expect(updates.b1?.windows_done).toBe(3);
    updates = applyBackfillMessage(updates, message(12, "completed"));
    const shown = withUpdate(row, updates);
    expect([shown.status, shown.windows_done, shown.windows_pending, shown.rows_stored]).toEqual(["completed", 12, 0, 1200]);
    expect(percentDone(shown)).toBe(100);
  });

  it("shows the API's row when it is ahead of the stream", () => {
    const ahead = { ...row, windows_done: 5, windows_pending: 7 };
    expect(withUpdate(ahead, applyBackfillMessage({}, message(4)))).toBe(ahead);
    expect(percentDone(ahead)).toBe(42);
  });

  it("counts a backfill with nothing to do as complete", () => {
    expect(percentDone({ ...row, windows_total: 0, windows_pending: 0, status: "completed" })).toBe(100);
  });
});
