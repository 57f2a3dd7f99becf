/**
 * When a screening brings back no decision, the officer is told what to do next, in plain words — not
 * the parser's or the browser's message ("Failed to fetch"), which stays behind "Technical detail":
 *  - a zone that does not read: scan again; type the fields; refer if the zone looks tampered with;
 *  - a typed field the service refused: which field, and how to write it (beside the field too);
 *  - the replica cannot be reached, or failed: the procedure — do not clear, refer to secondary;
 *  - the screen has no token for screening: the same procedure, and who can sign it in.
 * Without a decision nobody is cleared: every case that is not the officer's own typing says so.
 */
import { ApiError } from '../lib/api';

export type Trouble =
  | { kind: 'zone'; what: string; where?: string; technical: string }
  | { kind: 'field'; field: string; message: string; technical: string }
  | { kind: 'unreachable'; technical: string }
  | { kind: 'signin'; technical: string }
  | { kind: 'other'; message: string; technical: string };

/** A check-digit field of the zone as people say it: `mrz.documentNumberCheckDigit` → "the document number". */
const ZONE_FIELDS: Record<string, string> = {
  documentNumber: 'the document number',
  birthDate: 'the date of birth',
  expirationDate: 'the expiry date',
  personalNumber: 'the personal number',
  optional: 'the optional data',
  composite: 'the zone as a whole (composite check)',
};

export function troubleOf(err: unknown): Trouble {
  const technical = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) return { kind: 'unreachable', technical };
  if (err.status === 401 || err.status === 403) return { kind: 'signin', technical: `${technical}${err.hint ? ` — ${err.hint}` : ''}` };
  const field = err.field ?? '';
  if (field === 'mrz' || field.startsWith('mrz.')) {
    const where = /\((line \d+, characters? [\d–-]+)\)/.exec(err.message)?.[1];
    const name = field.slice(4).replace(/CheckDigit$/, '');
    const what =
      field === 'mrz'
        ? /not a machine-readable zone/.test(err.message)
          ? 'The zone was not read whole: a passport has 2 lines of 44 characters, an ID card 2 lines of 36 or 3 lines of 30.'
          : 'Nothing was read from the zone.'
        : /CheckDigit$/.test(field)
          ? `The check digit of ${ZONE_FIELDS[name] ?? name} does not fit${where ? ` (${where})` : ''}. Usually the scanner misread a character.`
          : `Part of the zone does not read${where ? ` (${where})` : ''}.`;
    return { kind: 'zone', what, ...(where ? { where } : {}), technical };
  }
  if (err.status === 400 && field) return { kind: 'field', field, message: err.message.replace(/^[\w.]+: /, ''), technical };
  return { kind: 'other', message: err.status === 429 ? 'Too many screenings at once: wait a few seconds and screen again.' : 'The service refused the screening.', technical };
}

function Technical({ text }: { text: string }) {
  return (
    <details class="technical">
      <summary>Technical detail</summary>
      <p class="mono">{text}</p>
    </details>
  );
}

export function ScreeningTrouble({ trouble, fieldLabel, onRescan, onTypeFields }: { trouble: Trouble; fieldLabel: (field: string) => string; onRescan: () => void; onTypeFields: () => void }) {
  if (trouble.kind === 'zone') {
    return (
      <div class="trouble trouble-zone" role="alert" id="screen-error" data-trouble="zone">
        <h2 class="trouble-title">The zone did not read — no decision</h2>
        <p>{trouble.what}</p>
        <h3>What to do</h3>
        <ol class="steps">
          <li>
            Scan the zone again: wipe the glass and hold the page flat.{' '}
            <button type="button" onClick={onRescan}>
              Scan again
            </button>
          </li>
          <li>
            If it still does not read, type the fields from the data page.{' '}
            <button type="button" onClick={onTypeFields}>
              Type the fields
            </button>
          </li>
          <li>If the zone looks altered, or does not agree with the data page, refer the traveller to secondary inspection.</li>
        </ol>
        <Technical text={trouble.technical} />
      </div>
    );
  }
  if (trouble.kind === 'field') {
    return (
      <div class="trouble trouble-field" role="alert" id="screen-error" data-trouble="field">
        <h2 class="trouble-title">There is a problem — no decision</h2>
        <ul class="error-summary-list">
          <li>
            <a href={`#t-${trouble.field}`}>
              {fieldLabel(trouble.field)}: {trouble.message}
            </a>
          </li>
        </ul>
      </div>
    );
  }
  if (trouble.kind === 'unreachable' || trouble.kind === 'signin') {
    return (
      <div class="trouble trouble-procedure" role="alert" id="screen-error" data-trouble={trouble.kind}>
        <h2 class="trouble-title">Do not clear: refer to secondary inspection</h2>
        <p>
          {trouble.kind === 'unreachable'
            ? 'The checkpoint’s screening service did not answer, so there is no decision for this traveller.'
            : 'This screen is not signed in for screening, so there is no decision for this traveller.'}
        </p>
        <h3>What to do</h3>
        <ol class="steps">
          <li>Send the traveller to secondary inspection. Do not let them pass on this screen’s account.</li>
          <li>
            {trouble.kind === 'unreachable'
              ? 'Tell your supervisor that the checkpoint’s screening service is not answering.'
              : 'Ask your supervisor to sign this screen in with a checkpoint token (Tokens, at the top).'}
          </li>
          <li>Screen the next traveller as usual: the screen tries again each time.</li>
        </ol>
        <Technical text={trouble.technical} />
      </div>
    );
  }
  return (
    <div class="trouble trouble-procedure" role="alert" id="screen-error" data-trouble="other">
      <h2 class="trouble-title">No decision: do not clear</h2>
      <p>{trouble.message} Until a decision is shown, send the traveller to secondary inspection.</p>
      <Technical text={trouble.technical} />
    </div>
  );
}
