/**
 * `erx audit verify`: walks a service's chain (SQLite or PostgreSQL) and checks it against every signed
 * head it can get — the service's own heads file, head files a monitor saved (`--heads`), and the heads
 * its witness keeps (`--witness`). A head whose signature does not hold, a witness that recorded a
 * conflict, or a local audit key the witness never pinned is reported too: each of them is a sign of
 * tampering even where the chain itself looks whole.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicKeyInfo } from '../exchange/keys.js';
import { AUDIT_KEY_FILE, readAuditPublicKeys } from '../audit/auditKeys.js';
import { openAuditChain, sqliteTrailFile } from '../store/openAuditChain.js';
import { type AuditService } from '../audit/chainStorage.js';
import { HEADS_FILE, LocalHeads, parseHeads } from '../audit/headsFile.js';
import { headSignatureProblem, publicKeySchema, type SignedHead, signedHeadSchema } from '../audit/signedHead.js';
import { type ChainVerdict, describeVerdict, type HeadClaim, verifyChainAgainstHeads } from '../audit/verifyHeads.js';

export interface AuditVerifyOptions {
  dataDir: string;
  store?: string | undefined;
  service?: AuditService | undefined;
  /** Head files saved by a monitor: a `GET /v1/audit/heads` answer, or JSON Lines of heads. */
  headFiles?: string[];
  witness?: { url: string; token?: string | undefined; sub?: string | undefined } | undefined;
}

export interface AuditVerifyReport {
  ok: boolean;
  verdict: ChainVerdict;
  /** What was checked and what else is wrong, one line each, for a person. */
  lines: string[];
}

/** Which service's trail a data directory holds, when not said. */
export function guessService(dataDir: string, store: string | undefined): AuditService {
  if (store !== undefined) return existsSync(join(dataDir, 'keys.json')) ? 'register' : 'border';
  return existsSync(sqliteTrailFile(dataDir, 'register')) ? 'register' : 'border';
}

