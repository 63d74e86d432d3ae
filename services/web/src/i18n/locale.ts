// Locale-aware wording and formatting: pure functions, so they are unit-tested without a DOM.
import { ar, en, type MessageKey } from "./messages";

export type Language = "en" | "ar";

export const LANGUAGES: readonly Language[] = ["en", "ar"];

export function direction(language: Language): "ltr" | "rtl" {
  return language === "ar" ? "rtl" : "ltr";
}

export function translate(
  language: Language,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  const template = (language === "ar" ? ar : en)[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

// Arabic with Arabic-Indic digits is what Arabic-speaking marketers read in their own
// platforms' screens; the -u-nu-arab extension asks Intl for them explicitly.
function intlLocale(language: Language): string {
  return language === "ar" ? "ar-u-nu-arab" : "en";
}

export function formatNumber(language: Language, value: number | string | null | undefined, digits = 0): string {
  if (value === null || value === undefined || value === "") return "–";
  return new Intl.NumberFormat(intlLocale(language), {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(Number(value));
}

export function formatMoney(
  language: Language,
  value: number | string | null | undefined,
  currency: string | null | undefined,
): string {
  if (value === null || value === undefined || value === "") return "–";
  if (!currency) return formatNumber(language, value, 2);
  return new Intl.NumberFormat(intlLocale(language), { style: "currency", currency }).format(Number(value));
}

export function formatPercent(language: Language, value: number | string | null | undefined, digits = 1): string {
  if (value === null || value === undefined || value === "") return "–";
  return new Intl.NumberFormat(intlLocale(language), {
    style: "percent",
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(Number(value) / 100);
}

export function formatDateTime(language: Language, iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(intlLocale(language), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone,
  }).format(new Date(iso));
}

export function formatDate(language: Language, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeZone }).format(new Date(iso));
}

/** The change from previous to current as a percentage, or null when it has no meaning. */
export function percentChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return ((current - previous) / Math.abs(previous)) * 100;
}
