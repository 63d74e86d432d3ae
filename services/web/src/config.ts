// Where the API is, read at start-up from /config.json beside the built files, so one build
// serves every environment (the static server writes it from its settings).
export interface AppConfig {
  apiBaseUrl: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Partial<AppConfig>;
  if (!config.apiBaseUrl) throw new Error("config.json has no apiBaseUrl");
  return { apiBaseUrl: config.apiBaseUrl.replace(/\/$/, "") };
}
