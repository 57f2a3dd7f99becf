/** The `erx` command. */
import './quietPipe.js'; // first: a closed stdout ends erx quietly (erx … | head -1)
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Role, ROLE_HELP, ROLES } from '../auth/roles.js';
import { revoke } from '../auth/revocations.js';
import { authSecret, issueToken, rotateAuthKey, tokenFacts } from '../auth/tokens.js';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_AUDIT_HEAD_EVERY_SECONDS } from '../app/auditHeads.js';
import { openAuditKeys, readAuditPublicKeys } from '../audit/auditKeys.js';
import { auditVerify, guessService } from '../app/auditVerify.js';
import { AuditChainMissing, openAuditChain } from '../app/auditChainSource.js';
import { type AuditService } from '../audit/chainStorage.js';
import { DEFAULT_MAX_STALENESS_SECONDS, DEFAULT_TIME_ZONE } from '../border/screening.js';
import type { VerifyReport } from '../border/antiEntropy.js';
import { createBorderReplica } from '../app/borderServer.js';
import { RegisterKeys } from '../auth/keyRing.js';
import { httpSink, importFile, storeSink } from '../register/importer.js';
import { createRegister, openRegisterStore } from '../app/registerServer.js';
import { ReplicaImages } from '../store/sqlite/replicaImages.js';
import { RegisterService } from '../register/registerService.js';
import { isPostgresUrl } from '../store/postgres/index.js';
import { runDemo } from './demo.js';
import { defaultMatcher } from '../matching/index.js';
import { SqliteReplicaStore } from '../store/sqlite/replicaStore.js';
import { printable, resolveConfig } from './config.js';
import { createProgress, type Progress } from './progress.js';
import { loadCa, loadServerTls } from '../shared/tlsFiles.js';
import { closeOnSignals, isLoopback, listen, parsePort, warnIfTokensInClear } from './serve.js';

const program = new Command();
program
  .name('erx')
  .description('Exit Restriction Exchange: a register of exit restrictions, a signed exchange to border replicas, and checkpoint screening')
  .version('0.1.0')
  .showHelpAfterError();

const port = (v: string) => {
  try {
    return parsePort(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};
const positiveInt = (v: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a positive integer, not "${v}"`);
  return n;
};
const url = (v: string) => {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return v;
  } catch {
    throw new InvalidArgumentError(`must be an http(s) URL such as http://127.0.0.1:8080, not "${v}"`);
  }
};

function tokenOption(description = 'bearer token for the service') {
  return new Option('--token <token>', description).env('ERX_TOKEN');
}
const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

const auth = program.command('auth').description('tokens for deployments without an identity provider');
auth
  .command('token')
  .description(`print a signed token that the service using the same --data DIR accepts. Roles:\n${ROLES.map((r) => `  ${r.padEnd(10)} ${ROLE_HELP[r]}`).join('\n')}`)
  .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, (v) => {
    if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
    return v as Role;
  })
  .requiredOption('--data <dir>', 'the data directory of the service that will accept the token')
  .option('--office <office>', 'for role office: the issuing office it writes for')
  .option('--person <personId>', 'for role person: whose own status it may read')
  .option('--sub <name>', 'who the token is for (recorded in the audit), e.g. a checkpoint name')
  .option('--days <n>', 'lifetime in days', positiveInt, 30)
  .action(async (opts: { role: Role; data: string; office?: string; person?: string; sub?: string; days: number }) => {
    const token = await issueToken(authSecret(resolve(opts.data)), {
      role: opts.role,
      ttlSeconds: opts.days * 86_400,
      ...(opts.office ? { office: opts.office } : {}),
      ...(opts.person ? { personId: opts.person } : {}),
      ...(opts.sub ? { sub: opts.sub } : {}),
    });
    process.stdout.write(token + '\n');
    const facts = tokenFacts(token);
    // On stderr, so that $(erx auth token …) still captures the token alone.
    process.stderr.write(`token id (jti) ${facts.jti}, role ${opts.role}, expires ${facts.expiresAt!.toISOString()}; to revoke it: erx auth revoke --jti ${facts.jti} --data ${opts.data}\n`);
  });

