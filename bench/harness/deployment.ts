/**
 * What a benchmark row runs on: a *store* (where the register and the replicas keep their data) and a
 * *transport* (how changes travel from the register to the replicas): `sqlite` and `postgres`
 * (bench/harness/postgresStore.ts); `http` and `nats` (JetStream). Another is added by implementing one
 * of these interfaces and listing it in STORES / TRANSPORTS; every section it affects
 * (Transport.sections) then measures it as extra rows, beside the same baselines.
 *
 * Contracts the sections rely on:
 *  - `Store.buildRegister` loads persons through the register's own operations (RegisterService, the
 *    same code path as `erx register import --data`), so the change log and its signed batches are real;
 *    it runs in the bench process before any register process is started on that directory.
 *  - `Store.emptyReplica` leaves a replica data directory in the state of a replica that bootstrapped
 *    from an empty register (cursor 0), so a replica started on it *applies* the whole change log.
 *  - `Transport.connect` is called with a running register and returns what a replica needs to follow
 *    it, plus the transport's own floor (a bare subscriber), so lag is always shown beside it.
 *  - A store that keeps data outside the directories it is given (a database schema per directory)
 *    drops it when the directory is removed (`Store.dirRemoved`, via Resources), and whatever is left
 *    when the bench ends, except what belongs to a directory that stays (a `--register-cache` entry).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { connect } from 'nats';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { generatePersons } from '../../src/demo/synthetic.js';
import type { ChangeBatch } from '../../src/exchange/protocol.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { openRegisterStore } from '../../src/app/registerServer.js';
import { personSchema, type PersonInput } from '../../src/register/schemas.js';
import { openDatabase } from '../../src/shared/sqlite.js';
import { SqliteReplicaStore, stateCacheKiB } from '../../src/store/sqlite/replicaStore.js';
import { encodeDeferments, encodeDocuments, encodeName } from '../../src/store/rows.js';
import { parseBusUrl } from '../../src/transport/nats/busConfig.js';
import { postgresStore } from './postgresStore.js';
import type { Companion, Resources, Service } from './processes.js';
import { applyAll, indexEntries, loadPersons, rawBatchOf, type ReplicaRowShape } from './registerData.js';

export interface BuiltRegister {
  dir: string;
  persons: number;
  /** Changes in the log (= the head sequence number). */
  changes: number;
  /** Border-view records a snapshot carries (persons + restrictions in force or lifted). */
  records: number;
  seconds: number;
}

/** Persons of the synthetic register (src/demo/synthetic.ts), as the import validates them. */
export function* syntheticInputs(count: number, seed: number, startIndex = 0): Generator<PersonInput> {
  for (const p of generatePersons({ count, seed, startIndex })) {
    const parsed = personSchema.safeParse(p);
    if (parsed.success) yield parsed.data;
  }
}

/** One register transaction's worth of replica rows, as the apply baseline inserts them. */
export interface RawBatch {
  persons: unknown[][];
  restrictions: unknown[][];
  documents: unknown[][];
  nameKeys: unknown[][];
}

export interface RawInsertResult {
  /** Change rows inserted (persons and restrictions). */
  rows: number;
  /** Index entries written in all (table rows and secondary-index entries). */
  entries: number;
  seconds: number;
}

