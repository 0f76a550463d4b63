import { LANGUAGES, type Language, type Messages } from '../i18n.ts';
import { THEMES, type Theme } from '../preferences.ts';

export interface InfoProps {
  readonly t: Messages;
  readonly language: Language;
  readonly theme: Theme;
  readonly onLanguage: (language: Language) => void;
  readonly onTheme: (theme: Theme) => void;
}

const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', de: 'Deutsch' };

/** The info footer of TodoMVC, with the language and theme switches. */
export function Info({ t, language, theme, onLanguage, onTheme }: InfoProps) {
  const themeName = { system: t.themeSystem, light: t.themeLight, dark: t.themeDark };
  return (
    <footer class="info">
      <p>{t.infoEdit}</p>
      <p>{t.infoKeyboard}</p>
      <p class="settings">
        <label>
          {t.language}{' '}
          <select
            class="language"
            value={language}
            onChange={(event) => {
              const chosen = LANGUAGES.find((l) => l === event.currentTarget.value);
              if (chosen) onLanguage(chosen);
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.theme}{' '}
          <select
            class="theme"
            value={theme}
            onChange={(event) => {
              const chosen = THEMES.find((th) => th === event.currentTarget.value);
              if (chosen) onTheme(chosen);
            }}
          >
            {THEMES.map((th) => (
              <option key={th} value={th}>
                {themeName[th]}
              </option>
            ))}
          </select>
        </label>
      </p>
      <p>
        {t.partOf} <a href="https://todomvc.com">TodoMVC</a>
      </p>
    </footer>
  );
}
