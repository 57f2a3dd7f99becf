#!/usr/bin/env node
/**
 * The layers of src/, checked: every top-level folder of src/ is a layer with a floor, and a file may
 * import only from layers on lower floors (never its own floor's neighbours, never upward), so the
 * folder graph can have no cycle. The pure layers (domain, matching, exchange, api) may not reach an
 * I/O module, not even through a file of another layer; exchange may use node:crypto.
 *
 * Why a script of the project's own: it is the architecture of docs/architecture.md written as data,
 * short enough to read, with no dependency to install. `npm test` runs it through
 * test/architecture/layers.test.ts, so CI fails on the first arrow that runs back up.
 *
 *   node scripts/check-layers.mjs [--root DIR]     exit 0 when the layers hold, 1 with every breach
 *   node scripts/check-layers.mjs --graph          the folder graph, one "from -> to (files)" a line
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Floors, lowest first. A folder may import folders on lower floors only. */
export const FLOORS = [
  ['shared'], //               leaf helpers: errors, canonical JSON, logs, metrics, HTTP server, SQLite opening
  ['domain'], //               pure: the restriction lifecycle, deferments, rules, dates
  ['matching'], //             pure: names across scripts, keys, scoring, explanation
  ['exchange'], //             pure but crypto: pages, chain and signature checks, digests, images, keys, head claims
  ['auth'], //                 roles, tokens, key rings on disk, routes that admit roles
  ['api'], //                  pure: the HTTP request and response schemas
  ['audit'], //                the hash-chained trail, signed heads, the witness
  ['register', 'border'], //   each side's use cases and its ports; neither imports the other
  ['store', 'transport', 'console', 'demo'], // adapters, the console's routes, the synthetic register
  ['app'], //                  composition: picks adapters from configuration, builds the servers
  ['cli'], //                  the erx command
];

export const PURE = ['domain', 'matching', 'exchange', 'api'];

/** Modules that do I/O. A pure layer may not reach them; exchange alone may use node:crypto. */
const IO_MODULES = [
  'fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'dns/promises', 'child_process',
  'worker_threads', 'cluster', 'readline', 'repl', 'inspector', 'os', 'crypto',
  'better-sqlite3', 'pg', 'pg-cursor', 'pg-copy-streams', 'nats', 'fastify', 'undici', 'pino', 'prom-client',
  'commander', 'cli-progress',
];
const ALLOWED_IO = { exchange: ['crypto'] };

function isIo(spec) {
  const bare = spec.replace(/^node:/, '');
  return IO_MODULES.includes(bare) || bare.startsWith('@fastify/') ? bare : null;
}

/** The source with comments and template literals blanked, so only real import statements remain. */
function code(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else if (c === '`') {
      i++;
      while (i < text.length && text[i] !== '`') i += text[i] === '\\' ? 2 : 1;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else out += c;
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every file of src/ with what it imports: `files` (paths under src/, .ts) and `modules` (packages). */
export function readImports(root) {
  const src = join(root, 'src');
  const graph = new Map();
  for (const path of sourceFiles(src)) {
    const from = relative(src, path).split(sep).join('/');
    const files = [];
    const modules = [];
    for (const m of code(readFileSync(path, 'utf8')).matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) files.push(relative(src, resolve(dirname(path), spec)).split(sep).join('/').replace(/\.js$/, '.ts'));
      else modules.push(spec);
    }
    graph.set(from, { files, modules });
  }
  return graph;
}

const layerOf = (file) => (file.includes('/') ? file.split('/')[0] : '(src)');
const floorOf = (layer) => FLOORS.findIndex((floor) => floor.includes(layer));

/** Strongly connected components of the folder graph with more than one folder (Tarjan). */
export function folderCycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const cycles = [];
  let n = 0;
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  const visit = (v) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Every breach of the layers in the tree at `root`, as sentences; empty when the layers hold. */
export function checkLayers(root) {
  const graph = readImports(root);
  const problems = [];
  const edges = new Map();
  const via = new Map();
  for (const [from, { files }] of graph) {
    for (const to of files) {
      const a = layerOf(from);
      const b = layerOf(to);
      if (a === b) continue;
      (edges.get(a) ?? edges.set(a, new Set()).get(a)).add(b);
      const key = `${a} -> ${b}`;
      (via.get(key) ?? via.set(key, []).get(key)).push(`${from} -> ${to}`);
    }
  }
  for (const cycle of folderCycles(edges)) {
    const ties = [...via].filter(([key]) => cycle.includes(key.split(' -> ')[0]) && cycle.includes(key.split(' -> ')[1]));
    problems.push(`folder cycle: ${cycle.join(', ')} import each other:\n${ties.map(([key, list]) => `    ${key}: ${list.join('; ')}`).join('\n')}`);
  }
  const layers = new Set([...graph.keys()].map(layerOf));
  for (const layer of [...layers].sort()) {
    if (floorOf(layer) < 0) problems.push(`src/${layer === '(src)' ? '' : layer + '/'} has no floor: place it in FLOORS (scripts/check-layers.mjs) and docs/architecture.md`);
  }
  for (const [key, list] of [...via].sort()) {
    const [a, b] = key.split(' -> ');
    if (floorOf(a) < 0 || floorOf(b) < 0) continue;
    if (floorOf(b) >= floorOf(a)) {
      const how = floorOf(b) === floorOf(a) ? 'beside it on the same floor' : 'above it';
      problems.push(`${a}/ imports ${b}/, which stands ${how}: ${list.join('; ')}`);
    }
  }
  // A pure layer may not reach I/O, not even through a file of another layer.
  for (const [from] of graph) {
    const layer = layerOf(from);
    if (!PURE.includes(layer)) continue;
    const allowed = ALLOWED_IO[layer] ?? [];
    const seen = new Set([from]);
    const queue = [[from, [from]]];
    while (queue.length > 0) {
      const [file, path] = queue.shift();
      const entry = graph.get(file);
      if (!entry) continue;
      for (const spec of entry.modules) {
        const io = isIo(spec);
        if (io && !allowed.includes(io)) problems.push(`pure ${layer}/ reaches I/O: ${path.join(' -> ')} imports '${spec}'`);
      }
      for (const next of entry.files) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push([next, [...path, next]]);
      }
    }
  }
  return problems;
}

function main(argv) {
  const at = argv.indexOf('--root');
  const root = at >= 0 ? resolve(argv[at + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..');
  if (argv.includes('--graph')) {
    const graph = readImports(root);
    const counts = new Map();
    for (const [from, { files }] of graph) {
      for (const to of files) {
        const key = `${layerOf(from)} -> ${layerOf(to)}`;
        if (layerOf(from) !== layerOf(to)) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    for (const [key, count] of [...counts].sort()) console.log(`${key} (${count})`);
    return 0;
  }
  const problems = checkLayers(root);
  if (problems.length === 0) {
    console.log(`layers hold: ${FLOORS.map((floor) => floor.join(' ')).join(' < ')}`);
    return 0;
  }
  for (const p of problems) console.error(p);
  console.error(`${problems.length} breach(es) of the layers (docs/architecture.md)`);
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
