/**
 * Loading a JSON Lines file of persons (the import format) into the register from the browser: the
 * file is read as a stream, sent in batches to POST /v1/import, with a progress bar and every bad line
 * listed in line order with its reason in words (lib/importErrors.ts), and downloadable as a JSON Lines
 * file of the rejected lines — built in the browser from the lines it read and the API's answers. Good
 * lines load even when some are bad; loading the same file again changes nothing.
 */
import type { ImportAnswer } from '@api/personImport';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { t } from '../i18n';
import { api, ROLES } from '../lib/api';
import { number } from '../lib/format';
import { mergeInOrder, reasonInWords, type RejectedLine, rejectedLinesFile } from '../lib/importErrors';

/** Persons per request: well under the endpoint's 2,000 and its body limit, small enough to show progress. */
const BATCH_LINES = 500;
const BATCH_BYTES = 4 * 1024 * 1024;
const SHOWN_ERRORS = 1000;
/** Rejected lines kept for the download; past this the counts go on but the lines are not kept (memory). */
const KEPT_ERRORS = 100_000;

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
  const [errors, setErrors] = useState<RejectedLine[]>([]);
  const [download, setDownload] = useState<string | null>(null);
  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);
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
    const errs: RejectedLine[] = [];
    setErrors([]);
    setDownload(null);
    const p: Progress = { bytes: 0, total: file.size, lines: 0, loaded: 0, failed: 0, done: false };
    setProgress({ ...p });
    let batch: { line: number; person: unknown; text: string }[] = [];
    let batchBytes = 0;
    /** Lines rejected since the last batch was sent: merged into `errs` with that batch, so `errs` stays in line order. */
    let rejected: RejectedLine[] = [];
    const fail = (x: RejectedLine) => {
      p.failed++;
      if (errs.length + rejected.length < KEPT_ERRORS) rejected.push(x);
    };
    const flushRejected = () => {
      mergeInOrder(errs, rejected);
      rejected = [];
      setErrors(errs.slice(0, SHOWN_ERRORS));
    };
    const send = async () => {
      if (batch.length === 0) return flushRejected();
      const sent = batch;
      batch = [];
      batchBytes = 0;
      const { results } = await api<ImportAnswer>('/v1/import', { body: { persons: sent.map((b) => b.person) }, roles: ROLES.importRegister, signal: controller.signal });
      results.forEach((r, i) => {
        if (r.ok) p.loaded++;
        else fail({ line: sent[i]!.line, error: r.error, ...(r.field ? { field: r.field } : {}), kind: 'register', text: sent[i]!.text });
      });
      flushRejected();
      setProgress({ ...p });
    };
    try {
      for await (const { text, number: lineNumber, bytes } of linesOf(file, controller.signal)) {
        p.bytes = bytes;
        if (text.trim() === '') continue;
        p.lines++;
        let person: unknown;
        try {
          person = JSON.parse(text);
        } catch (err) {
          fail({ line: lineNumber, error: `not valid JSON: ${(err as Error).message}`, kind: 'json', text });
          continue;
        }
        if (person === null || typeof person !== 'object' || Array.isArray(person)) {
          fail({ line: lineNumber, error: 'a line must hold one JSON object (a person)', kind: 'json', text });
          continue;
        }
        batch.push({ line: lineNumber, person, text });
        batchBytes += text.length;
        if (batch.length >= BATCH_LINES || batchBytes >= BATCH_BYTES) await send();
      }
      await send();
      p.bytes = file.size;
      p.done = !controller.signal.aborted;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setFatal(err);
    } finally {
      flushRejected();
      setProgress({ ...p });
      if (errs.length > 0) setDownload(URL.createObjectURL(new Blob([rejectedLinesFile(errs)], { type: 'application/x-ndjson' })));
      setRunning(false);
      abort.current = null;
    }
  }

  const pct = progress && progress.total > 0 ? Math.round((progress.bytes / progress.total) * 100) : 0;
  const words = t().import;
  return (
    <>
      <h1>{words.heading}</h1>
      <p class="lead">{words.lead}</p>
      <form class="card" onSubmit={run}>
        <label for="import-file">{words.file}</label>
        <input
          id="import-file"
          type="file"
          accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain"
          aria-describedby="import-help"
          onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
        />
        <p id="import-help" class="help">
          {words.help(BATCH_LINES)}
        </p>
        <div class="buttons">
          <button type="submit" class="primary" disabled={!file || running}>
            {running ? words.importing : words.import}
          </button>
          {running ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              {words.stop}
            </button>
          ) : null}
        </div>
      </form>
      {progress ? (
        <section class="card" aria-labelledby="import-progress-label">
          <h2 id="import-progress-label">{progress.done ? words.finished : running ? words.running : words.stopped}</h2>
          <progress id="import-progress" max={100} value={pct} aria-labelledby="import-progress-label" aria-describedby="import-counts" />
          <p id="import-counts" role="status" data-testid="import-counts">
            {words.counts(pct, file?.name ?? words.theFile, progress.lines, progress.loaded, progress.failed)}
          </p>
        </section>
      ) : null}
      <ErrorNote error={fatal} />
      {errors.length > 0 ? (
        <section class="card" aria-labelledby="import-errors-heading">
          <h2 id="import-errors-heading">{words.notLoaded(progress?.failed ?? errors.length)}</h2>
          <p class="help">{words.notLoadedHelp}</p>
          {download ? (
            <p>
              <a class="button" href={download} download={`${(file?.name ?? 'import').replace(/\.[^.]*$/, '')}-rejected-lines.jsonl`} aria-describedby="import-download-help" data-testid="import-download">
                {words.download}
              </a>{' '}
              <span id="import-download-help" class="help">
                {words.downloadHelp}
              </span>
            </p>
          ) : null}
          <table class="import-errors">
            <thead>
              <tr>
                <th scope="col">{words.line}</th>
                <th scope="col">{words.field}</th>
                <th scope="col">{words.reason}</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((x) => (
                <tr key={x.line} data-line={x.line}>
                  <th scope="row">{number(x.line)}</th>
                  <td>{x.field ? <code>{x.field}</code> : words.noField}</td>
                  <td>{reasonInWords(x)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {progress && progress.failed > errors.length ? <p class="help">{words.firstShown(SHOWN_ERRORS)}</p> : null}
        </section>
      ) : null}
    </>
  );
}
