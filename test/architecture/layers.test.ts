/**
 * The layers of src/ (docs/architecture.md) hold: no folder imports one on its own floor or above, so
 * the folder graph has no cycle, and no pure layer (domain, matching, exchange, api) reaches I/O. The
 * check itself is scripts/check-layers.mjs; this test runs it in `npm test`, on the project and on
 * small trees that break each rule, so a check that stopped seeing breaches would fail here too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(root, 'scripts/check-layers.mjs');

function check(at: string): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [script, '--root', at], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

/** A throwaway tree: `files` maps a path under src/ to its text. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'erx-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'src', path)), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  return dir;
}

test('the layers of src/ hold: every import runs down, and the pure layers reach no I/O', () => {
  const { status, out } = check(root);
  assert.equal(status, 0, out);
  assert.match(out, /layers hold/);
});

test('a folder cycle fails the check, naming the folders and the imports that tie them', () => {
  const dir = tree({
    'exchange/follower.ts': "import { planPage } from '../border/apply.js';\nexport const follow = planPage;\n",
    'border/apply.ts': "import { follow } from '../exchange/follower.js';\nexport const planPage = 1; void follow;\n",
  });
  try {
    const { status, out } = check(dir);
    assert.equal(status, 1);
    assert.match(out, /folder cycle: border, exchange/);
    assert.match(out, /exchange\/follower\.ts -> border\/apply\.ts/);
    assert.match(out, /exchange\/ imports border\/, which stands above it/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('an import beside on the same floor fails: the register and the border never import each other', () => {
  const dir = tree({ 'register/a.ts': "import { b } from '../border/b.js';\nexport const a = b;\n", 'border/b.ts': 'export const b = 1;\n' });
  try {
    const { status, out } = check(dir);
    assert.equal(status, 1);
    assert.match(out, /register\/ imports border\/, which stands beside it on the same floor/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a pure layer reaching I/O fails, directly or through another layer; exchange may use node:crypto', () => {
  const dir = tree({
    'exchange/keys.ts': "import { createHash } from 'node:crypto';\nimport { readFileSync } from 'node:fs';\nexport const k = [createHash, readFileSync];\n",
    'domain/dates.ts': "import { x } from '../shared/log.js';\nexport const d = x;\n",
    'shared/log.ts': "import pino from 'pino';\nexport const x = pino;\n",
    'matching/hash.ts': "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
    'store/ok.ts': "import Database from 'better-sqlite3';\n// import { nope } from '../cli/main.js';\nconst worker = `import { y } from '../cli/main.js'`;\nexport const s = [Database, worker];\n",
  });
  try {
    const { status, out } = check(dir);
    assert.equal(status, 1);
    assert.match(out, /pure exchange\/ reaches I\/O: exchange\/keys\.ts imports 'node:fs'/);
    assert.doesNotMatch(out, /exchange\/keys\.ts imports 'node:crypto'/);
    assert.match(out, /pure domain\/ reaches I\/O: domain\/dates\.ts -> shared\/log\.ts imports 'pino'/);
    assert.match(out, /pure matching\/ reaches I\/O: matching\/hash\.ts imports 'node:crypto'/);
    // Adapters may do I/O, and imports inside comments and template strings are not imports.
    assert.doesNotMatch(out, /store\//);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a folder without a floor fails until it is placed', () => {
  const dir = tree({ 'plugins/x.ts': 'export const x = 1;\n' });
  try {
    const { status, out } = check(dir);
    assert.equal(status, 1);
    assert.match(out, /src\/plugins\/ has no floor/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