export interface Store extends Companion {
  readonly name: string;
  /** Why this store cannot run here (its server is unreachable), or null. */
  unavailable?(): Promise<string | null>;
  /** Loads `persons` into a new register at `dir` in batches of `batchSize` per transaction. */
  buildRegister(dir: string, persons: Iterable<PersonInput>, batchSize: number, onProgress?: (persons: number) => void): Promise<BuiltRegister>;
  /** The register's change log as raw replica rows, one element per register batch (for the baseline). */
  rawBatches(register: BuiltRegister): AsyncIterable<RawBatch>;
  /**
   * The limit: inserts the batches into bare tables of the replica's shape, with the replica's pragmas,
   * one transaction per batch; `withIndexRows` adds the document and name-key rows (precomputed) too.
   * Returns the seconds spent inside the transactions only.
   */
  rawInsert(dir: string, batches: AsyncIterable<RawBatch>, withIndexRows: boolean): Promise<RawInsertResult>;
  /** The erx replica store applying the register's own signed batches in-process (no transport, no signature check). */
  applyInProcess(register: BuiltRegister, replicaDir: string, pageSize: number): Promise<{ changes: number; seconds: number }>;
  emptyReplica(dir: string): Promise<void>;
  /**
   * What a replica process has committed, read from its store by the bench without asking the process
   * (a status request costs the replica CPU — today two full-table counts — and would slow what is
   * measured). Undefined until there is a state at all.
   */
  replicaProgress(dir: string): Promise<ReplicaProgress | undefined>;
  /**
   * The audit's own floor: screening-sized rows into a table of the replica audit's shape, one per
   * transaction, sequentially, for `seconds`, with the audit's durability settings — what a screening
   * pays before it is answered when nothing shares its commit. Returns rows per second.
   */
  auditFloor(dir: string, answer: string, seconds: number): Promise<number>;
  /** How this store's measurements are set up, for the report's text. */
  readonly describe: {
    /** The bare tables and settings of the apply baseline. */
    rawInsert: string;
    /** How a screening's audit entry is made durable. */
    audit: string;
    /** What a replica's RSS leaves out, if anything. */
    memory?: string;
  };
  registerArgs(dir: string): string[];
  replicaArgs(dir: string): string[];
  /** How many replica processes can run at once against this store, and why (absent: no limit of the store's). */
  replicaLimit?(): Promise<{ max: number; why: string }>;
}

export interface ReplicaProgress {
  cursor: number | null;
  dataAsOf: string | null;
}

export interface Feed {
  /** Arguments that point `erx border serve` at this feed. */
  replicaArgs: string[];
  /**
   * The transport's floor for lag: a bare subscriber that asks for the changes after `after` and
   * resolves (with the time it got them, performance.now()) once they arrive. No verification, no apply.
   */
  bareWait(after: number, signal: AbortSignal): Promise<number>;
  /** Reads a whole snapshot and throws it away: the floor of a bootstrap. Returns the records read. */
  readSnapshot(): Promise<number>;
  close(): Promise<void>;
}

export interface Transport {
  readonly name: string;
  /**
   * The sections this transport changes; the others (snapshots, screening, memory) run the same way
   * whatever carries the changes, and are measured once, with HTTP. Absent: every section.
   */
  readonly sections?: readonly string[];
  /** Why this transport cannot run here (its server is unreachable), or null. */
  unavailable?(): Promise<string | null>;
  /** Extra `erx register serve` arguments for a register of its own, `id` unique to it (e.g. a stream per register). */
  registerArgs?(id: string): string[];
  /** `token`: a bearer token the register accepts from a follower (undefined when auth is off). */
  connect(resources: Resources, register: Service, token: string | undefined, id: string): Promise<Feed>;
}

// ---------------------------------------------------------------------------------------------
// SQLite

const PERSON_COLUMNS = '(person_id TEXT PRIMARY KEY, surname TEXT NOT NULL, given_names TEXT NOT NULL, patronymic TEXT, date_of_birth TEXT NOT NULL, documents TEXT NOT NULL, deferments TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID';
const RESTRICTION_COLUMNS = '(restriction_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, kind TEXT NOT NULL, basis TEXT NOT NULL, office TEXT NOT NULL, in_force_from TEXT NOT NULL, lifted_at TEXT, lift_reason TEXT, seq INTEGER NOT NULL) WITHOUT ROWID';

/** The rows SqliteReplicaStore writes (src/store/rows.ts: compact names and documents). */
const SQLITE_ROWS: ReplicaRowShape = {
  person: (p, seq) => [p.personId, encodeName(p.surname), encodeName(p.givenNames), p.patronymic === undefined ? null : encodeName(p.patronymic), p.dateOfBirth, encodeDocuments(p.documents), encodeDeferments(p.deferments), seq],
  restriction: (r, seq) => [r.restrictionId, r.personId, r.kind, r.basis, r.office, r.inForceFrom, r.liftedAt ?? null, r.liftReason ?? null, seq],
};

