/**
 * The signed heads a service keeps about its own trail: `<data>/audit-heads.jsonl`, one signed head a
 * line, appended and synced, never rewritten. It is a file beside the database rather than a table in it,
 * so that rewriting the database (or its PostgreSQL schema) does not rewrite the heads with it; a forger
 * who can also delete this file is still caught by the copies at the witness.
 *
 * Reading tolerates one torn last line (a crash while appending) and reports every other bad line.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type SignedHead, signedHeadSchema } from './signedHead.js';

export const HEADS_FILE = 'audit-heads.jsonl';

export interface HeadsRead {
  heads: SignedHead[];
  /** Where each head's line ends, in bytes from the start of what was read. */
  ends: number[];
  /** Lines that are not a signed head (line number from 1, and why). */
  problems: { line: number; reason: string }[];
  /** The byte length of the complete lines read (where the next read may start). */
  end: number;
}

/** Parses heads from the text of the file (or a part of it starting at a line boundary). */
export function parseHeads(text: string, firstLine = 1): HeadsRead {
  const heads: SignedHead[] = [];
  const ends: number[] = [];
  const problems: HeadsRead['problems'] = [];
  const complete = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, complete).split('\n');
  lines.pop();
  let end = 0;
  lines.forEach((line, i) => {
    end += Buffer.byteLength(line) + 1;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push({ line: firstLine + i, reason: 'not JSON' });
      return;
    }
    const parsed = signedHeadSchema.safeParse(value);
    if (parsed.success) {
      heads.push(parsed.data);
      ends.push(end);
    }
    else problems.push({ line: firstLine + i, reason: `not a signed head (${parsed.error.issues[0]?.path.join('.') || 'value'}: ${parsed.error.issues[0]?.message})` });
  });
  return { heads, ends, problems, end };
}

export class LocalHeads {
  readonly file: string;
  private newest: SignedHead | null | undefined;

  constructor(dataDir: string) {
    this.file = join(dataDir, HEADS_FILE);
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /** Every head in the file, in the order written. */
  readAll(): HeadsRead {
    return this.exists() ? parseHeads(readFileSync(this.file, 'utf8')) : { heads: [], ends: [], problems: [], end: 0 };
  }

  /** Heads from byte `offset` (a line boundary returned by an earlier read) to the end of the file. */
  readFrom(offset: number): HeadsRead {
    if (!this.exists()) return { heads: [], ends: [], problems: [], end: 0 };
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (offset > size) offset = 0; // the file was replaced: read it again from the start
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      const read = parseHeads(buf.toString('utf8'));
      return { ...read, ends: read.ends.map((e) => offset + e), end: offset + read.end };
    } finally {
      closeSync(fd);
    }
  }

  /** The newest head written (read once from the end of the file, then remembered). */
  last(): SignedHead | null {
    if (this.newest === undefined) {
      const all = this.readTail();
      this.newest = all[all.length - 1] ?? null;
    }
    return this.newest;
  }

  private readTail(): SignedHead[] {
    if (!this.exists()) return [];
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      const start = Math.max(0, size - 8192);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      let text = buf.toString('utf8');
      if (start > 0) text = text.slice(text.indexOf('\n') + 1);
      return parseHeads(text).heads;
    } finally {
      closeSync(fd);
    }
  }

  /** Appends one head and syncs it to disk before returning. */
  append(head: SignedHead): void {
    const fd = openSync(this.file, 'a+', 0o644);
    try {
      // A line torn by a crash is ended first, so it cannot swallow this one.
      const size = fstatSync(fd).size;
      const lastByte = Buffer.alloc(1);
      const torn = size > 0 && readSync(fd, lastByte, 0, 1, size - 1) === 1 && lastByte[0] !== 0x0a;
      writeSync(fd, (torn ? '\n' : '') + JSON.stringify(head) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.newest = head;
  }
}
