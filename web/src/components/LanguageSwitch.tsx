/** The visible language switch: a labelled select in the header, each language named in itself. */
import { type Language, LANGUAGES, language, t } from '../i18n';

export function LanguageSwitch({ onChange }: { onChange: (next: Language) => void }) {
  return (
    <div class="language-switch">
      <label for="language-select">{t().language.label}</label>
      <select id="language-select" value={language()} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}
