/** Markdown tables and the text around them: what was measured, where, and with which command. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export type Row = Record<string, string>;

/** A markdown table; the columns are the keys of the first row, in order. */
export function table(rows: readonly Row[]): string {
  if (rows.length === 0) return '_(nothing measured)_';
  const columns = Object.keys(rows[0]!);
  const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|');
  return [
    `| ${columns.join(' | ')} |`,
    // Figures right, words left.
    `|${columns.map((c) => (rows.every((r) => /^[\d—]/.test(r[c] ?? '')) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
}

export function machine(): Machine {
  let cores = cpus().length;
  try {
    cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || cores;
  } catch {
    // no nproc: os.cpus() it is
  }
  let kernel: string = process.platform;
  try {
    kernel = execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    // no uname
  }
  return { cores, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', memoryGiB: totalmem() / 2 ** 30, node: process.version, kernel };
}

export function machineLine(m: Machine): string {
  return `${m.cores} cores (\`nproc\`; ${m.cpuModel}), ${m.memoryGiB.toFixed(1)} GiB memory, ${m.kernel}, Node ${m.node}`;
}

export interface Block {
  title: string;
  /** How it was measured and what the baseline is. */
  intro: string;
  tables: string[];
  /** Targets missed and why, and other observations. */
  notes: string[];
}

export function renderBlock(b: Block, provenance: string): string {
  const notes = b.notes.length ? '\n\n' + b.notes.map((n) => `- ${n}`).join('\n') : '';
  return `### ${b.title}\n\n_${provenance}_\n\n${b.intro}\n\n${b.tables.join('\n\n')}${notes}\n`;
}
