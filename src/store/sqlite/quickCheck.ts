/**
 * SQLite's structural check of a database file (`PRAGMA quick_check`: every B-tree page well formed,
 * cells in order and in bounds, free lists consistent — not whether index entries match their rows),
 * run in a worker thread on a read-only connection of its own. It reads the whole file, and
 * better-sqlite3 is synchronous: on the main thread a check of a large replica would hold every
 * screening for as long as it runs. In WAL mode the worker's read sees one committed state and does
 * not stop the replica's writer.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker, as a CommonJS script: it is handed the driver's resolved path, so it needs no module resolution of its own. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const rows = db.pragma('quick_check(' + workerData.maxProblems + ')');
  parentPort.postMessage({ problems: rows.map((r) => String(r.quick_check)).filter((m) => m !== 'ok') });
} catch (err) {
  parentPort.postMessage({ failed: { message: String(err && err.message), code: err && err.code } });
} finally {
  try { db && db.close(); } catch {}
}`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export interface QuickCheckResult {
  /** What SQLite found wrong, in its words (empty: the file is sound). */
  problems: string[];
  seconds: number;
}

/**
 * Checks `file`. A file SQLite cannot read as a database at all, or whose check stops on corruption,
 * comes back as a problem, not an exception; an exception means the check itself could not run (the
 * file is missing, the worker died).
 */
export function quickCheck(file: string, maxProblems = 20): Promise<QuickCheckResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, maxProblems } });
    let answered = false;
    worker.once('message', (m: { problems?: string[]; failed?: { message: string; code?: string } }) => {
      answered = true;
      const seconds = (Date.now() - started) / 1000;
      if (m.problems) return resolve({ problems: m.problems, seconds });
      const { message, code } = m.failed!;
      if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) return resolve({ problems: [message], seconds });
      reject(new Error(`could not check ${file}: ${message}`));
    });
    worker.once('error', (err) => {
      if (!answered) reject(new Error(`could not check ${file}: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`could not check ${file}: the checking thread stopped (${code})`));
    });
  });
}