export const sqliteStore: Store = {
  name: 'sqlite',
  describe: {
    rawInsert: 'same columns and primary keys, `WITHOUT ROWID`, WAL, `synchronous=NORMAL`',
    audit: 'SQLite, WAL, `synchronous=NORMAL`',
  },

  async buildRegister(dir, persons, batchSize, onProgress) {
    const started = performance.now();
    const store = openRegisterStore(dir);
    try {
      const loaded = await loadPersons(store, persons, batchSize, onProgress);
      const changes = await store.headSeq();
      const seconds = (performance.now() - started) / 1000;
      await store.close();
      const db = new Database(join(dir, 'register.db'), { readonly: true });
      const { n } = db
        .prepare('SELECT (SELECT count(*) FROM persons) + (SELECT count(*) FROM restrictions WHERE served_at IS NOT NULL) AS n')
        .get() as { n: number };
      db.close();
      return { dir, persons: loaded, changes, records: n, seconds };
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  },

  async *rawBatches(register) {
    const db = new Database(join(register.dir, 'register.db'), { readonly: true });
    try {
      const batches = db.prepare('SELECT first_seq, last_seq FROM batches ORDER BY last_seq').all() as { first_seq: number; last_seq: number }[];
      const changes = db.prepare<[number, number], { seq: number; entity: string; body: string | null }>(
        'SELECT seq, entity, body FROM changes WHERE seq BETWEEN ? AND ? ORDER BY seq',
      );
      for (const b of batches) yield rawBatchOf(changes.iterate(b.first_seq, b.last_seq), SQLITE_ROWS);
    } finally {
      db.close();
    }
  },

  async rawInsert(dir, batches, withIndexRows) {
    // The replica's pragmas: WAL, synchronous=NORMAL, its page cache.
    const db = openDatabase(join(dir, 'raw.db'), { synchronous: 'NORMAL', cacheKiB: stateCacheKiB(0) }); // as a replica opened empty
    db.exec(`CREATE TABLE persons ${PERSON_COLUMNS}; CREATE TABLE restrictions ${RESTRICTION_COLUMNS};`);
    if (withIndexRows) {
      // The replica's index tables (src/store/sqlite/replicaStore.ts): no by-person index on documents or name keys.
      db.exec(`CREATE TABLE documents (number TEXT NOT NULL, country TEXT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (number, country, person_id)) WITHOUT ROWID;
        CREATE TABLE name_keys (key TEXT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (key, person_id)) WITHOUT ROWID;
        CREATE INDEX restrictions_by_person ON restrictions(person_id);`);
    }
    const person = db.prepare('INSERT OR REPLACE INTO persons VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const restriction = db.prepare('INSERT OR REPLACE INTO restrictions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const document = withIndexRows ? db.prepare('INSERT OR IGNORE INTO documents VALUES (?, ?, ?)') : null;
    const nameKey = withIndexRows ? db.prepare('INSERT OR IGNORE INTO name_keys VALUES (?, ?)') : null;
    const insert = db.transaction((b: RawBatch) => {
      for (const r of b.persons) person.run(r);
      for (const r of b.restrictions) restriction.run(r);
      if (document && nameKey) {
        for (const r of b.documents) document.run(r);
        for (const r of b.nameKeys) nameKey.run(r);
      }
    });
    let rows = 0;
    let entries = 0;
    let ms = 0;
    for await (const b of batches) {
      const t0 = performance.now();
      insert(b);
      ms += performance.now() - t0;
      rows += b.persons.length + b.restrictions.length;
      entries += indexEntries(b, withIndexRows);
      await turn();
    }
    db.close();
    return { rows, entries, seconds: ms / 1000 };
  },

  async applyInProcess(register, replicaDir, pageSize) {
    await this.emptyReplica(replicaDir);
    return applyAll(openRegisterStore(register.dir), new SqliteReplicaStore({ dataDir: replicaDir, matcher: defaultMatcher }), pageSize);
  },

  async emptyReplica(dir) {
    const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
    const writer = await store.beginBootstrap();
    await writer.finish(0, new Date().toISOString(), '');
    await store.close();
  },

  async replicaProgress(dir) {
    const file = join(dir, 'state.db');
    if (!existsSync(file)) return undefined;
    // A new connection each time: a bootstrap renames a new file over state.db.
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const rows = db.prepare("SELECT key, value FROM meta WHERE key IN ('cursor', 'dataAsOf')").all() as { key: string; value: string }[];
      const meta = new Map(rows.map((r) => [r.key, r.value]));
      return { cursor: meta.has('cursor') ? Number(meta.get('cursor')) : null, dataAsOf: meta.get('dataAsOf') ?? null };
    } catch {
      return undefined; // being created or swapped right now
    } finally {
      db?.close();
    }
  },

  async auditFloor(dir, answer, seconds) {
    const db = openDatabase(join(dir, 'audit.db'), { synchronous: 'NORMAL' });
    try {
      db.exec('CREATE TABLE screenings (screening_id TEXT PRIMARY KEY, at TEXT NOT NULL, requester TEXT NOT NULL, request TEXT NOT NULL, decision TEXT NOT NULL, reasons TEXT NOT NULL, replica_seq INTEGER NOT NULL)');
      const insert = db.prepare('INSERT INTO screenings VALUES (?, ?, ?, ?, ?, ?, ?)');
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < seconds * 1000) insert.run(crypto.randomUUID(), new Date().toISOString(), 'bench@127.0.0.1', '{"surname":"IVANOV"}', 'clear', answer, n++);
      return n / ((performance.now() - t0) / 1000);
    } finally {
      db.close();
    }
  },

  registerArgs: (dir) => ['--data', dir],
  replicaArgs: (dir) => ['--data', dir],
};

