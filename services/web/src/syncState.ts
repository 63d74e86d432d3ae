// What "Sync now" shows, per integration, from the live stream's sync_status messages:
// queued → syncing → done | failed (with the error and the retry time). Pure, unit-tested.
export type SyncPhase = "queued" | "syncing" | "done" | "failed";

export interface SyncProgress {
  phase: SyncPhase;
  dataType: string | null;
  errorClass: string | null;
  willRetry: boolean;
  nextAttemptAt: string | null;
  at: string;
}

export interface SyncStatusMessage {
  integration_id: string;
  data_type?: string | null;
  status: string; // pending, syncing, success or failed
  occurred_at: string;
  error_class?: string | null;
  will_retry?: boolean | null;
  next_attempt_at?: string | null;
}

const PHASES: Record<string, SyncPhase> = {
  pending: "queued",
  syncing: "syncing",
  success: "done",
  failed: "failed",
};

/** The new progress map after one message; messages older than what is shown are ignored
 * (the stream and a resumed stream may deliver out of order). */
export function applySyncMessage(
  current: Readonly<Record<string, SyncProgress>>,
  message: SyncStatusMessage,
): Record<string, SyncProgress> {
  const phase = PHASES[message.status];
  if (!phase) return { ...current };
  const previous = current[message.integration_id];
  if (previous && previous.at > message.occurred_at) return { ...current };
  return {
    ...current,
    [message.integration_id]: {
      phase,
      dataType: message.data_type ?? null,
      errorClass: phase === "failed" ? (message.error_class ?? null) : null,
      willRetry: phase === "failed" && Boolean(message.will_retry),
      nextAttemptAt: phase === "failed" ? (message.next_attempt_at ?? null) : null,
      at: message.occurred_at,
    },
  };
}

/** Error classes in words a marketer understands (the API's error_class values). */
export const ERROR_WORDS: Record<string, { en: string; ar: string }> = {
  auth_error: { en: "The platform refused our access. Reconnect the account.", ar: "رفضت المنصة الوصول. أعد ربط الحساب." },
  rate_limited: { en: "The platform asked us to slow down.", ar: "طلبت المنصة الإبطاء." },
  platform_error: { en: "The platform had an error.", ar: "حدث خطأ لدى المنصة." },
  timeout: { en: "The platform did not answer in time.", ar: "لم تستجب المنصة في الوقت المحدد." },
  invalid_data: { en: "The platform sent data we could not read.", ar: "أرسلت المنصة بيانات غير مقروءة." },
};

export function errorInWords(errorClass: string | null, language: "en" | "ar"): string {
  if (!errorClass) return "";
  return ERROR_WORDS[errorClass]?.[language] ?? errorClass;
}
