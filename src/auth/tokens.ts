/**
 * Signed bearer tokens (JWT, HS256, with the `jose` library) for deployments without an identity
 * provider. Each service keeps its secret in `<data>/auth.key` (created on first use, mode 0600); a
 * token issued with `erx auth token --data DIR` is accepted by the service using the same DIR.
 *
 * Every token carries an expiry (`exp`), its issue time (`iat`) and an id (`jti`); a token lacking any
 * of them is refused, so none lives forever and each can be revoked (auth/revocations.ts). Replacing
 * auth.key (`erx auth rotate-key`) invalidates every token at once.
 */
import { createSecretKey, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import type { Revocations } from './revocations.js';
import { type Principal, type Role, ROLES } from './roles.js';

const ISSUER = 'erx';
export const AUTH_KEY_FILE = 'auth.key';

function writeNewKey(file: string): void {
  const tmp = file + '.tmp';
  writeFileSync(tmp, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function authSecret(dataDir: string): Uint8Array {
  const file = join(dataDir, AUTH_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeNewKey(file);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/** Replaces auth.key with a new random secret: every token issued so far stops verifying. */
export function rotateAuthKey(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeNewKey(join(dataDir, AUTH_KEY_FILE));
}

export interface TokenRequest {
  role: Role;
  sub?: string;
  office?: string;
  personId?: string;
  carrier?: string;
  /** Lifetime in seconds. */
  ttlSeconds?: number;
}

export async function issueToken(secret: Uint8Array, req: TokenRequest): Promise<string> {
  if (req.role === 'office' && !req.office) throw new Error('an office token needs --office OFFICE');
  if (req.role === 'person' && !req.personId) throw new Error('a person token needs --person PERSON_ID');
  if (req.role === 'carrier' && !req.carrier) throw new Error('a carrier token needs --carrier CARRIER_ID');
  const claims: Record<string, string> = { role: req.role };
  if (req.office) claims.office = req.office;
  if (req.personId) claims.personId = req.personId;
  if (req.carrier) claims.carrier = req.carrier;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setSubject(req.sub ?? req.role)
    .setJti(randomUUID())
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

interface Verified {
  principal: Principal;
  expiresAt: number;
  jti: string;
  issuedAt: number;
}

/**
 * Tokens already verified, per secret, with their expiry. A checkpoint sends the same token with every
 * screening, and the HMAC check was a tenth of a screening's time: the same bytes verify the same way
 * until they expire, so the check is done once and the expiry on every use. Bounded: cleared when full.
 */
const verified = new WeakMap<Uint8Array, Map<string, Verified>>();
const VERIFIED_LIMIT = 10_000;

/** The claims every token must carry, and what to say when one is missing. */
const REQUIRED_CLAIMS: Record<string, string> = {
  exp: 'token has no expiry (exp): tokens that never expire are refused; issue a new one with erx auth token',
  iat: 'token has no issue time (iat); issue a new one with erx auth token',
  jti: 'token has no id (jti), so it could not be revoked; issue a new one with erx auth token',
};

/**
 * The principal a token names, if `secret` signed it, it carries exp, iat and jti, has not expired,
 * and (given a revocation list) has not been revoked. The revocation check runs on every use.
 */
export async function verifyToken(secret: Uint8Array, token: string, revocations?: Revocations): Promise<Principal> {
  let known = verified.get(secret);
  if (!known) verified.set(secret, (known = new Map()));
  const hit = known.get(token);
  if (hit && hit.expiresAt > Date.now()) {
    const refused = revocations?.reasonToRefuse(hit.jti, hit.issuedAt);
    if (refused) throw new AuthError(refused);
    return { ...hit.principal };
  }
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    for (const [claim, message] of Object.entries(REQUIRED_CLAIMS)) if (payload[claim] === undefined) throw new AuthError(message);
    if (typeof payload.jti !== 'string' || typeof payload.iat !== 'number' || typeof payload.exp !== 'number') throw new AuthError('token has malformed exp, iat or jti claims');
    const role = payload.role;
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new AuthError('token names no known role');
    const refused = revocations?.reasonToRefuse(payload.jti, payload.iat);
    if (refused) throw new AuthError(refused);
    const principal: Principal = { role: role as Role, sub: payload.sub ?? role };
    if (typeof payload.office === 'string') principal.office = payload.office;
    if (typeof payload.personId === 'string') principal.personId = payload.personId;
    if (typeof payload.carrier === 'string') principal.carrier = payload.carrier;
    // A carrier token without its carrier could read no manifest and would only confuse: refused whole.
    if (principal.role === 'carrier' && !principal.carrier) throw new AuthError('a carrier token must name its carrier; issue one with erx auth token --role carrier --carrier ID');
    if (known.size >= VERIFIED_LIMIT) known.clear();
    known.set(token, { principal: { ...principal }, expiresAt: payload.exp * 1000, jti: payload.jti, issuedAt: payload.iat });
    return principal;
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof errors.JWTExpired) throw new AuthError('token has expired');
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new AuthError('token was not signed by this service (wrong --data, or forged)');
    throw new AuthError(`token is not valid: ${(err as Error).message}`);
  }
}

/** What a token says about itself (unverified): for `erx auth token` and `erx auth revoke --token`. */
export function tokenFacts(token: string): { jti?: string; role?: string; sub?: string; issuedAt?: Date; expiresAt?: Date } {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch {
    throw new AuthError('that is not a token (a JWT: three base64url parts joined by dots)');
  }
  return {
    ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
    ...(typeof payload.role === 'string' ? { role: payload.role } : {}),
    ...(typeof payload.sub === 'string' ? { sub: payload.sub } : {}),
    ...(typeof payload.iat === 'number' ? { issuedAt: new Date(payload.iat * 1000) } : {}),
    ...(typeof payload.exp === 'number' ? { expiresAt: new Date(payload.exp * 1000) } : {}),
  };
}
