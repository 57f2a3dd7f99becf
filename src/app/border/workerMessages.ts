/** What a replica's primary and its workers tell each other over the cluster's IPC channel (workers.ts). */

/** The worker's number: 0 is the writer. */
export const WORKER_INDEX_ENV = 'ERX_WORKER_INDEX';
/** A reader's first knowledge of the writer's loopback address (later ones come as messages). */
export const WRITER_URL_ENV = 'ERX_WRITER_URL';

export type WorkerMessage =
  /** The writer's loopback address (null: it is restarting), from the writer, then to each reader. */
  | { type: 'erx:writer'; url: string | null }
  /** A worker listens on the shared socket; `line` is the service's `listening on …` line. */
  | { type: 'erx:listening'; line: string }
  /** A reader met damage in its reads: passed on to the writer. */
  | { type: 'erx:damage'; reason: string }
  /** A worker asks for the metrics summed over all workers (no text), and the primary answers. */
  | { type: 'erx:metrics'; id: number; text?: string; error?: string };
