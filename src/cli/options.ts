/**
 * The option parsers and option builders the erx commands share: ports, counts, URLs, yes/no flags
 * that an ERX_ variable can set, tokens, stores, buses, TLS files, retention, audit heads, config file.
 * Each message names the flag and the value that was wrong.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_AUDIT_HEAD_EVERY_SECONDS } from '../app/auditHeads.js';
import { parsePort } from './serve.js';

export const port = (v: string) => {
  try {
    return parsePort(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
export const positiveInt = (v: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a positive integer, not "${v}"`);
  return n;
};
export const url = (v: string) => {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return v;
  } catch {
    throw new InvalidArgumentError(`must be an http(s) URL such as http://127.0.0.1:8080, not "${v}"`);
  }
};

export function tokenOption(description = 'bearer token for the service') {
  return new Option('--token <token>', description).env('ERX_TOKEN');
}
export const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export const opt = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
export const retentionOptions = (cmd: Command) =>
  cmd
    .addOption(opt('--retain-days <n>', 'keep changes committed within this many days', 'ERX_RETAIN_DAYS').argParser(positiveInt).default(30))
    .addOption(opt('--retain-changes <n>', 'and at most this many of the newest changes (default: no count limit)', 'ERX_RETAIN_CHANGES').argParser(positiveInt));
export const retentionOf = (opts: { retainDays: number; retainChanges?: number }) => ({
  keepSeconds: opts.retainDays * 86_400,
  ...(opts.retainChanges !== undefined ? { keepChanges: opts.retainChanges } : {}),
});
export const storeOption = () => opt('--store <url>', 'keep the database in PostgreSQL (postgres://user@host/db?schema=name) instead of SQLite in --data', 'ERX_STORE');
export const busOption = (description: string) => opt('--bus <url>', `${description}: nats://host:4222[?stream=NAME] (docs/nats.md)`, 'ERX_BUS');
/** A yes/no flag that an ERX_ variable can also set (commander alone takes any value of it as yes). */
export const yesNo = (v: string) => {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new InvalidArgumentError(`must be yes or no (also 1/0, true/false, on/off), not "${v}"`);
};
export const auditHeadEveryOption = () =>
  opt('--audit-head-every <seconds>', "sign the audit trail's head this often when it moved (and at shutdown); a replica sends its heads to the service it follows", 'ERX_AUDIT_HEAD_EVERY')
    .argParser(positiveInt)
    .default(DEFAULT_AUDIT_HEAD_EVERY_SECONDS);
/** HTTPS for a serve command: both files or neither (shared/tlsFiles.ts checks they fit). */
export const tlsOptions = (cmd: Command) =>
  cmd
    .addOption(opt('--tls-cert <file>', 'serve HTTPS: PEM certificate (chain) of this service', 'ERX_TLS_CERT'))
    .addOption(opt('--tls-key <file>', 'serve HTTPS: PEM private key of --tls-cert', 'ERX_TLS_KEY'));
export const configOption = () => opt('--config <file>', 'JSON configuration file with "register" and/or "border" sections (flags and ERX_* variables win over it)', 'ERX_CONFIG');
