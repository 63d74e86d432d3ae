import { describe, expect, it } from "vitest";
import { direction, formatMoney, formatPercent, percentChange, translate } from "./i18n/locale";
import { alertTypeLabel } from "./i18n/alertTypes";
import { ar, en } from "./i18n/messages";
import { applySyncMessage } from "./syncState";

describe("locale", () => {
  it("lays Arabic out right to left", () => {
    expect(direction("ar")).toBe("rtl");
    expect(direction("en")).toBe("ltr");
  });
  it("has every English message in Arabic, with the same placeholders", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(placeholders(ar[key]), key).toEqual(placeholders(en[key]));
    }
  });
  it("names every alert type, the API-version sunset too, in both languages", () => {
    const key = alertTypeLabel("api_sunset");
    expect(key).toBe("alertTypeApiSunset");
    expect(en[key!]).toContain("API version");
    expect(ar[key!]).not.toBe(en[key!]);
    expect(alertTypeLabel("budget")).toBe("alertTypeBudget");
    expect(alertTypeLabel("not_a_type")).toBeNull();
  });
  it("fills placeholders", () => {
    expect(translate("en", "days", { n: 7 })).toBe("7 days");
  });
  it("formats money in the locale's digits and the currency's minor units", () => {
    expect(formatMoney("en", "1234.5", "USD")).toBe("$1,234.50");
    expect(formatMoney("en", "1234", "JPY")).toBe("¥1,234");
    expect(formatMoney("ar", "1234.5", "USD")).toMatch(/[٠-٩]/);
    expect(formatMoney("en", null, "USD")).toBe("–");
  });
  it("formats percentages given in percent", () => {
    expect(formatPercent("en", 75, 0)).toBe("75%");
  });
  it("says no change when there is nothing to compare against", () => {
    expect(percentChange(10, 0)).toBeNull();
    expect(percentChange(15, 10)).toBe(50);
  });
});

describe("sync progress", () => {
  const base = { integration_id: "i1", data_type: "all" };
  it("goes queued → syncing → failed with the retry time", () => {
    let state = applySyncMessage({}, { ...base, status: "pending", occurred_at: "2026-01-01T00:00:00Z" });
    expect(state.i1?.phase).toBe("queued");
    state = applySyncMessage(state, { ...base, status: "syncing", occurred_at: "2026-01-01T00:00:01Z" });
    expect(state.i1?.phase).toBe("syncing");
    state = applySyncMessage(state, {
      ...base,
      status: "failed",
      occurred_at: "2026-01-01T00:00:02Z",
      error_class: "rate_limited",
      will_retry: true,
      next_attempt_at: "2026-01-01T00:05:00Z",
    });
    expect(state.i1).toMatchObject({ phase: "failed", errorClass: "rate_limited", willRetry: true });
  });
  it("ignores a message older than the one shown", () => {
    const done = applySyncMessage({}, { ...base, status: "success", occurred_at: "2026-01-01T00:00:05Z" });
    const stale = applySyncMessage(done, { ...base, status: "syncing", occurred_at: "2026-01-01T00:00:01Z" });
    expect(stale.i1?.phase).toBe("done");
  });
});