auth
  .command('revoke')
  .description('revoke tokens of the service using --data DIR: one (--jti or --token) or all issued before an instant (--before, --all); running services refuse them within a second, without a restart')
  .requiredOption('--data <dir>', 'the data directory of the service that accepts the tokens')
  .option('--jti <id>', 'the token id (printed by erx auth token)')
  .option('--token <token>', 'the token itself (its id is read from it)')
  .option('--before <instant>', 'revoke every token issued before this ISO instant, e.g. 2026-12-01T00:00:00Z')
  .option('--all', 'revoke every token issued until now')
  .option('--reason <text>', 'why, kept in the list (no personal data)')
  .action((opts: { data: string; jti?: string; token?: string; before?: string; all?: boolean; reason?: string }) => {
    if ([opts.jti, opts.token, opts.before, opts.all].filter(Boolean).length !== 1) throw new InvalidArgumentError('give exactly one of --jti ID, --token TOKEN, --before INSTANT or --all');
    const dir = resolve(opts.data);
    if (!existsSync(join(dir, 'auth.key'))) throw new InvalidArgumentError(`${dir} holds no auth.key: give the --data DIR of the service whose tokens to revoke`);
    let jti = opts.jti;
    if (opts.token) {
      jti = tokenFacts(opts.token).jti;
      if (!jti) throw new InvalidArgumentError('that token has no id (jti); services refuse such tokens anyway, or revoke with --before');
    }
    let before: Date | undefined;
    if (opts.before) {
      before = new Date(opts.before);
      if (Number.isNaN(before.getTime()) || !/\d{4}-\d{2}-\d{2}T/.test(opts.before)) throw new InvalidArgumentError(`--before must be an ISO instant such as 2026-12-01T00:00:00Z, not "${opts.before}"`);
      if (before.getTime() > Date.now() + 1000) throw new InvalidArgumentError(`--before ${opts.before} is in the future; it would also refuse tokens not issued yet`);
    }
    // Tokens carry whole seconds: every token of this second is refused too (iat ≤ now), later ones are not.
    if (opts.all) before = new Date(Date.now() + 1);
    revoke(dir, { ...(jti ? { jti } : {}), ...(before ? { before } : {}), ...(opts.reason ? { reason: opts.reason } : {}) });
    process.stdout.write(jti ? `revoked token ${jti}\n` : `revoked every token issued before ${before!.toISOString()}\n`);
    process.stderr.write(`written to ${join(dir, 'auth-revocations.json')}; services using ${dir} refuse ${jti ? 'it' : 'them'} within a second\n`);
  });

auth
  .command('rotate-key')
  .description("replace the token secret (auth.key) of the service using --data DIR: every token issued so far stops working, within a second, in running services too; issue new ones with erx auth token")
  .requiredOption('--data <dir>', 'the data directory of the service')
  .action((opts: { data: string }) => {
    const dir = resolve(opts.data);
    if (!existsSync(join(dir, 'auth.key'))) throw new InvalidArgumentError(`${dir} holds no auth.key: give the --data DIR of a service`);
    rotateAuthKey(dir);
    process.stdout.write(`replaced ${join(dir, 'auth.key')}: every earlier token is refused from now on; issue new ones with erx auth token --data ${opts.data}\n`);
  });

const register = program.command('register').description('the issuing side: the register API and its change feed');

const opt = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
const retentionOptions = (cmd: Command) =>
  cmd
    .addOption(opt('--retain-days <n>', 'keep changes committed within this many days', 'ERX_RETAIN_DAYS').argParser(positiveInt).default(30))
    .addOption(opt('--retain-changes <n>', 'and at most this many of the newest changes (default: no count limit)', 'ERX_RETAIN_CHANGES').argParser(positiveInt));