export async function auditVerify(options: AuditVerifyOptions): Promise<AuditVerifyReport> {
  const { dataDir } = options;
  const service = options.service ?? guessService(dataDir, options.store);
  const claims: HeadClaim[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  const take = (heads: SignedHead[], keys: PublicKeyInfo[], source: string) => {
    let good = 0;
    for (const head of heads) {
      const problem = headSignatureProblem(head, keys);
      if (problem) problems.push(`${source}: the head at entry ${head.seq} does not verify: ${problem}`);
      else {
        claims.push({ head, source });
        good++;
      }
    }
    return good;
  };

  const localKeys = readAuditPublicKeys(dataDir);
  const local = new LocalHeads(dataDir).readAll();
  for (const p of local.problems) problems.push(`${HEADS_FILE} line ${p.line}: ${p.reason}`);
  if (local.heads.length > 0) {
    if (!localKeys) problems.push(`${HEADS_FILE} holds ${local.heads.length} heads, but ${AUDIT_KEY_FILE} is missing: their signatures cannot be checked`);
    else notes.push(`${take(local.heads, localKeys, 'local heads')} of ${local.heads.length} local heads verify (${HEADS_FILE})`);
  } else notes.push(`no local heads (${HEADS_FILE} ${existsSync(join(dataDir, HEADS_FILE)) ? 'is empty' : 'is missing'})`);

  for (const file of options.headFiles ?? []) {
    const { heads, keys } = readHeadFile(file);
    const useKeys = keys ?? localKeys;
    if (!useKeys) {
      problems.push(`${file}: carries no keys and ${AUDIT_KEY_FILE} is missing: its heads cannot be checked`);
      continue;
    }
    notes.push(`${take(heads, useKeys, file)} of ${heads.length} heads of ${file} verify`);
  }

  if (options.witness) {
    const sub = options.witness.sub ?? local.heads[0]?.service ?? (service === 'register' ? 'register' : undefined);
    if (!sub) throw new Error(`give --sub NAME: the name this replica reports its heads under at the witness (its token's subject); ${HEADS_FILE} is gone, so it cannot be read from there`);
    const held = await fetchWitnessed(options.witness.url, options.witness.token, sub);
    const source = `witness ${options.witness.url} (sub ${sub})`;
    if (!held) notes.push(`${source} holds no heads`);
    else {
      notes.push(`${take(held.heads, held.keys, source)} of ${held.heads.length} witnessed heads verify (keys pinned ${held.pinnedAt})`);
      for (const c of held.conflicts) problems.push(`${source} refused a head at entry ${c.head.seq} on ${c.receivedAt}: ${c.reason}`);
      if (localKeys && !localKeys.some((k) => held.keys.some((w) => w.keyId === k.keyId))) {
        problems.push(`${AUDIT_KEY_FILE} holds key(s) ${localKeys.map((k) => k.keyId).join(', ')}, none of which the witness pinned (${held.keys.map((k) => k.keyId).join(', ')}): the audit key was replaced`);
      }
    }
  }

  const chain = openAuditChain({ dataDir, store: options.store, service });
  let verdict: ChainVerdict;
  try {
    verdict = await verifyChainAgainstHeads(chain.entries(), claims);
  } finally {
    await chain.close();
  }
  return {
    ok: verdict.ok && problems.length === 0,
    verdict,
    lines: [describeVerdict(chain.label, verdict), ...problems.map((p) => `  PROBLEM: ${p}`), ...notes.map((n) => `  ${n}`)],
  };
}

/** A monitor's saved heads: the JSON of `GET /v1/audit/heads` (with its keys), or JSON Lines of heads. */
function readHeadFile(file: string): { heads: SignedHead[]; keys: PublicKeyInfo[] | null } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read head file ${file}: ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value) && 'heads' in value) {
      const heads = signedHeadSchema.array().safeParse((value as { heads: unknown }).heads);
      const keys = publicKeySchema.array().safeParse((value as { keys?: unknown }).keys ?? []);
      if (!heads.success) throw new Error(`its heads are not signed heads (${heads.error.issues[0]?.message})`);
      return { heads: heads.data, keys: keys.success && keys.data.length > 0 ? keys.data : null };
    }
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw new Error(`head file ${file}: ${(err as Error).message}`);
  }
  const read = parseHeads(text.endsWith('\n') ? text : text + '\n');
  if (read.problems.length > 0) throw new Error(`head file ${file} line ${read.problems[0]!.line}: ${read.problems[0]!.reason}`);
  return { heads: read.heads, keys: null };
}

interface Witnessed {
  keys: PublicKeyInfo[];
  pinnedAt: string;
  heads: SignedHead[];
  conflicts: { head: SignedHead; reason: string; receivedAt: string }[];
}

/** Everything the witness holds about `sub`, page by page; null when it holds nothing. */
async function fetchWitnessed(url: string, token: string | undefined, sub: string): Promise<Witnessed | null> {
  const base = url.replace(/\/+$/, '') + '/v1/audit/heads';
  const limit = 10_000;
  let after = 0;
  let all: Witnessed | null = null;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(`${base}?${new URLSearchParams({ sub, after: String(after), limit: String(limit) })}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new Error(`the witness at ${url} cannot be reached: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => ({}))) as Partial<Witnessed> & { error?: string };
    if (res.status === 404) return all;
    if (!res.ok) throw new Error(`the witness at ${url} answered ${res.status}: ${body.error ?? res.statusText}${res.status === 401 || res.status === 403 ? ' (--token needs role auditor or operator at the witness)' : ''}`);
    const heads = signedHeadSchema.array().safeParse(body.heads);
    const keys = publicKeySchema.array().min(1).safeParse(body.keys);
    if (!heads.success || !keys.success) throw new Error(`the witness at ${url} answered something that is not a list of signed heads with their keys`);
    const page: Witnessed = { keys: keys.data, pinnedAt: String(body.pinnedAt), heads: heads.data, conflicts: Array.isArray(body.conflicts) ? body.conflicts : [] };
    if (all) all.heads.push(...page.heads);
    else all = page;
    if (page.heads.length < limit) return all;
    after = page.heads[page.heads.length - 1]!.seq;
  }
}
