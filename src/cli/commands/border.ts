/** `erx border`: serve a border replica; ask a running one to compare its digests with the register and repair. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import cluster from 'node:cluster';
import { type BorderOptions, createBorderReplica } from '../../app/border/createBorderReplica.js';
import { runReplicaWorker } from '../../app/border/replicaWorker.js';
import { runReplicaPrimary } from '../../app/border/workers.js';
import type { VerifyReport } from '../../border/antiEntropy.js';
import { loadCa, loadServerTls } from '../../shared/tlsFiles.js';
import { resolveConfig } from '../config.js';
import { bearer, tokenOption, url } from '../options.js';
import { createProgress } from '../progress.js';
import { closeOnSignals, isLoopback, listen, warnIfTokensInClear } from '../serve.js';
import { borderServeOptions } from '../serveOptions.js';

export function addBorderCommands(program: Command): void {
  const border = program.command('border').description('the border side: replicas that follow a register and screen travellers');

  borderServeOptions(border.command('serve').description('run a border replica: bootstrap from the register, follow its changes, answer screenings')).action(async (_opts, cmd: Command) => {
    const opts = resolveConfig('border', cmd).config;
    const tls = loadServerTls(opts.tlsCert, opts.tlsKey);
    warnIfTokensInClear('border', opts.host, tls !== undefined, opts.auth);
    if (opts.token && /^http:\/\//i.test(opts.register) && !isLoopback(new URL(opts.register).hostname)) {
      process.stderr.write(`erx: warning: the feed token travels in clear to ${opts.register}; serve the register over HTTPS (--tls-cert/--tls-key) and pin its CA here with --ca FILE\n`);
    }
    if (opts.workers > 1 && cluster.isPrimary) {
      // The primary only keeps the workers (app/border/workers.ts); each worker runs this action again.
      await runReplicaPrimary({ workers: opts.workers, out: (line) => process.stdout.write(line + '\n'), warn: (line) => process.stderr.write(line + '\n') });
      return;
    }
    const progress = createProgress('bootstrap', 'records');
    const options: BorderOptions = {
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
    };
    if (cluster.isWorker) {
      await runReplicaWorker(options, { port: opts.port, host: opts.host });
      return;
    }
    const replica = await createBorderReplica(options);
    closeOnSignals(() => replica.close());
    await listen(replica.app, opts.port, opts.host);
    replica.follower.start();
  });

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
}
