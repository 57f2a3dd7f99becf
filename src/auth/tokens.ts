/**
 * Signed bearer tokens (JWT, HS256, with the `jose` library) for deployments without an identity
 * provider. Each service keeps its secret in `<data>/auth.key` (created on first use, mode 0600); a
 * token issued with `erx auth token --data DIR` is accepted by the service using the same DIR.
 */
import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { type Principal, type Role, ROLES } from './roles.js';

const ISSUER = 'erx';

export function authSecret(dataDir: string): Uint8Array {
  const file = join(dataDir, 'auth.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const tmp = file + '.tmp';
    writeFileSync(tmp, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export interface TokenRequest {
  role: Role;
  sub?: string;
  office?: string;
  personId?: string;
  /** Lifetime in seconds. */
  ttlSeconds?: number;
}

export async function issueToken(secret: Uint8Array, req: TokenRequest): Promise<string> {
  if (req.role === 'office' && !req.office) throw new Error('an office token needs --office OFFICE');
  if (req.role === 'person' && !req.personId) throw new Error('a person token needs --person PERSON_ID');
  const claims: Record<string, string> = { role: req.role };
  if (req.office) claims.office = req.office;
  if (req.personId) claims.personId = req.personId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(req.sub ?? req.role)
    .setIssuedAt()
    .setExpirationTime(`${req.ttlSeconds ?? 30 * 86_400}s`)
    .sign(secret);
}

export class AuthError extends Error {}

/** jose imports a raw secret on every call; a KeyObject made once per secret spares that per request. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyOf(secret: Uint8Array): KeyObject {
  let key = keyObjects.get(secret);
  if (!key) keyObjects.set(secret, (key = createSecretKey(secret)));
  return key;
}

/**
 * Tokens already verified, per secret, with their expiry. A checkpoint sends the same token with every
 * screening, and the HMAC check was a tenth of a screening's time: the same bytes verify the same way
 * until they expire, so the check is done once and the expiry on every use. Bounded: cleared when full.
 */
const verified = new WeakMap<Uint8Array, Map<string, { principal: Principal; expiresAt: number }>>();
const VERIFIED_LIMIT = 10_000;

export async function verifyToken(secret: Uint8Array, token: string): Promise<Principal> {
  let known = verified.get(secret);
  if (!known) verified.set(secret, (known = new Map()));
  const hit = known.get(token);
  if (hit && hit.expiresAt > Date.now()) return { ...hit.principal };
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    const role = payload.role;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new AuthError('token names no known role');
    const principal: Principal = { role: role as Role, sub: payload.sub ?? role };
    if (typeof payload.office === 'string') principal.office = payload.office;
    if (typeof payload.personId === 'string') principal.personId = payload.personId;
    if (typeof payload.exp === 'number') {
      if (known.size >= VERIFIED_LIMIT) known.clear();
      known.set(token, { principal: { ...principal }, expiresAt: payload.exp * 1000 });
    }
    return principal;
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof errors.JWTExpired) throw new AuthError('token has expired');
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new AuthError('token was not signed by this service (wrong --data, or forged)');
    throw new AuthError(`token is not valid: ${(err as Error).message}`);
  }
}
