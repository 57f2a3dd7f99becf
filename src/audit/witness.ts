/**
 * The witness: keeps the signed audit heads that replicas send it (the register for its border
 * replicas, a centre for its checkpoints), per sender, in `<data>/audit-witness.db`. A head kept here is
 * off the sender's machine: whoever rewrites or cuts the sender's trail — even with its audit key —
 * cannot change what the witness already holds, and `erx audit verify --witness` checks against it.
 *
 * Rules, all or nothing per report:
 *  - a sender is its token's subject; the heads must name it as their service;
 *  - its audit keys are pinned at its first report (trust on first use); later a new key is accepted
 *    only if a pinned key endorsed it (a rotation, exchange/keys.ts), never because the sender says so;
 *  - every head must be signed by a pinned key;
 *  - a head already held is a no-op (reports are retried after an offline period);
 *  - a head that contradicts one held (same entry, another hash) or goes back behind the newest held
 *    (the trail got shorter) is refused and recorded, once, as a conflict for auditors to see.
 */
import { keyIdOf, type PublicKeyInfo, TrustedKeys } from '../exchange/keys.js';
import { migrate, openDatabase, type Db } from '../shared/sqlite.js';
import { join } from 'node:path';
import { ErxError } from '../shared/errors.js';
import { headSignatureProblem, type SignedHead } from './signedHead.js';

const SCHEMA = [
  `CREATE TABLE senders (sub TEXT PRIMARY KEY, keys TEXT NOT NULL, pinned_at TEXT NOT NULL);
   CREATE TABLE heads (sub TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL,
     key_id TEXT NOT NULL, signature TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (sub, seq));
   CREATE TABLE conflicts (id INTEGER PRIMARY KEY, sub TEXT NOT NULL, head TEXT NOT NULL, reason TEXT NOT NULL, received_at TEXT NOT NULL);
   CREATE INDEX conflicts_by_sub ON conflicts(sub, id);
   CREATE UNIQUE INDEX conflicts_once ON conflicts(sub, head);`,
];

export const WITNESS_FILE = 'audit-witness.db';

/** Why a report was refused, with the HTTP status it deserves. */
export class WitnessRefusal extends ErxError {
  constructor(status: 400 | 403 | 409, message: string) {
    super(status, message);
  }
}

export interface WitnessedHeads {
  sub: string;
  keys: PublicKeyInfo[];
  pinnedAt: string;
  heads: SignedHead[];
  conflicts: { head: SignedHead; reason: string; receivedAt: string }[];
}

interface HeadRow {
  seq: number;
  hash: string;
  at: string;
  key_id: string;
  signature: string;
  received_at: string;
}

export class AuditWitness {
  private readonly db: Db;

  constructor(dataDir: string) {
    this.db = openDatabase(join(dataDir, WITNESS_FILE), { synchronous: 'FULL' });
    migrate(this.db, SCHEMA, 'audit witness');
  }

  private headOf(sub: string, r: HeadRow): SignedHead {
    return { service: sub, seq: r.seq, hash: r.hash, at: r.at, keyId: r.key_id, signature: r.signature };
  }

