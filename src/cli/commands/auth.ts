/** `erx auth`: tokens for deployments without an identity provider — issue, revoke, rotate the secret. */
import { type Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { revoke } from '../../auth/revocations.js';
import { type Role, ROLE_HELP, ROLES } from '../../auth/roles.js';
import { authSecret, issueToken, rotateAuthKey, tokenFacts } from '../../auth/tokens.js';
import { positiveInt } from '../options.js';

export function addAuthCommands(program: Command): void {
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
    .option('--carrier <id>', 'for role carrier: the carrier whose manifests it sends and reads')
    .option('--sub <name>', 'who the token is for (recorded in the audit), e.g. a checkpoint name')
    .option('--days <n>', 'lifetime in days', positiveInt, 30)
    .action(async (opts: { role: Role; data: string; office?: string; person?: string; carrier?: string; sub?: string; days: number }) => {
      const token = await issueToken(authSecret(resolve(opts.data)), {
        role: opts.role,
        ttlSeconds: opts.days * 86_400,
        ...(opts.office ? { office: opts.office } : {}),
        ...(opts.person ? { personId: opts.person } : {}),
        ...(opts.carrier ? { carrier: opts.carrier } : {}),
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
}