const retentionOf = (opts: { retainDays: number; retainChanges?: number }) => ({
  keepSeconds: opts.retainDays * 86_400,
  ...(opts.retainChanges !== undefined ? { keepChanges: opts.retainChanges } : {}),
});
const storeOption = () => opt('--store <url>', 'keep the database in PostgreSQL (postgres://user@host/db?schema=name) instead of SQLite in --data', 'ERX_STORE');
const busOption = (description: string) => opt('--bus <url>', `${description}: nats://host:4222[?stream=NAME] (docs/nats.md)`, 'ERX_BUS');
/** A yes/no flag that an ERX_ variable can also set (commander alone takes any value of it as yes). */
const yesNo = (v: string) => {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new InvalidArgumentError(`must be yes or no (also 1/0, true/false, on/off), not "${v}"`);
};
const auditHeadEveryOption = () =>
  opt('--audit-head-every <seconds>', "sign the audit trail's head this often when it moved (and at shutdown); a replica sends its heads to the service it follows", 'ERX_AUDIT_HEAD_EVERY')
    .argParser(positiveInt)
    .default(DEFAULT_AUDIT_HEAD_EVERY_SECONDS);
/** HTTPS for a serve command: both files or neither (shared/tlsFiles.ts checks they fit). */
const tlsOptions = (cmd: Command) =>
  cmd
    .addOption(opt('--tls-cert <file>', 'serve HTTPS: PEM certificate (chain) of this service', 'ERX_TLS_CERT'))
    .addOption(opt('--tls-key <file>', 'serve HTTPS: PEM private key of --tls-cert', 'ERX_TLS_KEY'));
const configOption = () => opt('--config <file>', 'JSON configuration file with "register" and/or "border" sections (flags and ERX_* variables win over it)', 'ERX_CONFIG');

/** The register service's options: flags, each with its ERX_ variable (README has the table). */
const registerServeOptions = (cmd: Command) =>
  tlsOptions(retentionOptions(
    cmd
      .addOption(configOption())
      .addOption(opt('--port <n>', 'port to listen on (0: any free port)', 'ERX_PORT').argParser(port).default(8080))
      .addOption(opt('--host <host>', 'address to listen on', 'ERX_HOST').default('127.0.0.1'))
      .addOption(opt('--data <dir>', 'where the embedded database lives', 'ERX_DATA').default('./erx-data/register'))
      .addOption(opt('--compact-every <minutes>', 'how often to compact the change log', 'ERX_COMPACT_EVERY').argParser(positiveInt).default(10))
      .addOption(storeOption())
      .addOption(busOption('also publish every signed batch to this NATS JetStream'))
      .addOption(auditHeadEveryOption())
      .addOption(opt('--console-peer <url>', "the border replica's URL as browsers reach it: the web console links to it and may read its status (nowhere else)", 'ERX_CONSOLE_PEER').argParser(url))
      .option('--no-auth', 'accept requests without tokens (local experiments only)'),
  ));

registerServeOptions(register.command('serve').description('run a register: its HTTP API (persons, restrictions, rules; see README) and the exchange feed')).action(async (_opts, cmd: Command) => {
  const opts = resolveConfig('register', cmd).config;
  const tls = loadServerTls(opts.tlsCert, opts.tlsKey);
  warnIfTokensInClear('register', opts.host, tls !== undefined, opts.auth);
  const reg = await createRegister({ dataDir: resolve(opts.data), auth: opts.auth, auditHeadEveryMs: opts.auditHeadEvery * 1000, ...(opts.store ? { store: opts.store } : {}), ...(opts.bus ? { bus: opts.bus } : {}), ...(tls ? { tls } : {}), ...(opts.consolePeer ? { consolePeer: opts.consolePeer } : {}) });
  const timer = setInterval(() => {
    reg.store.compact(retentionOf(opts)).then(
      (r) => r.removedChanges > 0 && reg.app.log.info(r, 'compacted the change log'),
      (err) => reg.app.log.error({ err }, 'compaction failed'),
    );
  }, opts.compactEvery * 60_000);
  timer.unref();
  closeOnSignals(async () => {
    clearInterval(timer);
    await reg.close();
  });
  await listen(reg.app, opts.port, opts.host);
});

