/**
 * `erx register import FILE`: reads JSON Lines, validates every line on its own, and loads the good
 * ones in batches, either straight into a register's store or through a running register's HTTP API.
 * A bad line is reported with its number and reason and never stops the others.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ErxError } from '../shared/errors.js';
import { personSchema, type PersonInput } from './schemas.js';
import { firstError } from '../shared/fieldError.js';
import type { RegisterService } from './registerService.js';
import type { ImportItemResult } from './routes.js';

export interface LineError {
  line: number;
  error: string;
  field?: string;
}

export interface ImportReport {
  lines: number;
  loaded: number;
  changes: number;
  failed: LineError[];
}

/** Loads a batch of valid persons somewhere, one result per person in order. */
export type ImportSink = (persons: PersonInput[]) => Promise<ImportItemResult[]>;

export const MAX_LINE_BYTES = 1024 * 1024;

export function storeSink(service: RegisterService): ImportSink {
  return async (persons) =>
    (await service.upsertPersons(persons)).map((r) =>
      r instanceof ErxError ? { ok: false as const, error: r.message, ...(r.field ? { field: r.field } : {}) } : { ok: true as const, changes: r.changes.length },
    );
}

export function httpSink(registerUrl: string, token?: string): ImportSink {
  const url = registerUrl.replace(/\/+$/, '') + '/v1/import';
  return async (persons) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ persons }) });
    const body = (await res.json().catch(() => ({}))) as { results?: ImportItemResult[]; error?: string };
    if (!res.ok || !body.results) throw new Error(`register answered ${res.status}: ${body.error ?? res.statusText}`);
    return body.results;
  };
}

export function parseLine(text: string): { ok: true; person: PersonInput } | { ok: false; error: string; field?: string } {
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) return { ok: false, error: `line is longer than ${MAX_LINE_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { ok: false, error: 'a line must hold one JSON object (a person)' };
  const parsed = personSchema.safeParse(json);
  if (!parsed.success) return { ok: false, ...firstError(parsed.error) };
  return { ok: true, person: parsed.data };
}

export async function importFile(
  file: string,
  sink: ImportSink,
  options: { batchSize?: number; onProgress?: (bytes: number, totalBytes: number, report: ImportReport) => void } = {},
): Promise<ImportReport> {
  const totalBytes = statSync(file).size;
  const batchSize = options.batchSize ?? 1000;
  const report: ImportReport = { lines: 0, loaded: 0, changes: 0, failed: [] };
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let pending: { line: number; person: PersonInput }[] = [];
  let bytes = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const results = await sink(pending.map((p) => p.person));
    results.forEach((r, i) => {
      if (r.ok) {
        report.loaded++;
        report.changes += r.changes;
      } else {
        report.failed.push({ line: pending[i]!.line, error: r.error, ...(r.field ? { field: r.field } : {}) });
      }
    });
    pending = [];
    options.onProgress?.(bytes, totalBytes, report);
  };

  for await (const text of lines) {
    report.lines++;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    const parsed = parseLine(text);
    if (parsed.ok) pending.push({ line: report.lines, person: parsed.person });
    else report.failed.push({ line: report.lines, error: parsed.error, ...(parsed.field ? { field: parsed.field } : {}) });
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  report.failed.sort((a, b) => a.line - b.line);
  return report;
}
