/**
 * Who follows the register's exchange feed, as seen from the feed's side: each client's cursor, when
 * it was last heard from, whether it is waiting on a long-poll now, and when it last took a snapshot
 * or compared digests. In memory only (a restart forgets; replicas show up again on their next
 * request, within a long-poll). Fed by hooks on the feed routes, so the feed code itself is untouched.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/roles.js';
import { verifyToken } from '../auth/tokens.js';
import type { AuthGate } from '../auth/route.js';

export interface FollowerView {
  /** Token subject and address (`demo-border@127.0.0.1`); the address alone when auth is off. */
  client: string;
  role: string | null;
  address: string;
  /** `after` of its newest changes request: the replica holds every change up to here. */
  cursor: number;
  firstSeenAt: string;
  lastContactAt: string;
  /** A long-poll of this client is open right now (it is caught up and listening). */
  waiting: boolean;
  requests: number;
  lastStatus: number | null;
  lastSnapshotAt: string | null;
  lastDigestAt: string | null;
}

const CHANGES = '/v1/exchange/changes';
const SNAPSHOT = '/v1/exchange/snapshot';
const DIGEST = '/v1/exchange/digest';
const FEED_ROLES = new Set(['border', 'checkpoint', 'operator']);

interface Entry extends Omit<FollowerView, 'waiting'> {
  open: number;
}

export class FollowerRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Bounded, so a stream of distinct clients cannot grow memory without end. */
    private readonly maxClients = 500,
    private readonly forgetAfterMs = 24 * 3600_000,
  ) {}

  /** A feed request from an authenticated follower has started. */
  started(client: string, role: string | null, address: string, url: string, after: number | null, now = new Date()): void {
    let e = this.entries.get(client);
    if (!e) {
      this.evict();
      e = { client, role, address, cursor: 0, firstSeenAt: now.toISOString(), lastContactAt: now.toISOString(), open: 0, requests: 0, lastStatus: null, lastSnapshotAt: null, lastDigestAt: null };
      this.entries.set(client, e);
    }
    // Map order is recency order: re-inserting keeps the least recently heard-from first, for eviction.
    this.entries.delete(client);
    this.entries.set(client, e);
    e.lastContactAt = now.toISOString();
    e.requests++;
    if (url === CHANGES) {
      if (after !== null) e.cursor = after;
      e.open++;
    } else if (url === SNAPSHOT) e.lastSnapshotAt = now.toISOString();
    else if (url === DIGEST) e.lastDigestAt = now.toISOString();
  }

  /** The request has been answered (or the client went away). */
  ended(client: string, url: string, status: number, now = new Date()): void {
    const e = this.entries.get(client);
    if (!e) return;
    if (url === CHANGES) e.open = Math.max(0, e.open - 1);
    e.lastContactAt = now.toISOString();
    e.lastStatus = status;
  }

  list(now = new Date()): FollowerView[] {
    const cutoff = now.getTime() - this.forgetAfterMs;
    const out: FollowerView[] = [];
    for (const [client, e] of this.entries) {
      if (Date.parse(e.lastContactAt) < cutoff && e.open === 0) {
        this.entries.delete(client);
        continue;
      }
      const { open, ...view } = e;
      out.push({ ...view, waiting: open > 0 });
    }
    return out.sort((a, b) => b.lastContactAt.localeCompare(a.lastContactAt));
  }

  private evict(): void {
    while (this.entries.size >= this.maxClients) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}

/**
 * Watches the feed routes. The token is verified here too (cheap: HS256), so that a request with a
 * forged subject can never write a row; requests the feed will refuse (bad token, wrong role) are not
 * recorded.
 */
export function watchFeed(app: FastifyInstance, gate: AuthGate, registry: FollowerRegistry): void {
  const watched = new Set([CHANGES, SNAPSHOT, DIGEST]);
  const clients = new WeakMap<FastifyRequest, string>();
  app.addHook('preHandler', async (req) => {
    const url = req.routeOptions.url ?? '';
    if (req.method !== 'GET' || !watched.has(url)) return;
    let principal: Principal | null = null;
    if (gate.secret !== null) {
      const header = req.headers.authorization ?? '';
      if (!/^Bearer\s+\S+$/i.test(header)) return;
      principal = await verifyToken(gate.secret, header.replace(/^Bearer\s+/i, '')).catch(() => null);
      if (!principal || !FEED_ROLES.has(principal.role)) return;
    }
    const client = principal ? `${principal.sub}@${req.ip}` : req.ip;
    const raw = (req.query as Record<string, unknown> | undefined)?.after;
    const after = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
    registry.started(client, principal?.role ?? null, req.ip, url, after);
    clients.set(req, client);
  });
  // Whichever comes first ends the request once: the answer, or the client going away mid-long-poll.
  const end = (req: FastifyRequest, status: number) => {
    const client = clients.get(req);
    if (!client) return;
    clients.delete(req);
    registry.ended(client, req.routeOptions.url ?? '', status);
  };
  app.addHook('onResponse', async (req, reply) => end(req, reply.statusCode));
  app.addHook('onRequestAbort', async (req) => end(req, 499));
}