retentionOptions(
  register
    .command('compact')
    .description('drop change-log entries outside the retention now (replicas further behind re-bootstrap by themselves)')
    .option('--data <dir>', 'the register data directory', './erx-data/register'),
).action(async (opts: { data: string; retainDays: number; retainChanges?: number }) => {
  const store = openRegisterStore(resolve(opts.data));
  try {
    const r = await store.compact(retentionOf(opts));
    process.stdout.write(`removed ${r.removedChanges} changes in ${r.removedBatches} batches; the log now starts at ${r.oldestSeq}\n`);
  } finally {
    await store.close();
  }
});

register
  .command('import')
  .description('load a JSON Lines file of persons (one per line); bad lines are reported, good lines still load')
  .argument('<file>', 'JSON Lines file in the import format')
  .option('--register <url>', 'load into a running register', url)
  .option('--data <dir>', 'or load straight into the register database in this directory')
  .option('--errors <file>', 'also write the per-line errors to this file as JSON Lines')
  .option('--batch <n>', 'persons per transaction', positiveInt, 1000)
  .addOption(tokenOption())
  .action(async (file: string, opts: { register?: string; data?: string; errors?: string; batch: number; token?: string }) => {
    if (!opts.register === !opts.data) {
      throw new InvalidArgumentError('give exactly one of --register URL or --data DIR');
    }
    const store = opts.data ? openRegisterStore(resolve(opts.data)) : undefined;
    const sink = store ? storeSink(new RegisterService(store)) : httpSink(opts.register!, opts.token);
    const progress = createProgress(`importing ${file}`, 'bytes');
    const started = Date.now();
    let report;
    try {
      report = await importFile(resolve(file), sink, {
        batchSize: opts.batch,
        onProgress: (bytes, total) => progress.update(bytes, total),
      });
    } finally {
      progress.stop();
      await store?.close();
    }
    for (const f of report.failed.slice(0, 50)) process.stderr.write(`line ${f.line}: ${f.error}\n`);
    if (report.failed.length > 50) process.stderr.write(`… and ${report.failed.length - 50} more bad lines${opts.errors ? '' : ' (use --errors FILE for all of them)'}\n`);
    if (opts.errors) writeFileSync(opts.errors, report.failed.map((f) => JSON.stringify(f)).join('\n') + (report.failed.length ? '\n' : ''));
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `imported ${report.loaded} of ${report.lines} lines in ${seconds.toFixed(1)} s (${report.changes} ${report.changes === 1 ? 'change' : 'changes'} to the exchange); ${report.failed.length} bad ${report.failed.length === 1 ? 'line' : 'lines'}\n`,
    );
    process.exitCode = report.failed.length > 0 ? 1 : 0;
  });

register
  .command('image')
  .description('build a replica image: a prepared, signed replica database that fresh replicas download instead of applying the snapshot (served at /v1/exchange/image)')
  .option('--data <dir>', 'the register data directory (the image goes to DIR/images)', './erx-data/register')
  .action(async (opts: { data: string }) => {
    const dataDir = resolve(opts.data);
    if (!isPostgresUrl(process.env.ERX_STORE) && !existsSync(join(dataDir, 'register.db'))) {
      throw new InvalidArgumentError(`${dataDir} holds no register (register.db); give the register's --data DIR`);
    }
    const keys = new RegisterKeys(dataDir);
    const store = openRegisterStore(dataDir, keys);
    const started = Date.now();
    // Set from the build's callback: one progress display per phase.
    const bar: { progress: Progress | null; phase: string } = { progress: null, phase: '' };
    try {
      const manifest = await new ReplicaImages(dataDir).build(store.snapshot(), keys, defaultMatcher, (p) => {
        if (p.phase !== bar.phase) {
          bar.progress?.stop();
          bar.phase = p.phase;
          if (p.phase === 'indexing') process.stderr.write(`${p.total} records written; sorting name keys and documents, packing the file…\n`);
          bar.progress = p.phase === 'indexing' ? null : p.phase === 'records' ? createProgress('building the replica image', 'records') : createProgress('hashing the image', 'bytes');
        }
        bar.progress?.update(p.done, p.total);
      });
      process.stdout.write(
        `replica image as of ${manifest.asOfSeq}: ${manifest.records} records, ${manifest.bytes < 1e6 ? `${Math.ceil(manifest.bytes / 1e3)} kB` : `${(manifest.bytes / 1e6).toFixed(1)} MB`}, sha256 ${manifest.sha256.slice(0, 16)}…, ` +
          `built in ${((Date.now() - started) / 1000).toFixed(1)} s (peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB); a running register serves it at /v1/exchange/image\n`,
      );
    } finally {
      bar.progress?.stop();
      await store.close();
    }
  });

