/**
 * The import page's rejected lines: why each was refused, in words a person can act on, and the file
 * of rejected lines to download and fix. Pure (no DOM), so the rules read as a list.
 *
 * The download is JSON Lines, one object per rejected line, in line order:
 *   {"line": 7, "reason": "…in the reader's language…", "field": "surname", "error": "surname: is required", "text": "{…the line as it was…}"}
 * `error` is the register's own message (English, for support), `text` the line exactly as read, so
 * the file can be fixed and imported again.
 */
import { t } from '../i18n';

export interface RejectedLine {
  line: number;
  /** The register's (or the JSON parser's) message, unchanged. */
  error: string;
  field?: string;
  /** What went wrong: a line that is not JSON, or one the register refused. */
  kind: 'json' | 'register';
  /** The line as it was in the file. */
  text: string;
}

/** "documents.0.number" → "documents 1 › number": list positions counted from 1, as people do. */
export function fieldInWords(field: string): string {
  return field
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part))
    .join(' › ')
    .replace(/ › (\d+)/g, ' $1');
}

/** Why the line was refused, in the reader's language. */
export function reasonInWords(r: Pick<RejectedLine, 'error' | 'field' | 'kind'>): string {
  const why = t().import.why;
  if (r.kind === 'json') {
    if (/must hold one JSON object/.test(r.error)) return why.notObject;
    const column = /column (\d+)/.exec(r.error)?.[1] ?? /position (\d+)/.exec(r.error)?.[1];
    const at = column ? why.atCharacter(Number(column)) : '';
    return why.notJson(at);
  }
  if (/longer than \d+ bytes/.test(r.error)) return why.tooLong;
  if (!r.field || r.field === '(body)') return why.general(r.error.replace(/\.$/, ''));
  const message = r.error.startsWith(`${r.field}: `) ? r.error.slice(r.field.length + 2) : r.error;
  if (message === 'is required') return why.required(fieldInWords(r.field));
  return why.invalid(fieldInWords(r.field), message.replace(/\.$/, ''));
}

/** Rejected lines from one batch, merged into the list so far, which stays in line order. */
export function mergeInOrder(sofar: RejectedLine[], batch: RejectedLine[]): void {
  batch.sort((a, b) => a.line - b.line);
  // Every line of a batch comes after every line of the batches before it, so appending keeps the order.
  for (const r of batch) sofar.push(r);
}

/** The download: one JSON object per rejected line (see the header), in line order. */
export function rejectedLinesFile(lines: readonly RejectedLine[]): string {
  return lines
    .map((r) => JSON.stringify({ line: r.line, reason: reasonInWords(r), ...(r.field ? { field: r.field } : {}), error: r.error, text: r.text }))
    .join('\n')
    .concat(lines.length > 0 ? '\n' : '');
}
