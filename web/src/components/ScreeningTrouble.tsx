/**
 * When a screening brings back no decision, the officer is told what to do next, in plain words — not
 * the parser's or the browser's message ("Failed to fetch"), which stays behind "Technical detail":
 *  - a zone that does not read: scan again; type the fields; refer if the zone looks tampered with;
 *  - a typed field the service refused: which field, and how to write it (beside the field too);
 *  - the replica cannot be reached, or failed: the procedure — do not clear, refer to secondary;
 *  - the screen has no token for screening: the same procedure, and who can sign it in.
 * Without a decision nobody is cleared: every case that is not the officer's own typing says so.
 */
import { t } from '../i18n';
import { lookup } from '../i18n/plural';
import { ApiError } from '../lib/api';

export type Trouble =
  | { kind: 'zone'; what: string; where?: string; technical: string }
  | { kind: 'field'; field: string; message: string; technical: string }
  | { kind: 'unreachable'; technical: string }
  | { kind: 'signin'; technical: string }
  | { kind: 'other'; message: string; technical: string };

/** Where in the zone the parser found the fault ("line 2, characters 14–19"), in the reader's language. */
function whereText(message: string): string | undefined {
  const m = /\(line (\d+), characters? ([\d–-]+)\)/.exec(message);
  return m ? t().trouble.where(Number(m[1]), m[2]!) : undefined;
}

export function troubleOf(err: unknown): Trouble {
  const technical = err instanceof Error ? err.message : String(err);
  if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) return { kind: 'unreachable', technical };
  if (err.status === 401 || err.status === 403) return { kind: 'signin', technical: `${technical}${err.hint ? ` — ${err.hint}` : ''}` };
  const field = err.field ?? '';
  if (field === 'mrz' || field.startsWith('mrz.')) {
    const words = t().trouble;
    const where = whereText(err.message);
    const name = field.slice(4).replace(/CheckDigit$/, '');
    const what =
      field === 'mrz'
        ? /not a machine-readable zone/.test(err.message)
          ? words.notWhole
          : words.nothingRead
        : /CheckDigit$/.test(field)
          ? words.checkDigit(lookup(words.zoneFields, name), where ?? '')
          : words.partUnread(where ?? '');
    return { kind: 'zone', what, ...(where ? { where } : {}), technical };
  }
  if (err.status === 400 && field) return { kind: 'field', field, message: err.message.replace(/^[\w.]+: /, ''), technical };
  return { kind: 'other', message: err.status === 429 ? t().trouble.tooMany : t().trouble.refused, technical };
}

function Technical({ text }: { text: string }) {
  return (
    <details class="technical">
      <summary>{t().trouble.technical}</summary>
      <p class="mono">{text}</p>
    </details>
  );
}

export function ScreeningTrouble({ trouble, fieldLabel, onRescan, onTypeFields }: { trouble: Trouble; fieldLabel: (field: string) => string; onRescan: () => void; onTypeFields: () => void }) {
  const words = t().trouble;
  if (trouble.kind === 'zone') {
    return (
      <div class="trouble trouble-zone" role="alert" id="screen-error" data-trouble="zone">
        <h2 class="trouble-title">{words.zoneTitle}</h2>
        <p>{trouble.what}</p>
        <h3>{words.whatToDo}</h3>
        <ol class="steps">
          <li>
            {words.rescanStep}{' '}
            <button type="button" onClick={onRescan}>
              {words.rescan}
            </button>
          </li>
          <li>
            {words.typeStep}{' '}
            <button type="button" onClick={onTypeFields}>
              {words.typeFields}
            </button>
          </li>
          <li>{words.alteredStep}</li>
        </ol>
        <Technical text={trouble.technical} />
      </div>
    );
  }
  if (trouble.kind === 'field') {
    return (
      <div class="trouble trouble-field" role="alert" id="screen-error" data-trouble="field">
        <h2 class="trouble-title">{words.fieldTitle}</h2>
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
        <h2 class="trouble-title">{words.procedureTitle}</h2>
        <p>{trouble.kind === 'unreachable' ? words.unreachable : words.signin}</p>
        <h3>{words.whatToDo}</h3>
        <ol class="steps">
          <li>{words.stepSecondary}</li>
          <li>{trouble.kind === 'unreachable' ? words.stepTellUnreachable : words.stepSignIn}</li>
          <li>{words.stepNext}</li>
        </ol>
        <Technical text={trouble.technical} />
      </div>
    );
  }
  return (
    <div class="trouble trouble-procedure" role="alert" id="screen-error" data-trouble="other">
      <h2 class="trouble-title">{words.otherTitle}</h2>
      <p>{words.otherText(trouble.message)}</p>
      <Technical text={trouble.technical} />
    </div>
  );
}