const keys = register.command('keys').description("the register's Ed25519 signing keys");

keys
  .command('export')
  .description('print the public keys replicas should trust (JSON), for `erx border serve --trust FILE`')
  .option('--data <dir>', 'the register data directory', './erx-data/register')
  .action((opts: { data: string }) => {
    process.stdout.write(JSON.stringify({ keys: new RegisterKeys(resolve(opts.data)).published() }, null, 2) + '\n');
  });

keys
  .command('rotate')
  .description('make a new signing key, endorsed by the current one; the current key stays trusted for the overlap period')
  .option('--data <dir>', 'the register data directory', './erx-data/register')
  .option('--overlap-days <n>', 'how long the old key stays valid', (v) => {
    const n = Number(v);
    if (!(n >= 0 && n <= 365)) throw new InvalidArgumentError(`must be a number of days from 0 to 365, not "${v}"`);
    return n;
  }, 7)
  .action((opts: { data: string; overlapDays: number }) => {
    const { retired, current } = new RegisterKeys(resolve(opts.data)).rotate(opts.overlapDays * 86_400_000);
    process.stdout.write(`new signing key ${current.keyId} (endorsed by ${retired.keyId}); ${retired.keyId} retires at ${retired.retiresAt}\n`);
  });

const border = program.command('border').description('the border side: replicas that follow a register and screen travellers');

/** The border replica's options: flags, each with its ERX_ variable (README has the table). */
const borderServeOptions = (cmd: Command) =>
  tlsOptions(cmd
    .addOption(configOption())
    .addOption(opt('--register <url>', 'the register (or upstream replica) to follow', 'ERX_REGISTER_URL').argParser(url))
    .addOption(opt('--port <n>', 'port to listen on (0: any free port)', 'ERX_PORT').argParser(port).default(8081))
    .addOption(opt('--host <host>', 'address to listen on', 'ERX_HOST').default('127.0.0.1'))
    .addOption(opt('--data <dir>', 'where the replica database lives', 'ERX_DATA').default('./erx-data/border'))
    .addOption(tokenOption('bearer token (role border) for the register feed'))
    .addOption(opt('--trust <file>', 'trusted register keys (from `erx register keys export`); needed on first start unless --trust-on-first-use', 'ERX_TRUST_FILE'))
    .addOption(opt('--trust-on-first-use [yes|no]', 'without --trust: pin the keys the feed publishes at first contact (whoever answers first is trusted; for experiments)', 'ERX_TRUST_ON_FIRST_USE').argParser(yesNo).preset('yes').default(false))
    .addOption(opt('--batch <n>', 'changes to ask for per feed request', 'ERX_BATCH').argParser(positiveInt).default(1000))
    .addOption(opt('--max-staleness <seconds>', 'above this lag a clear becomes a refer ("replica data too old")', 'ERX_MAX_STALENESS').argParser(positiveInt).default(DEFAULT_MAX_STALENESS_SECONDS))
    .addOption(opt('--time-zone <iana>', "the checkpoint's time zone: ages and validity dates are judged on its calendar date", 'ERX_TIME_ZONE').default(DEFAULT_TIME_ZONE))
    .addOption(opt('--verify-every <minutes>', 'compare bucket digests with the register and repair differences at start and at most this often (spaced out further on a large replica: comparisons take at most 5 % of the time)', 'ERX_VERIFY_EVERY').argParser(positiveInt).default(1))
    .addOption(opt('--check-every <minutes>', "check the replica database's structure (SQLite quick_check) at start and this often; damage sets it aside and rebuilds it", 'ERX_CHECK_EVERY').argParser(positiveInt).default(60))
    .addOption(storeOption())
    .addOption(busOption("take changes from the register's NATS JetStream stream instead of long-polling it (snapshots and keys still come from --register)"))
    .addOption(opt('--image [yes|no]', "bootstrap from the feed's replica image (`erx register image`) when it offers one that fits; no: always from the snapshot", 'ERX_IMAGE').argParser(yesNo).preset('yes').default(true))
    .addOption(opt('--serve-feed [yes|no]', 'serve the register\'s signed feed onward, so checkpoints can follow this replica (tiers)', 'ERX_SERVE_FEED').argParser(yesNo).preset('yes').default(false))
    .addOption(auditHeadEveryOption())
    .addOption(opt('--publish-bus <url>', "with --serve-feed: also publish the register's signed batches to a NATS JetStream stream of this replica's own, for its checkpoints (--bus): nats://host:4222?stream=NAME (docs/nats.md)", 'ERX_PUBLISH_BUS'))
    .addOption(opt('--ca <file>', "pin the register's (or upstream replica's) HTTPS certificate to this PEM CA: nothing else is trusted for the feed", 'ERX_CA'))
    .option('--no-auth', 'accept requests without tokens (local experiments only)'));

