/**
 * Sends a replica's signed heads to its witness (`POST /v1/audit/heads` at the service it follows),
 * resumably: how far the witness has acknowledged — the witness's URL, the entry and the byte offset in
 * the heads file — is kept in `<data>/audit-heads.witnessed.json`, so after an offline period (or a
 * restart) the heads not yet acknowledged are sent, in order, in reports of at most 500. The witness
 * takes a head it already holds as a no-op, so a report lost after it was kept is simply sent again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicKeyInfo } from '../exchange/keys.js';
import { MAX_HEADS_PER_REPORT } from './auditRoutes.js';
import type { LocalHeads } from './headsFile.js';

export const ACK_FILE = 'audit-heads.witnessed.json';

interface Ack {
  witness: string;
  seq: number;
  offset: number;
}

export interface ShipperLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class AuditHeadShipper {
  private readonly ackFile: string;
  private readonly endpoint: string;
  private running: Promise<number> | null = null;
  /** The last refusal, so a witness that keeps refusing is logged once per reason, not every minute. */
  private lastRefusal: string | null = null;

  constructor(
    private readonly options: {
      dataDir: string;
      heads: LocalHeads;
      keys: () => PublicKeyInfo[];
      /** The base URL of the service followed (the witness). */
      witnessUrl: string;
      token?: string | undefined;
      log: ShipperLog;
      timeoutMs?: number;
    },
  ) {
    this.ackFile = join(options.dataDir, ACK_FILE);
    this.endpoint = options.witnessUrl.replace(/\/+$/, '') + '/v1/audit/heads';
  }

  private readAck(): Ack {
    const none = { witness: this.endpoint, seq: 0, offset: 0 };
    if (!existsSync(this.ackFile)) return none;
    try {
      const ack = JSON.parse(readFileSync(this.ackFile, 'utf8')) as Ack;
      // Another witness (the replica now follows someone else) holds none of the heads yet.
      return ack.witness === this.endpoint && Number.isInteger(ack.seq) && Number.isInteger(ack.offset) ? ack : none;
    } catch {
      return none;
    }
  }

  private writeAck(ack: Ack): void {
    const tmp = this.ackFile + '.tmp';
    writeFileSync(tmp, JSON.stringify(ack) + '\n');
    renameSync(tmp, this.ackFile);
  }

  /** Sends every head not yet acknowledged; resolves with how many were acknowledged (never rejects). */
  ship(timeoutMs = this.options.timeoutMs ?? 10_000): Promise<number> {
    this.running ??= this.shipOnce(timeoutMs).finally(() => (this.running = null));
    return this.running;
  }

  private async shipOnce(timeoutMs: number): Promise<number> {
    const { heads, log } = this.options;
    const ack = this.readAck();
    // Everything after the acknowledged offset, in the order written (a head signed after the trail
    // got shorter is sent too: the witness refuses it, and that refusal is the alarm).
    const read = heads.readFrom(ack.offset);
    let sent = 0;
    for (let i = 0; i < read.heads.length; i += MAX_HEADS_PER_REPORT) {
      const part = read.heads.slice(i, i + MAX_HEADS_PER_REPORT);
      let res: Response;
      try {
        res = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
          body: JSON.stringify({ keys: this.options.keys(), heads: part }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        log.warn({ witness: this.endpoint, err: (err as Error).message, pending: read.heads.length - sent }, 'audit heads not sent to the witness yet; retrying later');
        return sent;
      }
      if (!res.ok) {
        const reason = `${res.status} ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText}`;
        if (reason !== this.lastRefusal) {
          (res.status === 409 ? log.error : log.warn).call(log, { witness: this.endpoint, reason, firstSeq: part[0]!.seq }, 'the witness refused audit heads');
          this.lastRefusal = reason;
        }
        return sent;
      }
      await res.body?.cancel();
      this.lastRefusal = null;
      sent += part.length;
      this.writeAck({ witness: this.endpoint, seq: part[part.length - 1]!.seq, offset: read.ends[i + part.length - 1]! });
    }
    return sent;
  }
}
