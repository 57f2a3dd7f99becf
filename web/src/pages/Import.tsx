/**
 * Loading a JSON Lines file of persons (the import format) into the register from the browser: the
 * file is read as a stream, sent in batches to POST /v1/import, with a progress bar and every bad line
 * listed by number and reason. Good lines load even when some are bad; loading the same file again
 * changes nothing.
 */
import type { ImportAnswer } from '@api/personImport';
import { useRef, useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { api, ROLES } from '../lib/api';

/** Persons per request: well under the endpoint's 2,000 and its body limit, small enough to show progress. */
const BATCH_LINES = 500;
const BATCH_BYTES = 4 * 1024 * 1024;
const SHOWN_ERRORS = 1000;

interface LineError {
  line: number;
  error: string;
  field?: string;
}

interface Progress {
  bytes: number;
  total: number;
  lines: number;
  loaded: number;
  failed: number;
  done: boolean;
}

/** Yields each line of a file with its 1-based number and the bytes read so far. */
async function* linesOf(file: File, signal: AbortSignal): AsyncGenerator<{ text: string; number: number; bytes: number }> {
  const reader = file.stream().getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let number = 0;
  let bytes = 0;
  try {
    for (;;) {
      if (signal.aborted) return;
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      rest += decoder.decode(value, { stream: true });
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) yield { text: p, number: ++number, bytes };
    }
    rest += decoder.decode();
    if (rest.length > 0) yield { text: rest, number: ++number, bytes };
  } finally {
    reader.releaseLock();
  }
}

export function Import() {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [errors, setErrors] = useState<LineError[]>([]);
  const [fatal, setFatal] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  async function run(e: Event) {
    e.preventDefault();
    if (!file) return;
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setFatal(null);
    const errs: LineError[] = [];
    setErrors([]);
    const p: Progress = { bytes: 0, total: file.size, lines: 0, loaded: 0, failed: 0, done: false };
    setProgress({ ...p });
    let batch: { line: number; person: unknown }[] = [];
    let batchBytes = 0;
    const fail = (x: LineError) => {
      p.failed++;
      if (errs.length < SHOWN_ERRORS) errs.push(x);
    };
    const send = async () => {
      if (batch.length === 0) return;
      const sent = batch;
      batch = [];
      batchBytes = 0;
      const { results } = await api<ImportAnswer>('/v1/import', { body: { persons: sent.map((b) => b.person) }, roles: ROLES.importRegister, signal: controller.signal });
      results.forEach((r, i) => {
        if (r.ok) p.loaded++;
        else fail({ line: sent[i]!.line, error: r.error, ...(r.field ? { field: r.field } : {}) });
      });
      setProgress({ ...p });
      setErrors([...errs]);
    };
    try {
      for await (const { text, number, bytes } of linesOf(file, controller.signal)) {
        p.bytes = bytes;
        if (text.trim() === '') continue;
        p.lines++;
        try {
          batch.push({ line: number, person: JSON.parse(text) });
          batchBytes += text.length;
        } catch (err) {
          fail({ line: number, error: `not valid JSON: ${(err as Error).message.replace(/\s*\(line \d+ column (\d+)\)/, ' (character $1)')}` });
        }
        if (batch.length >= BATCH_LINES || batchBytes >= BATCH_BYTES) await send();
      }
      await send();
      p.bytes = file.size;
      p.done = !controller.signal.aborted;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setFatal(err);
    } finally {
      setProgress({ ...p });
      setErrors([...errs]);
      setRunning(false);
      abort.current = null;
    }
  }

  const pct = progress && progress.total > 0 ? Math.round((progress.bytes / progress.total) * 100) : 0;
  return (
    <>
      <h1>Import persons</h1>
      <p class="lead">
        Load a JSON Lines file: one person per line, with their documents, restrictions and deferments (the format is in the README, “Import format”). Good lines
        load even when some are bad; importing the same file again changes nothing.
      </p>
      <form class="card" onSubmit={run}>
        <label for="import-file">JSON Lines file</label>
        <input
          id="import-file"
          type="file"
          accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain"
          aria-describedby="import-help"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
        />
        <p id="import-help" class="help">
          Sent to the register in batches of {BATCH_LINES} lines; needs an operator token.
        </p>
        <div class="buttons">
          <button type="submit" class="primary" disabled={!file || running}>
            {running ? 'Importing…' : 'Import'}
          </button>
          {running ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : null}
        </div>
      </form>
      {progress ? (
        <section class="card" aria-labelledby="import-progress-label">
          <h2 id="import-progress-label">{progress.done ? 'Import finished' : running ? 'Importing' : 'Import stopped'}</h2>
          <progress id="import-progress" max={100} value={pct} aria-labelledby="import-progress-label" aria-describedby="import-counts" />
          <p id="import-counts" role="status" data-testid="import-counts">
            {pct} % of {file?.name ?? 'the file'} read · {progress.lines.toLocaleString('en')} lines · {progress.loaded.toLocaleString('en')} loaded ·{' '}
            {progress.failed.toLocaleString('en')} with errors
          </p>
        </section>
      ) : null}
      <ErrorNote error={fatal} />
      {errors.length > 0 ? (
        <section class="card" aria-labelledby="import-errors-heading">
          <h2 id="import-errors-heading">Lines not loaded ({progress?.failed ?? errors.length})</h2>
          <table class="import-errors">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((x) => (
                <tr key={x.line}>
                  <th scope="row">{x.line}</th>
                  <td>{x.field ? <code>{x.field}</code> : '—'}</td>
                  <td>{x.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {progress && progress.failed > errors.length ? <p class="help">The first {SHOWN_ERRORS} are shown.</p> : null}
        </section>
      ) : null}
    </>
  );
}
