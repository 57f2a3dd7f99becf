/** `erx demo`: a register and a replica on localhost with a synthetic register (cli/demo.ts runs it). */
import type { Command } from 'commander';
import { runDemo } from '../demo.js';
import { port, positiveInt } from '../options.js';

export function addDemoCommand(program: Command): void {
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
}