borderServeOptions(border.command('serve').description('run a border replica: bootstrap from the register, follow its changes, answer screenings')).action(async (_opts, cmd: Command) => {
  const opts = resolveConfig('border', cmd).config;
  const tls = loadServerTls(opts.tlsCert, opts.tlsKey);
  warnIfTokensInClear('border', opts.host, tls !== undefined, opts.auth);
  if (opts.token && /^http:\/\//i.test(opts.register) && !isLoopback(new URL(opts.register).hostname)) {
    process.stderr.write(`erx: warning: the feed token travels in clear to ${opts.register}; serve the register over HTTPS (--tls-cert/--tls-key) and pin its CA here with --ca FILE\n`);
  }
  const progress = createProgress('bootstrap', 'records');
  const replica = await createBorderReplica({
    auth: opts.auth,
    dataDir: resolve(opts.data),
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.bus ? { bus: opts.bus } : {}),
    serveFeed: opts.serveFeed,
    images: opts.image,
    ...(opts.publishBus ? { publishBus: opts.publishBus } : {}),
    registerUrl: opts.register,
    batchSize: opts.batch,
    maxStalenessSeconds: opts.maxStaleness,
    timeZone: opts.timeZone,
    verifyEveryMs: opts.verifyEvery * 60_000,
    auditHeadEveryMs: opts.auditHeadEvery * 1000,
    checkEveryMs: opts.checkEvery * 60_000,
    ...(opts.trust ? { trustFile: resolve(opts.trust) } : {}),
    trustOnFirstUse: opts.trustOnFirstUse,
    ...(opts.token ? { token: opts.token } : {}),
    ...(tls ? { tls } : {}),
    ...(opts.ca ? { ca: loadCa(opts.ca) } : {}),
    onBootstrapProgress: (done, total) => {
      progress.update(done, total);
      if (done === total) progress.stop();
    },
  });
  closeOnSignals(() => replica.close());
  await listen(replica.app, opts.port, opts.host);
  replica.follower.start();
});

program
  .command('migrate')
  .description("apply the database schema migrations of a service's data directory (services also do this at start-up); refuses a database newer than this erx")
  .requiredOption('--data <dir>', 'the data directory')
  .requiredOption('--service <name>', 'register or border', (v) => {
    if (v !== 'register' && v !== 'border') throw new InvalidArgumentError('must be register or border');
    return v;
  })
  .action(async (opts: { data: string; service: 'register' | 'border' }) => {
    const dir = resolve(opts.data);
    if (opts.service === 'register') await openRegisterStore(dir).close();
    else await new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher }).close();
    process.stdout.write(`${opts.service} database in ${dir} is at the current schema\n`);
  });

const auditService = (v: string) => {
  if (v !== 'register' && v !== 'border') throw new InvalidArgumentError('must be register or border');
  return v as AuditService;
};
const auditWhere = (cmd: Command) =>
  cmd
    .requiredOption('--data <dir>', 'the data directory of the register or replica')
    .addOption(storeOption())
    .option('--service <name>', 'register or border: whose trail (default: guessed from the data directory)', auditService);

