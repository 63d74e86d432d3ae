// Figures over time for the charts and the tiles' change against the previous period. Pure.
export interface PointFigures {
  period_start: string;
  spend: number;
  impressions: number;
  clicks: number;
  conversions: number;
  conversion_value: number;
}

export interface Totals {
  spend: number;
  impressions: number;
  clicks: number;
  conversions: number;
  conversionValue: number;
}

export function totals(points: readonly PointFigures[]): Totals {
  return points.reduce(
    (sum, point) => ({
      spend: sum.spend + Number(point.spend),
      impressions: sum.impressions + Number(point.impressions),
      clicks: sum.clicks + Number(point.clicks),
      conversions: sum.conversions + Number(point.conversions),
      conversionValue: sum.conversionValue + Number(point.conversion_value),
    }),
    { spend: 0, impressions: 0, clicks: 0, conversions: 0, conversionValue: 0 },
  );
}

/** Days (ISO dates) from..to inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); day <= new Date(`${to}T00:00:00Z`); day.setUTCDate(day.getUTCDate() + 1)) {
    days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The current period (the last `days` days up to `today`) and the one before it. */
export function periods(today: Date, days: number): { previousFrom: string; from: string; to: string } {
  const to = new Date(today);
  const from = new Date(today);
  from.setUTCDate(from.getUTCDate() - (days - 1));
  const previousFrom = new Date(from);
  previousFrom.setUTCDate(previousFrom.getUTCDate() - days);
  return { previousFrom: isoDay(previousFrom), from: isoDay(from), to: isoDay(to) };
}

/** The current and previous periods' totals from one series covering both. */
export function splitTotals(points: readonly PointFigures[], from: string): { current: Totals; previous: Totals } {
  return {
    current: totals(points.filter((point) => point.period_start >= from)),
    previous: totals(points.filter((point) => point.period_start < from)),
  };
}

/** One value per day (0 where the series has no point), in day order. */
export function dailyValues(points: readonly PointFigures[], days: readonly string[], key: keyof Totals): number[] {
  const field = key === "conversionValue" ? "conversion_value" : key;
  const byDay = new Map(points.map((point) => [point.period_start, Number(point[field])]));
  return days.map((day) => byDay.get(day) ?? 0);
}
