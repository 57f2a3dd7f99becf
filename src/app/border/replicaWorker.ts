/**
 * One worker of a replica started with `--workers N` (workers.ts): worker 0 builds the whole replica
 * (createBorderReplica: the writer) and publishes its sync view through the store; the others build a
 * reader (createReaderWorker). Each listens on the shared socket, marks its answers with its number
 * (`x-erx-worker`), asks the primary for the metrics of all workers, and stops when told to or when
 * its primary is gone.
 */
import { AggregatorRegistry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../shared/log.js';
import { listeningLine } from '../../shared/http.js';
import type { ServiceMetrics } from '../../shared/metrics.js';
import type { BorderOptions } from './borderOptions.js';
import { createBorderReplica } from './createBorderReplica.js';
import { createReaderWorker } from './createReaderWorker.js';
import { publishSyncView } from './syncStatus.js';
import { type WorkerMessage, WORKER_INDEX_ENV, WRITER_URL_ENV } from './workerMessages.js';
import { listenForWorkers } from './writerLink.js';

/** The response header that names the worker that answered. */
export const WORKER_HEADER = 'x-erx-worker';
const METRICS_TIMEOUT_MS = 10_000;
/** How long a reader that met damage keeps answering (refer) before it restarts on the rebuilt state. */
const RESTART_AFTER_DAMAGE_MS = 1_000;

export interface WorkerListen {
  port: number;
  host: string;
}

/** This process's worker number, or null when it is not a replica's worker. */
export function workerIndex(): number | null {
  const value = process.env[WORKER_INDEX_ENV];
  return value === undefined ? null : Number(value);
}

export async function runReplicaWorker(options: BorderOptions, at: WorkerListen): Promise<void> {
  const index = workerIndex() ?? 0;
  const log = createLogger('border');
  const send = (message: WorkerMessage) => {
    if (process.connected) process.send?.(message);
  };
  let close: () => Promise<void> = async () => undefined;
  let stopping: Promise<void> | null = null;
  const stop = (code: number) => {
    stopping ??= close()
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'error while stopping a worker'))
      .finally(() => process.exit(code));
  };
  // W3: told to stop: close as a single replica does. Left alone (the primary is gone, even killed with
  // -9): exit at once, like the primary — a replica started again on the same files must never meet a
  // writer still closing (every answer given was audited first, and SQLite's WAL keeps what committed).
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  process.once('disconnect', () => process.exit(1));

  const pendingMetrics = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();
  let nextMetrics = 0;
  const askForMetrics = () =>
    new Promise<string>((resolve, reject) => {
      const id = ++nextMetrics;
      const timer = setTimeout(() => {
        pendingMetrics.delete(id);
        reject(new Error('the metrics of the other workers did not come'));
      }, METRICS_TIMEOUT_MS);
      pendingMetrics.set(id, { resolve: (t) => (clearTimeout(timer), resolve(t)), reject: (e) => (clearTimeout(timer), reject(e)) });
      send({ type: 'erx:metrics', id });
    });
  const wireMetrics = (metrics: ServiceMetrics) => {
    AggregatorRegistry.setRegistries([metrics.registry]);
    new AggregatorRegistry(); // installs prom-client's answer to the primary's requests in this worker
    metrics.exposition = askForMetrics;
  };
  const markAnswers = (app: FastifyInstance) =>
    app.addHook('onSend', async (_req, reply) => {
      reply.header(WORKER_HEADER, String(index));
    });

  let writerUrl = process.env[WRITER_URL_ENV] ?? null;
  const handlers: Array<(message: WorkerMessage) => void> = [
    (message) => {
      if (message.type !== 'erx:metrics') return;
      const pending = pendingMetrics.get(message.id);
      pendingMetrics.delete(message.id);
      if (message.text !== undefined) pending?.resolve(message.text);
      else pending?.reject(new Error(message.error ?? 'no metrics'));
    },
  ];
  process.on('message', (message: WorkerMessage) => handlers.forEach((h) => h(message)));

  if (index === 0) {
    const replica = await createBorderReplica(options);
    markAnswers(replica.app);
    wireMetrics(replica.metrics);
    const link = await listenForWorkers(replica.app);
    const publisher = publishSyncView(replica.store, replica.sync, log);
    handlers.push((message) => {
      if (message.type === 'erx:damage') replica.health.markDamaged(message.reason);
    });
    close = async () => {
      publisher.stop();
      await link.close();
      await replica.close();
    };
    await replica.app.listen(at);
    send({ type: 'erx:writer', url: link.url });
    send({ type: 'erx:listening', line: listeningLine(replica.app) });
    replica.follower.start();
    return;
  }

  handlers.push((message) => {
    if (message.type === 'erx:writer') writerUrl = message.url;
  });
  const reader = await createReaderWorker(options, {
    writerUrl: () => writerUrl,
    onDamage: (reason) => {
      send({ type: 'erx:damage', reason });
      setTimeout(() => stop(3), RESTART_AFTER_DAMAGE_MS);
    },
  });
  markAnswers(reader.app);
  wireMetrics(reader.metrics);
  close = () => reader.close();
  await reader.app.listen(at);
  send({ type: 'erx:listening', line: listeningLine(reader.app) });
}
