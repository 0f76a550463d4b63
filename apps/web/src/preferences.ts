// The user's language and theme: chosen, remembered in localStorage, applied to <html>.
import { detectLanguage, LANGUAGES, type Language } from './i18n.ts';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const LANGUAGE_KEY = 'cloud-todo.language';
const THEME_KEY = 'cloud-todo.theme';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Storage unavailable: the choice lasts for this page only.
  }
}

export function initialLanguage(): Language {
  const stored = read(LANGUAGE_KEY);
  const chosen = LANGUAGES.find((l) => l === stored);
  return (
    chosen ??
    detectLanguage(navigator.languages.length ? navigator.languages : [navigator.language])
  );
}

export function initialTheme(): Theme {
  const stored = read(THEME_KEY);
  return THEMES.find((t) => t === stored) ?? 'system';
}

export function applyLanguage(language: Language, remember: boolean): void {
  document.documentElement.lang = language;
  if (remember) write(LANGUAGE_KEY, language);
}

/** `system` follows prefers-color-scheme in CSS; light and dark override it. */
export function applyTheme(theme: Theme, remember: boolean): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  if (remember) write(THEME_KEY, theme === 'system' ? null : theme);
}
