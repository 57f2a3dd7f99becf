/** `erx register`: serve a register, compact its change log, import persons, build a replica image, manage its signing keys. */
import { type Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRegister } from '../../app/register/createRegister.js';
import { openRegisterStore, registerInPostgres } from '../../app/register/openRegisterStore.js';
import { SqliteReplicaImages } from '../../app/register/sqliteReplicaImages.js';
import { RegisterKeys } from '../../auth/keyRing.js';
import { defaultMatcher } from '../../matching/index.js';
import { httpSink, importFile, storeSink } from '../../register/importer.js';
import { RegisterService } from '../../register/registerService.js';
import { ReplicaKeys } from '../../register/replicaKeys.js';
import type { PublicKeyInfo } from '../../exchange/keys.js';
import { loadServerTls } from '../../shared/tlsFiles.js';
import { resolveConfig } from '../config.js';
import { positiveInt, retentionOf, retentionOptions, tokenOption, url } from '../options.js';
import { createProgress, type Progress } from '../progress.js';
import { closeOnSignals, listen, warnIfTokensInClear } from '../serve.js';
import { registerServeOptions } from '../serveOptions.js';

export function addRegisterCommands(program: Command): void {
  const register = program.command('register').description('the issuing side: the register API and its change feed');

  registerServeOptions(register.command('serve').description('run a register: its HTTP API (persons, restrictions, rules; see README) and the exchange feed')).action(async (_opts, cmd: Command) => {
    const opts = resolveConfig('register', cmd).config;
    const tls = loadServerTls(opts.tlsCert, opts.tlsKey);
    warnIfTokensInClear('register', opts.host, tls !== undefined, opts.auth);
    const reg = await createRegister({ dataDir: resolve(opts.data), auth: opts.auth, auditHeadEveryMs: opts.auditHeadEvery * 1000, expiryEveryMs: opts.expiryEvery * 1000, ...(opts.store ? { store: opts.store } : {}), ...(opts.bus ? { bus: opts.bus } : {}), ...(tls ? { tls } : {}), ...(opts.consolePeer ? { consolePeer: opts.consolePeer } : {}), notices: { ...(opts.smtp ? { smtp: opts.smtp } : {}), ...(opts.mailFrom ? { mailFrom: opts.mailFrom } : {}), delivery: { baseDelayMs: opts.notifyBackoff * 1000, maxAttempts: opts.notifyAttempts } } });
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
      if (!registerInPostgres() && !existsSync(join(dataDir, 'register.db'))) {
        throw new InvalidArgumentError(`${dataDir} holds no register (register.db); give the register's --data DIR`);
      }
      const keys = new RegisterKeys(dataDir);
      const store = openRegisterStore(dataDir, keys);
      const started = Date.now();
      // Set from the build's callback: one progress display per phase.
      const bar: { progress: Progress | null; phase: string } = { progress: null, phase: '' };
      try {
        const manifest = await new SqliteReplicaImages(dataDir).build(store.snapshot(), keys, defaultMatcher, (p) => {
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

  register
    .command('trust-replica')
    .description("take outcomes of screenings from a replica (the reverse channel): trust its audit key, exported on the replica with `erx audit key export`")
    .argument('<name>', "the replica's name: the subject of the token it follows with")
    .requiredOption('--keys <file>', 'the JSON that `erx audit key export --data DIR` printed on the replica')
    .option('--data <dir>', 'the register data directory', './erx-data/register')
    .action((name: string, opts: { keys: string; data: string }) => {
      const parsed = JSON.parse(readFileSync(resolve(opts.keys), 'utf8')) as { keys?: PublicKeyInfo[] };
      const ids = new ReplicaKeys(resolve(opts.data)).trust(name, parsed.keys ?? []);
      process.stdout.write(`replica ${name} trusted with audit key(s) ${ids.join(', ')}; its outcomes are taken from now on\n`);
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
}
