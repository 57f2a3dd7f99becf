/**
 * A date of birth as three boxes — day, month, year — in a fieldset whose legend asks the question
 * (the GOV.UK date input pattern): people know their birthday as numbers, a phone shows its number
 * pad, and nothing depends on a locale's order of day and month or on a date picker. Its one error
 * message stands under the hint, and only the boxes that need fixing are marked.
 */
import { t } from '../i18n';
import { FieldError } from './ErrorSummary';

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

interface Props {
  /** Prefix of the ids: `${id}-day`, `${id}-month`, `${id}-year`, `${id}-hint`, `${id}-error`. */
  id: string;
  legend: string;
  hint: string;
  value: DateParts;
  onChange: (value: DateParts) => void;
  error?: string | undefined;
  /** Which boxes the error is about. */
  invalid: readonly ('day' | 'month' | 'year')[];
}

const PARTS = [
  { key: 'day', size: 2, autocomplete: 'bday-day' },
  { key: 'month', size: 2, autocomplete: 'bday-month' },
  { key: 'year', size: 4, autocomplete: 'bday-year' },
] as const;

export function DateOfBirthFields({ id, legend, hint, value, onChange, error, invalid }: Props) {
  const describedBy = `${id}-hint${error ? ` ${id}-error` : ''}`;
  return (
    <div class={`form-group${error ? ' form-group-error' : ''}`}>
      <fieldset class="date-fieldset" role="group" aria-describedby={describedBy}>
        <legend class="question">{legend}</legend>
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
        <FieldError id={`${id}-error`} message={error} />
        <div class="date-input">
          {PARTS.map((p) => (
            <div class="date-input-item" key={p.key}>
              <label for={`${id}-${p.key}`}>{t().selfCheck[p.key]}</label>
              <input
                id={`${id}-${p.key}`}
                class={`date-input-${p.size}`}
                inputMode="numeric"
                autocomplete={p.autocomplete}
                spellcheck={false}
                value={value[p.key]}
                aria-invalid={invalid.includes(p.key) ? true : undefined}
                onInput={(e) => onChange({ ...value, [p.key]: (e.currentTarget as HTMLInputElement).value })}
              />
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  );
}
