/**
 * Signs the end of a service's audit chain with its audit key and appends it to its local heads file:
 * at an interval, only when the chain moved, and once more when the service shuts down.
 *
 * Before signing, it checks that the previously signed head still holds (the entry at that number still
 * has that hash). If not, the trail was rewritten or cut under a running service: that is logged as an
 * error, and the new head is signed all the same — the heads signed before it, here and at the witness,
 * are what proves the rewrite, and a witness refuses a head that contradicts one it holds.
 */
import type { Signer } from '../exchange/keys.js';
import type { AuditChain } from './chainStorage.js';
import type { LocalHeads } from './headsFile.js';
import { type SignedHead, signHead } from './signedHead.js';

export interface HeadSignerLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class AuditHeadSigner {
  private running: Promise<SignedHead | null> = Promise.resolve(null);

  constructor(
    private readonly options: {
      service: string;
      chain: AuditChain;
      heads: LocalHeads;
      key: Signer;
      log: HeadSignerLog;
    },
  ) {}

  /** Signs the current head if it moved since the last one signed; one at a time. Returns the new head, or null. */
  sign(): Promise<SignedHead | null> {
    const next = this.running.catch(() => null).then(() => this.signOnce());
    this.running = next;
    return next;
  }

  private async signOnce(): Promise<SignedHead | null> {
    const { chain, heads, key, service, log } = this.options;
    const head = await chain.head();
    const last = heads.last();
    if (last && last.seq === head.seq && last.hash === head.hash) return null;
    if (head.seq === 0 && !last) return null;
    if (last) {
      const stored = await chain.hashAt(last.seq);
      if (stored === null) log.error({ signedSeq: last.seq, signedAt: last.at, chainEnd: head.seq }, 'audit trail is shorter than its last signed head: entries were removed');
      else if (stored !== last.hash) log.error({ signedSeq: last.seq, signedAt: last.at }, 'audit trail no longer agrees with its last signed head: entries were rewritten');
    }
    if (head.seq === 0) return null;
    const signed = signHead(key, service, head);
    heads.append(signed);
    return signed;
  }
}
