import type { Schemas } from "../api/client";
import type { MessageKey } from "./messages";

type AlertType = Schemas["AlertType"];

// Every alert type the API can send, with the message that names it: a type added to the API
// (docs/openapi.json → src/api/schema.d.ts) fails the type check here until it has a label.
const LABELS: Record<AlertType, MessageKey> = {
  budget: "alertTypeBudget",
  token_expiry: "alertTypeTokenExpiry",
  sync_failure: "alertTypeSyncFailure",
  integration_paused: "alertTypeIntegrationPaused",
  dead_letters: "alertTypeDeadLetters",
  notification_channel: "alertTypeNotificationChannel",
  spend_spike: "alertTypeSpendSpike",
  ctr_drop: "alertTypeCtrDrop",
  conversion_drop: "alertTypeConversionDrop",
  cost_per_result_rise: "alertTypeCostPerResultRise",
  budget_pacing: "alertTypeBudgetPacing",
  api_sunset: "alertTypeApiSunset",
};

/** The message naming an alert type; null for a type this build does not know (shown as is). */
export function alertTypeLabel(type: string): MessageKey | null {
  return type in LABELS ? LABELS[type as AlertType] : null;
}
