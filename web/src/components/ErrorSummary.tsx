/**
 * The GOV.UK error summary: when a form cannot be sent, a box at the top titled "There is a problem"
 * lists every mistake at once, each a link that moves focus to the field to fix. Focus moves to the
 * box itself when it appears (and when the list changes on a later attempt), so a screen reader reads
 * it and a phone scrolls to it. The same messages also stand beside their fields (FieldError).
 */
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export interface SummaryItem {
  message: string;
  /** The id of the input to focus; none for a problem with the whole form (a link-less line). */
  target?: string;
}

export function ErrorSummary({ items, attempt }: { items: SummaryItem[]; attempt: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (items.length > 0) box.current?.focus();
  }, [attempt]);
  if (items.length === 0) return null;
  const go = (target: string) => (e: Event) => {
    // Focus the input itself (a plain #anchor would only scroll), and bring its question's label into view.
    e.preventDefault();
    const input = document.getElementById(target);
    if (!input) return;
    const closed = input.closest('details');
    if (closed) closed.open = true;
    input.focus();
    (input.closest('fieldset, .form-group') ?? input).scrollIntoView({ block: 'start' });
  };
  return (
    <div class="error-summary" ref={box} tabIndex={-1} aria-labelledby="error-summary-title" role="alert" data-testid="error-summary">
      <h2 id="error-summary-title" class="error-summary-title">
        {t().errors.summaryTitle}
      </h2>
      <ul class="error-summary-list">
        {items.map((item, i) =>
          item.target ? (
            <li key={i}>
              <a href={`#${item.target}`} onClick={go(item.target)}>
                {item.message}
              </a>
            </li>
          ) : (
            <li key={i}>{item.message}</li>
          ),
        )}
      </ul>
    </div>
  );
}

/** The message beside a field (GOV.UK error message): above the input, with a hidden "Error:" for screen readers. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} class="error-message">
      <span class="sr-only">{t().errors.error} </span>
      {message}
    </p>
  );
}