// ---------------------------------------------------------------------------------------------
// HTTP

export const httpTransport: Transport = {
  name: 'http',
  async connect(_resources, register, token) {
    const base = register.url.replace(/\/+$/, '');
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    return {
      replicaArgs: ['--register', base, ...(token ? ['--token', token] : [])],
      async bareWait(after, signal) {
        const res = await fetch(`${base}/v1/exchange/changes?after=${after}&limit=1000&wait=30000`, { signal, headers });
        if (!res.ok) throw new Error(`long-poll answered ${res.status}: ${await res.text()}`);
        const page = (await res.json()) as ChangeBatch;
        const at = performance.now();
        if (page.batches.length === 0) throw new Error(`long-poll after ${after} came back empty`);
        return at;
      },
      async readSnapshot() {
        const res = await fetch(`${base}/v1/exchange/snapshot`, { headers });
        if (!res.ok || !res.body) throw new Error(`snapshot answered ${res.status}`);
        let lines = 0;
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
        }
        return lines - 2; // header and trailer
      },
      close: async () => undefined,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// NATS JetStream: the register publishes its signed batches to a stream (`--bus`), replicas follow the
// stream (`--bus` too); snapshots and keys still come over HTTP. One stream per register, deleted after.

/** The NATS server the bench uses: ERX_BENCH_NATS, or the local default. */
export const BENCH_NATS = process.env.ERX_BENCH_NATS ?? 'nats://127.0.0.1:4222';

const busUrl = (id: string) => `${BENCH_NATS.replace(/\?.*$/, '')}?stream=BENCH_${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export const natsTransport: Transport = {
  name: 'nats',
  // Only changes travel over the stream: apply from an empty replica would come over HTTP anyway (a new
  // stream starts at the register's head), and bootstrap, screening and memory do not involve it.
  sections: ['lag', 'relief'],

  async unavailable() {
    const [server] = parseBusUrl(BENCH_NATS).servers;
    const [host, port] = server!.split(':');
    return new Promise((resolve) => {
      const socket = createConnection({ host: host!, port: Number(port) });
      const timer = setTimeout(() => (socket.destroy(), resolve(`no answer from NATS at ${server} within 2 s`)), 2000);
      socket.once('connect', () => (clearTimeout(timer), socket.end(), resolve(null)));
      socket.once('error', (err) => (clearTimeout(timer), resolve(`NATS at ${server} is unreachable (${err.message})`)));
    });
  },

  registerArgs: (id) => ['--bus', busUrl(id)],

  async connect(resources, register, token, id) {
    const http = await httpTransport.connect(resources, register, token, id);
    const bus = parseBusUrl(busUrl(id));
    const nc = await connect({ servers: bus.servers, name: 'erx-bench-bare-subscriber' });
    const jsm = await nc.jetstreamManager();
    // The register creates the stream when its publisher connects; wait for it.
    const deadline = Date.now() + 30_000;
    while (!(await jsm.streams.info(bus.stream).then(() => true, () => false))) {
      if (Date.now() > deadline) throw new Error(`the register did not create JetStream stream ${bus.stream} within 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The floor: one ordered consumer, open all along like a replica's, noting when each batch arrives.
    const info = await jsm.streams.info(bus.stream);
    const consumer = await nc.jetstream().consumers.get(bus.stream, { opt_start_seq: info.state.last_seq + 1 });
    const messages = await consumer.consume({ max_messages: 256 });
    const arrivals: { lastSeq: number; at: number }[] = [];
    const waiters = new Set<() => void>();
    void (async () => {
      for await (const m of messages) {
        const at = performance.now();
        arrivals.push({ lastSeq: Number(m.headers?.get('Erx-Last-Seq')), at });
        if (arrivals.length > 10_000) arrivals.splice(0, 5_000);
        for (const w of [...waiters]) w();
      }
    })().catch(() => undefined);
    return {
      replicaArgs: [...http.replicaArgs, '--bus', busUrl(id)],
      async bareWait(after, signal) {
        for (;;) {
          const hit = arrivals.find((a) => a.lastSeq > after);
          if (hit) return hit.at;
          if (signal.aborted) throw new Error(`no batch after ${after} reached the bare JetStream subscriber`);
          await new Promise<void>((resolve) => {
            const done = () => {
              waiters.delete(done);
              signal.removeEventListener('abort', done);
              resolve();
            };
            waiters.add(done);
            signal.addEventListener('abort', done, { once: true });
          });
        }
      },
      readSnapshot: () => http.readSnapshot(),
      async close() {
        await messages.close().catch(() => undefined);
        await jsm.streams.delete(bus.stream).catch(() => undefined);
        await nc.close();
        await http.close();
      },
    };
  },
};

