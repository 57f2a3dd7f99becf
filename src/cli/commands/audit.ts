/** `erx audit`: verify a service's hash-chained audit trail against its signed heads, export a period, rotate its audit key. */
import { type Command, InvalidArgumentError } from 'commander';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { openAuditKeys, readAuditPublicKeys } from '../../audit/auditKeys.js';
import { auditVerify, guessService } from '../../app/auditVerify.js';
import { AuditChainMissing, type AuditService } from '../../audit/chainStorage.js';
import { openAuditChain } from '../../store/openAuditChain.js';
import { storeOption, tokenOption, url } from '../options.js';

export function addAuditCommands(program: Command): void {
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

  const key = audit.command('key').description("the service's Ed25519 audit key (<data>/audit-keys.json), which signs its audit heads and a replica's outcomes of screenings");

  key
    .command('export')
    .description('print the public half of the audit key(s) (JSON), for `erx register trust-replica NAME --keys FILE` at the register')
    .requiredOption('--data <dir>', 'the data directory of the register or replica')
    .action((opts: { data: string }) => {
      const keys = readAuditPublicKeys(resolve(opts.data));
      if (!keys) throw new InvalidArgumentError(`${resolve(opts.data)} holds no audit key (audit-keys.json): a service creates it when it starts`);
      process.stdout.write(JSON.stringify({ keys }, null, 2) + '\n');
    });

  key
    .command('rotate')
    .description('make a new audit key, endorsed by the current one (a witness learns it from the endorsement); heads signed before stay valid')
    .requiredOption('--data <dir>', 'the data directory of the register or replica')
    .action((opts: { data: string }) => {
      if (!readAuditPublicKeys(resolve(opts.data))) throw new InvalidArgumentError(`${resolve(opts.data)} holds no audit key (audit-keys.json): a service creates it when it starts`);
      const { retired, current } = openAuditKeys(resolve(opts.data)).rotate(0);
      process.stdout.write(`new audit key ${current.keyId} (endorsed by ${retired.keyId}); heads are signed with it from now on\n`);
    });
}
