/** `erx migrate`: bring a data directory's database to the current schema without starting the service. */
import { type Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { openReplicaStore } from '../../app/border/openReplicaStore.js';
import { openRegisterStore } from '../../app/register/openRegisterStore.js';
import { defaultMatcher } from '../../matching/index.js';

export function addMigrateCommand(program: Command): void {
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
      else await openReplicaStore({ dataDir: dir, matcher: defaultMatcher }).close(); // the SQLite state in --data (--store is not taken here)
      process.stdout.write(`${opts.service} database in ${dir} is at the current schema\n`);
    });
}