  /** Takes a report of `sub`'s heads (in increasing order); returns the newest head now held. */
  receive(sub: string, keys: PublicKeyInfo[], heads: SignedHead[]): { accepted: number; newest: SignedHead } {
    if (heads.length === 0) throw new WitnessRefusal(400, 'a report needs at least one head');
    for (const h of heads) {
      if (h.service !== sub) throw new WitnessRefusal(403, `a head names service "${h.service}", but the token is for "${sub}": a sender reports its own heads only`);
    }
    for (let i = 1; i < heads.length; i++) {
      if (heads[i]!.seq <= heads[i - 1]!.seq) throw new WitnessRefusal(400, `heads must be in increasing order of entry: ${heads[i]!.seq} follows ${heads[i - 1]!.seq}`);
    }
    for (const k of keys) {
      if (keyIdOf(Buffer.from(k.publicKey, 'base64')) !== k.keyId) throw new WitnessRefusal(400, `key ${k.keyId} is not the id of the public key given with it`);
    }
    const now = new Date().toISOString();
    const sender = this.db.prepare<[string], { keys: string }>('SELECT keys FROM senders WHERE sub = ?').get(sub);
    let trusted: TrustedKeys;
    let pin: PublicKeyInfo[] | null = null;
    if (!sender) {
      if (keys.length === 0) throw new WitnessRefusal(400, 'a first report must carry the sender\'s audit public keys, to pin them');
      trusted = new TrustedKeys(keys);
      pin = keys;
    } else {
      trusted = new TrustedKeys(JSON.parse(sender.keys) as PublicKeyInfo[]);
      if (trusted.learn(keys).length > 0) pin = trusted.list();
    }
    for (const h of heads) {
      const problem = headSignatureProblem(h, trusted);
      if (problem === null) continue;
      if (!trusted.has(h.keyId)) {
        throw new WitnessRefusal(409, `head at entry ${h.seq} is signed by audit key ${h.keyId}, which is not the key pinned for "${sub}" at its first report (nor endorsed by it)`);
      }
      throw new WitnessRefusal(400, `head at entry ${h.seq}: ${problem}`);
    }
    const held = this.db.prepare<[string, number], HeadRow>('SELECT * FROM heads WHERE sub = ? AND seq = ?');
    const newestRow = () => this.db.prepare<[string], HeadRow>('SELECT * FROM heads WHERE sub = ? ORDER BY seq DESC LIMIT 1').get(sub);
    const newestBefore = newestRow();
    const fresh: SignedHead[] = [];
    for (const h of heads) {
      const same = held.get(sub, h.seq);
      if (same) {
        if (same.hash === h.hash) continue;
        throw this.conflict(sub, h, now, `entry ${h.seq} has hash ${h.hash.slice(0, 16)}…, but the head witnessed at ${same.received_at} (signed ${same.at}) says ${same.hash.slice(0, 16)}…: the sender's trail was rewritten`);
      }
      if (newestBefore && h.seq < newestBefore.seq) {
        throw this.conflict(sub, h, now, `head at entry ${h.seq} goes back behind entry ${newestBefore.seq}, witnessed at ${newestBefore.received_at}: the sender's trail lost entries`);
      }
      fresh.push(h);
    }
    const insert = this.db.prepare('INSERT INTO heads VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      if (pin && !sender) this.db.prepare('INSERT INTO senders VALUES (?, ?, ?)').run(sub, JSON.stringify(pin), now);
      else if (pin) this.db.prepare('UPDATE senders SET keys = ? WHERE sub = ?').run(JSON.stringify(pin), sub);
      for (const h of fresh) insert.run(sub, h.seq, h.hash, h.at, h.keyId, h.signature, now);
    })();
    return { accepted: fresh.length, newest: this.headOf(sub, newestRow()!) };
  }

  private conflict(sub: string, head: SignedHead, at: string, reason: string): WitnessRefusal {
    this.db.prepare('INSERT OR IGNORE INTO conflicts (sub, head, reason, received_at) VALUES (?, ?, ?, ?)').run(sub, JSON.stringify(head), reason, at);
    return new WitnessRefusal(409, reason);
  }

  /** What the witness holds about `sub`: its pinned keys, heads after `after` (at most `limit`), and every conflict; null if it never reported. */
  about(sub: string, after = 0, limit = 10_000): WitnessedHeads | null {
    const sender = this.db.prepare<[string], { keys: string; pinned_at: string }>('SELECT keys, pinned_at FROM senders WHERE sub = ?').get(sub);
    if (!sender) return null;
    const heads = this.db.prepare<[string, number, number], HeadRow>('SELECT * FROM heads WHERE sub = ? AND seq > ? ORDER BY seq LIMIT ?').all(sub, after, limit);
    const conflicts = this.db.prepare<[string], { head: string; reason: string; received_at: string }>('SELECT head, reason, received_at FROM conflicts WHERE sub = ? ORDER BY id').all(sub);
    return {
      sub,
      keys: JSON.parse(sender.keys) as PublicKeyInfo[],
      pinnedAt: sender.pinned_at,
      heads: heads.map((r) => this.headOf(sub, r)),
      conflicts: conflicts.map((c) => ({ head: JSON.parse(c.head) as SignedHead, reason: c.reason, receivedAt: c.received_at })),
    };
  }

  /** The senders it holds heads of. */
  senders(): string[] {
    return this.db.prepare<[], { sub: string }>('SELECT sub FROM senders ORDER BY sub').all().map((r) => r.sub);
  }

  close(): void {
    this.db.close();
  }
}
