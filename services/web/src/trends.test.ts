import { describe, expect, it } from "vitest";
import { dailyValues, daysBetween, periods, splitTotals } from "./trends";

const point = (period_start: string, spend: number) => ({
  period_start,
  spend,
  impressions: 10,
  clicks: 2,
  conversions: 1,
  conversion_value: 5,
});

describe("trends", () => {
  it("splits one series into the current and the previous period", () => {
    const { from, previousFrom, to } = periods(new Date("2026-01-10T12:00:00Z"), 7);
    expect([previousFrom, from, to]).toEqual(["2025-12-28", "2026-01-04", "2026-01-10"]);
    const series = [point("2025-12-30", 5), point("2026-01-04", 7), point("2026-01-10", 3)];
    const { current, previous } = splitTotals(series, from);
    expect(current.spend).toBe(10);
    expect(previous.spend).toBe(5);
  });
  it("fills days without a point with zero", () => {
    const days = daysBetween("2026-01-01", "2026-01-03");
    expect(days).toEqual(["2026-01-01", "2026-01-02", "2026-01-03"]);
    expect(dailyValues([point("2026-01-02", 4)], days, "spend")).toEqual([0, 4, 0]);
  });
});