export const STORES: Record<string, Store> = { sqlite: sqliteStore, postgres: postgresStore };
export const TRANSPORTS: Record<string, Transport> = { http: httpTransport, nats: natsTransport };

/**
 * The deployments that can run here. A store or transport whose server is unreachable is left out with
 * the reason printed — except in CI (CI=true), where that is an error, as for the tests.
 */
export async function usableDeployments(stores: string[], transports: string[], log: (line: string) => void): Promise<Deployment[]> {
  const out: Deployment[] = [];
  const reasons = new Map<string, Promise<string | null>>();
  const reasonFor = (kind: string, part: Store | Transport) => {
    const key = `${kind} ${part.name}`;
    if (!reasons.has(key)) reasons.set(key, part.unavailable?.().then((r) => (r ? `${key}: ${r}` : null)) ?? Promise.resolve(null));
    return reasons.get(key)!;
  };
  for (const dep of deployments(stores, transports)) {
    const reason = (await reasonFor('store', dep.store)) ?? (await reasonFor('transport', dep.transport));
    if (!reason) out.push(dep);
    else if (process.env.CI === 'true') throw new Error(`${dep.label} must run in CI (CI=true), but ${reason}`);
    else log(`skipping ${dep.label}: ${reason}`);
  }
  return out;
}

export interface Deployment {
  store: Store;
  transport: Transport;
  /** "sqlite / http" */
  label: string;
}

export function deployments(stores: string[], transports: string[]): Deployment[] {
  const out: Deployment[] = [];
  for (const s of stores) {
    const store = STORES[s];
    if (!store) throw new Error(`unknown store "${s}" (known: ${Object.keys(STORES).join(', ')})`);
    for (const t of transports) {
      const transport = TRANSPORTS[t];
      if (!transport) throw new Error(`unknown transport "${t}" (known: ${Object.keys(TRANSPORTS).join(', ')})`);
      out.push({ store, transport, label: `${s} / ${t}` });
    }
  }
  return out;
}