const audit = program.command('audit').description('the hash-chained audit trail of a register or a replica, and its signed heads');
auditWhere(
  audit
    .command('verify')
    .description("walk the chain and name the first edited, inserted or deleted entry; then check it against the signed heads (the service's own, saved ones, its witness's): a recomputed chain or a removed tail is named with the first entry affected"),
)
  .option('--heads <file>', 'also check against heads a monitor saved (the JSON of GET /v1/audit/heads, or JSON Lines of heads); repeatable', (v: string, prev: string[]) => [...prev, v], [] as string[])
  .option('--witness <url>', "also check against the heads the replica's witness keeps (the register or centre it follows)", url)
  .addOption(tokenOption('with --witness: a token of role auditor or operator at the witness'))
  .option('--sub <name>', "with --witness: the replica's name there (its token's subject; default: read from its heads file)")
  .action(async (opts: { data: string; store?: string; service?: AuditService; heads: string[]; witness?: string; token?: string; sub?: string }) => {
    if (!opts.witness && (opts.sub || opts.token)) throw new InvalidArgumentError('--sub and --token go with --witness URL');
    const report = await auditVerify({
      dataDir: resolve(opts.data),
      store: opts.store,
      service: opts.service,
      headFiles: opts.heads.map((f) => resolve(f)),
      witness: opts.witness ? { url: opts.witness, token: opts.token, sub: opts.sub } : undefined,
    }).catch((err: unknown) => {
      if (err instanceof AuditChainMissing) throw new InvalidArgumentError(err.message);
      throw err;
    });
    process.stdout.write(report.lines.join('\n') + '\n');
    if (!report.ok) process.exitCode = 1;
  });
auditWhere(
  audit
    .command('export')
    .description("write a period's entries (JSON Lines) for an oversight body; each line carries its hash and its predecessor's"),
)
  .requiredOption('--from <date>', 'start of the period (ISO date or instant, inclusive)')
  .requiredOption('--to <date>', 'end of the period (ISO date or instant, exclusive)')
  .option('--out <file>', 'write here instead of stdout')
  .action(async (opts: { data: string; store?: string; service?: AuditService; from: string; to: string; out?: string }) => {
    for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
      if (Number.isNaN(Date.parse(v))) throw new InvalidArgumentError(`${name} must be an ISO date such as 2026-01-01, not "${v}"`);
    }
    const dataDir = resolve(opts.data);
    let chain;
    try {
      chain = openAuditChain({ dataDir, store: opts.store, service: opts.service ?? guessService(dataDir, opts.store) });
    } catch (err) {
      if (err instanceof AuditChainMissing) throw new InvalidArgumentError(err.message);
      throw err;
    }
    const out = opts.out ? createWriteStream(opts.out) : process.stdout;
    let n = 0;
    try {
      for await (const entry of chain.between(new Date(opts.from).toISOString(), new Date(opts.to).toISOString())) {
        if (!out.write(JSON.stringify(entry) + '\n')) await once(out, 'drain');
        n++;
      }
    } finally {
      await chain.close();
    }
    if (opts.out) {
      (out as ReturnType<typeof createWriteStream>).end();
      await once(out, 'finish');
      process.stderr.write(`wrote ${n} entries to ${opts.out}\n`);
    }
  });

audit
  .command('key')
  .description("the service's Ed25519 audit key (<data>/audit-keys.json), which signs its audit heads")
  .command('rotate')
  .description('make a new audit key, endorsed by the current one (a witness learns it from the endorsement); heads signed before stay valid')
  .requiredOption('--data <dir>', 'the data directory of the register or replica')
  .action((opts: { data: string }) => {
    if (!readAuditPublicKeys(resolve(opts.data))) throw new InvalidArgumentError(`${resolve(opts.data)} holds no audit key (audit-keys.json): a service creates it when it starts`);
    const { retired, current } = openAuditKeys(resolve(opts.data)).rotate(0);
    process.stdout.write(`new audit key ${current.keyId} (endorsed by ${retired.keyId}); heads are signed with it from now on\n`);
  });

