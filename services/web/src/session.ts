// The signed-in session: the API token lives in sessionStorage (gone when the tab closes,
// never in a URL); the chosen organization and language persist across visits.
import type { Language } from "./i18n/locale";

const TOKEN_KEY = "cmis.token";
const ORG_KEY = "cmis.org";
const LANGUAGE_KEY = "cmis.language";

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  setToken: (token: string | null): void => {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  org: (): string | null => localStorage.getItem(ORG_KEY),
  setOrg: (orgId: string): void => localStorage.setItem(ORG_KEY, orgId),
  language: (): Language => (localStorage.getItem(LANGUAGE_KEY) === "ar" ? "ar" : "en"),
  setLanguage: (language: Language): void => localStorage.setItem(LANGUAGE_KEY, language),
};
