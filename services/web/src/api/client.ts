// The typed API client: paths and bodies come from the generated schema (npm run api-types,
// from docs/openapi.json), so a route the API changes breaks the build, not the user.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Api = ReturnType<typeof createClient<paths>>;

export class SessionExpired extends Error {}

export interface ApiProblem {
  status: number;
  message: string;
  retryAfterSeconds: number | null;
}

export function createApi(baseUrl: string, token: () => string | null, onExpired: () => void): Api {
  const api = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const current = token();
      if (current) request.headers.set("Authorization", `Bearer ${current}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401 && token()) onExpired();
      return response;
    },
  };
  api.use(auth);
  return api;
}

/** The API's error body (`{"detail": ...}`) and Retry-After, in one shape for the pages. */
export function problemOf(response: Response, error: unknown): ApiProblem {
  const detail = (error as { detail?: unknown } | undefined)?.detail;
  const message = typeof detail === "string" ? detail : response.statusText || `HTTP ${response.status}`;
  const retryAfter = response.headers.get("Retry-After");
  return { status: response.status, message, retryAfterSeconds: retryAfter ? Number(retryAfter) : null };
}
