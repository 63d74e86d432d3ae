import { createContext, useContext } from "react";
import type { Api, Schemas } from "./api/client";
import type { Language } from "./i18n/locale";
import type { MessageKey } from "./i18n/messages";

export interface AppContextValue {
  api: Api;
  apiBaseUrl: string;
  token: string;
  language: Language;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  org: Schemas["OrganizationOut"];
  isAdmin: boolean;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside AppContext");
  return value;
}
