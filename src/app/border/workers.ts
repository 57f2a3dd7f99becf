/**
 * `erx border serve --workers N`: a replica that uses every core. The primary process only keeps the
 * workers: it answers no request and opens no database. Worker 0 is the writer — the one process that
 * runs the follower (bootstrap, images, repair and rebuild, the onward feed, the audit heads, the
 * health checks) — and workers 1…N-1 are readers (createReaderWorker.ts); all of them answer HTTP on
 * the one listening socket (Node's cluster hands each connection to a worker in turn) and screen
 * against the same database, the store being the shared truth between them (syncView.ts).
 *
 *  W1  The writer starts first (it migrates the database and owns the files); the readers start once it
 *      listens, and the service's `listening on …` line is printed once all N do.
 *  W2  A worker that dies is started again (after a pause that grows while it keeps dying); the readers
 *      learn the new writer's loopback address. A worker that dies
 *      before it ever listened is a start-up failure (a bad option, a database it cannot open): the others
 *      are stopped and the primary exits with its code.
 *  W3  SIGTERM or SIGINT reaches every worker, each closes as a single replica does (the writer signs
 *      its final audit head), and the primary exits when all have. Workers whose primary is gone (even
 *      killed with -9) lose their IPC channel and stop: no orphans.
 *  W4  GET /metrics at any worker answers the sum over all workers (prom-client's AggregatorRegistry,
 *      run here); the gauges of the state and sync are the writer's alone, so each counts once.
 *  W5  Damage a reader meets in its reads is passed to the writer, which checks and rebuilds; the
 *      reader restarts, to open the rebuilt state afresh.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { type WorkerMessage, WORKER_INDEX_ENV, WRITER_URL_ENV } from './workerMessages.js';

export interface PrimaryOptions {
  workers: number;
  /** Where the service's one `listening on …` line goes (stdout). */
  out: (line: string) => void;
  /** Where the primary says what happened to a worker (stderr). */
  warn: (line: string) => void;
}

const FIRST_RESTART_MS = 200;
const MAX_RESTART_MS = 10_000;
/** A worker that lived this long before dying is restarted after the first pause again. */
const STEADY_MS = 10_000;
const STOP_GRACE_MS = 30_000;

export async function runReplicaPrimary(options: PrimaryOptions): Promise<void> {
  const { workers: count, out, warn } = options;
  const aggregator = new AggregatorRegistry();
  const byIndex = new Map<number, { worker: Worker; startedAt: number }>();
  const pauses = new Map<number, number>();
  let writerUrl: string | null = null;
  /** The workers that have listened at least once: one that dies before it ever did could not start. */
  const listened = new Set<number>();
  let started = false;
  let stopping = false;

  const send = (worker: Worker, message: WorkerMessage) => {
    if (worker.isConnected()) worker.send(message);
  };
  const readers = () => [...byIndex.entries()].filter(([i]) => i !== 0).map(([, w]) => w.worker);

  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index), ...(index !== 0 && writerUrl ? { [WRITER_URL_ENV]: writerUrl } : {}) });
    byIndex.set(index, { worker, startedAt: Date.now() });
    worker.on('message', (message: WorkerMessage) => onMessage(index, worker, message));
  };

  const onMessage = (index: number, worker: Worker, message: WorkerMessage) => {
    switch (message.type) {
      case 'erx:writer':
        writerUrl = message.url;
        for (const reader of readers()) send(reader, { type: 'erx:writer', url: writerUrl });
        if (!started && byIndex.size === 1) for (let i = 1; i < count; i++) fork(i);
        break;
      case 'erx:listening':
        listened.add(index);
        if (started) break;
        if (listened.size === count) {
          started = true;
          out(message.line);
        }
        break;
      case 'erx:damage': {
        const writer = byIndex.get(0)?.worker;
        if (writer && index !== 0) send(writer, message);
        break;
      }
      case 'erx:metrics':
        aggregator.clusterMetrics().then(
          (text) => send(worker, { type: 'erx:metrics', id: message.id, text }),
          (err: Error) => send(worker, { type: 'erx:metrics', id: message.id, error: err.message }),
        );
        break;
    }
  };

  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    const alive = [...byIndex.values()].map((w) => w.worker).filter((w) => !w.isDead());
    if (alive.length === 0) process.exit(code);
    let left = alive.length;
    for (const w of alive) {
      w.once('exit', () => {
        if (--left === 0) process.exit(code);
      });
      w.process.kill('SIGTERM');
    }
    setTimeout(() => {
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
    }, STOP_GRACE_MS).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    const entry = [...byIndex.entries()].find(([, w]) => w.worker === worker);
    if (!entry || stopping) return;
    const [index, { startedAt }] = entry;
    if (!started && !listened.has(index)) {
      warn(`erx: worker ${index} exited (${code ?? signal}) before it could listen; stopping`);
      stopAll(code || 1);
      return;
    }
    if (index === 0) {
      writerUrl = null;
      for (const reader of readers()) send(reader, { type: 'erx:writer', url: null });
    }
    const lived = Date.now() - startedAt;
    const pause = lived >= STEADY_MS ? FIRST_RESTART_MS : Math.min(MAX_RESTART_MS, (pauses.get(index) ?? FIRST_RESTART_MS / 2) * 2);
    pauses.set(index, pause);
    warn(`erx: worker ${index} (pid ${worker.process.pid}) exited (${code ?? signal}); starting it again in ${pause} ms`);
    setTimeout(() => {
      if (!stopping) fork(index);
    }, pause);
  });

  process.once('SIGTERM', () => stopAll(0));
  process.once('SIGINT', () => stopAll(0));
  fork(0);
}