const configPrint = program.command('config').description('the effective configuration').command('print').description('print the effective configuration of a service (secrets masked)');
for (const [section, options] of [['register', registerServeOptions], ['border', borderServeOptions]] as const) {
  options(configPrint.command(section).description(`print the effective configuration of \`erx ${section} serve\` given these flags, ERX_* variables and config file (secrets masked)`)).action((_opts, cmd: Command) => {
    process.stdout.write(JSON.stringify(printable(resolveConfig(section, cmd)), null, 2) + '\n');
  });
}

border
  .command('verify')
  .description("compare a running replica's bucket digests with its register's, repair the buckets that differ, and report")
  .requiredOption('--border <url>', 'the running replica', url)
  .addOption(tokenOption('bearer token (role operator) of the replica'))
  .action(async (opts: { border: string; token?: string }) => {
    const res = await fetch(opts.border.replace(/\/+$/, '') + '/v1/border/verify', { method: 'POST', headers: bearer(opts.token) });
    const report = (await res.json()) as VerifyReport & { error?: string };
    if (!res.ok) throw new Error(`verification failed: ${report.error ?? res.status}`);
    const fixed = report.repaired;
    process.stdout.write(
      report.differing.length === 0
        ? `replica matches the register at seq ${report.asOfSeq} (${report.bucketsCompared} buckets compared in ${report.seconds.toFixed(1)} s)\n`
        : `${report.differing.length} bucket(s) differed at seq ${report.asOfSeq}; repaired: ${fixed?.inserted ?? 0} inserted, ${fixed?.updated ?? 0} updated, ${fixed?.deleted ?? 0} deleted; consistent now: ${report.consistent ? 'yes' : 'NO'}\n`,
    );
    process.stdout.write(JSON.stringify(report) + '\n');
    if (!report.consistent) process.exitCode = 1;
  });

program
  .command('screen')
  .description('screen one traveller at a running replica: a JSON object on stdin, or --mrz; prints the decision as JSON')
  .requiredOption('--border <url>', 'the border replica to ask', url)
  .option('--mrz <text>', 'the machine-readable zone, lines separated by newlines or "\\n"')
  .option('--checkpoint <id>', 'checkpoint name recorded in the audit (when the token does not name one)', 'cli')
  .addOption(tokenOption('bearer token (role checkpoint) of the replica'))
  .action(async (opts: { border: string; mrz?: string; checkpoint: string; token?: string }) => {
    let body: unknown;
    if (opts.mrz) body = { mrz: opts.mrz.replace(/\\n/g, '\n') };
    else {
      if (process.stdin.isTTY) throw new InvalidArgumentError('give --mrz, or a traveller as JSON on stdin, e.g. echo \'{"surname":"IVANOV","givenNames":"IURII","dateOfBirth":"1999-03-04"}\' | erx screen --border URL');
      const text = readFileSync(0, 'utf8');
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new InvalidArgumentError(`stdin is not JSON: ${(err as Error).message}`);
      }
    }
    const res = await fetch(opts.border.replace(/\/+$/, '') + '/v1/screenings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-checkpoint-id': opts.checkpoint, ...bearer(opts.token) },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    if (!res.ok) process.exitCode = 2;
  });

program
  .command('demo')
  .description('start a register and a border replica on localhost with a synthetic register, show screenings, keep serving')
  .option('--persons <n>', 'size of the synthetic register', positiveInt, 100_000)
  .option('--data <dir>', 'where to keep the demo databases (default: a new temporary directory)')
  .option('--register-port <n>', 'register port (0: any free port)', port, 0)
  .option('--border-port <n>', 'border replica port (0: any free port)', port, 0)
  .option('--seed <n>', 'seed of the synthetic register', positiveInt, 2024)
  .option('--exit', 'stop after the walkthrough instead of serving until Ctrl-C')
  .action(runDemo);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`erx: ${e.message ?? String(err)}\n`);
  process.exit(e.code === 'commander.invalidArgument' ? 2 : 1);
});
