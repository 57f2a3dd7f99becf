/**
 * A running service's signed audit heads, put together in one place so the register and the border
 * server each start them with one call: the audit key (audit-keys.json), the chain read through a
 * connection of its own, the signer on a timer (and once more at shutdown), the local heads file, and —
 * for a replica — the shipper that sends the heads to the witness it follows.
 */
import { decodeJwt } from 'jose';
import { openAuditKeys } from '../audit/auditKeys.js';
import type { OwnHeads } from '../audit/auditRoutes.js';
import { openAuditChain } from '../store/openAuditChain.js';
import { type AuditService } from '../audit/chainStorage.js';
import { AuditHeadShipper } from '../audit/headShipper.js';
import { AuditHeadSigner } from '../audit/headSigner.js';
import { LocalHeads } from '../audit/headsFile.js';

export const DEFAULT_AUDIT_HEAD_EVERY_SECONDS = 60;

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditHeadsOptions {
  dataDir: string;
  /** A postgres:// URL when the service's database (and so its trail) is in PostgreSQL. */
  store?: string | undefined;
  service: AuditService;
  /** The name signed into every head: `register`, or the replica's name at its witness. */
  name: string;
  /** How often to sign the head when it moved (ms). */
  everyMs: number;
  /** A replica's witness: the service it follows, and the token it follows it with. */
  witness?: { url: string; token?: string | undefined };
  log: Log;
}

export interface AuditHeads {
  own: OwnHeads;
  /** Signs the head now (if it moved) and sends what the witness has not acknowledged. */
  tick(): Promise<void>;
  /** Stops the timer, signs the final head, makes one short attempt to send it. */
  close(): Promise<void>;
}

/**
 * A replica's name at its witness: the subject of the token it follows with (the witness keys heads by
 * the token's subject), or `border` when it has none.
 */
export function replicaAuditName(token: string | undefined): string {
  if (!token) return 'border';
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : 'border';
  } catch {
    return 'border';
  }
}

export function startAuditHeads(options: AuditHeadsOptions): AuditHeads {
  const { log } = options;
  const keys = openAuditKeys(options.dataDir);
  const heads = new LocalHeads(options.dataDir);
  const chain = openAuditChain(options);
  const signer = new AuditHeadSigner({ service: options.name, chain, heads, key: keys, log });
  const shipper = options.witness
    ? new AuditHeadShipper({ dataDir: options.dataDir, heads, keys: () => keys.all(), witnessUrl: options.witness.url, token: options.witness.token, log })
    : null;
  const sign = () =>
    signer.sign().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'could not sign the audit head; retrying at the next interval');
      return null;
    });
  const tick = async () => {
    await sign();
    await shipper?.ship();
  };
  const timer = setInterval(() => void tick(), options.everyMs);
  timer.unref();
  // Heads signed while the witness was out of reach (or before a restart) go now.
  void shipper?.ship();
  let closing: Promise<void> | null = null;
  return {
    own: { service: options.name, heads, keys: () => keys.all() },
    tick,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        await sign();
        await shipper?.ship(2_000);
        await chain.close();
      })()),
  };
}
