/**
 * `erx demo` (what `npm start` runs): a register and a border replica as two processes on localhost, a
 * synthetic register loaded into the first, the second bootstrapped from it, then a walkthrough of
 * screenings — a hit, a clear, a deferment, a lift that reaches the border while you watch — and due
 * process: a namesake cleared with the reference of a confirmed non-match, a contest upheld.
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { importFile, storeSink } from '../register/importer.js';
import { openRegisterStore } from '../app/register/openRegisterStore.js';
import { RegisterService } from '../register/registerService.js';
import { generatePersons } from '../demo/synthetic.js';
import { SHOWCASE } from '../demo/showcase.js';
import { demoOffices } from '../demo/offices.js';
import { OfficeService } from '../register/officeService.js';
import { td3 } from '../demo/mrzSpecimen.js';
import { authSecret, issueToken } from '../auth/tokens.js';
import { RegisterKeys } from '../auth/keyRing.js';
import { createProgress } from './progress.js';
import { consoleLinks } from '../console/links.js';
import { spawnService, type ChildService } from './child.js';
import { readAuditPublicKeys } from '../audit/auditKeys.js';
import { ReplicaKeys } from '../register/replicaKeys.js';

export interface DemoOptions {
  persons: number;
  data?: string;
  registerPort: number;
  borderPort: number;
  seed: number;
  exit?: boolean;
}

const say = (line = '') => process.stdout.write(line + '\n');

/** A port free on 127.0.0.1 right now (the kernel's pick), for a service started a moment later. */
async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function postJson(url: string, body: unknown, token: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

function describe(answer: any): string {
  const first = answer.reasons?.[0];
  const why = first ? ` — ${first.restrictionId} (${first.kind}, ${first.basis}, ${first.office}): ${first.detail}` : '';
  return `${String(answer.decision).toUpperCase()}${why}`;
}

async function writeSyntheticRegister(file: string, options: DemoOptions): Promise<void> {
  const out = createWriteStream(file);
  const progress = createProgress('generating synthetic register', 'persons');
  let n = 0;
  for (const person of generatePersons({ count: options.persons, seed: options.seed })) {
    if (!out.write(JSON.stringify(person) + '\n')) await once(out, 'drain');
    if (++n % 5000 === 0) progress.update(n, options.persons);
  }
  for (const person of Object.values(SHOWCASE)) out.write(JSON.stringify(person) + '\n');
  progress.update(n, options.persons);
  progress.stop();
  out.end();
  await once(out, 'finish');
}

/** Polls `check` until it holds or 10 s pass; returns the milliseconds it took (or null). */
async function within10s(check: () => Promise<boolean>): Promise<number | null> {
  const t0 = Date.now();
  do if (await check()) return Date.now() - t0;
  while (Date.now() - t0 < 10_000);
  return null;
}

/**
 * Issue #18 in a few lines: a namesake stopped, confirmed not the listed person, cleared with the
 * reference; a person contests a restriction through the replica, the office upholds it, the lift
 * reaches the border.
 */
async function dueProcessShowcase(R: string, B: string, borderDir: string, registerDir: string, tokens: { checkpoint: string; militaryOffice: string }) {
  // The register takes outcomes only from replicas it trusts (erx register trust-replica): the demo's replica.
  const keys = readAuditPublicKeys(borderDir);
  if (keys) new ReplicaKeys(registerDir).trust('demo-border', keys);
  const screen = async (body: unknown) => (await postJson(`${B}/v1/screenings`, body, tokens.checkpoint)).body;
  const namesake = { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: SHOWCASE.restricted.dateOfBirth, documentNumber: 'N0012345', documentCountry: 'KAZ', nationality: 'KAZ' };
  say('6. A namesake of the listed person (same name and date of birth, a Kazakh passport):');
  const stopped = await screen(namesake);
  say(`   → ${String(stopped.decision).toUpperCase()}; secondary inspection finds another person, the officer records it:`);
  const outcome = await postJson(`${B}/v1/screenings/${stopped.screeningId}/outcome`, { outcome: 'not-the-listed-person', note: 'demo: another person' }, tokens.checkpoint);
  if (outcome.status !== 200) throw new Error(`outcome failed: ${JSON.stringify(outcome.body)}`);
  let cleared: any;
  const ms = await within10s(async () => (cleared = await screen(namesake)).decision === 'clear');
  const why = cleared.reasons?.find((r: { status?: string }) => r.status === 'confirmed-non-match')?.detail ?? '';
  say(`   reference ${outcome.body.reference} handed over; via the register, the same traveller ${ms === null ? 'was not yet clear after 10 s' : `screens CLEAR ${ms} ms later`}: ${why}`);
  const { contesting } = SHOWCASE;
  say('7. A person contests a call-up through the replica; the office upholds it:');
  const filed = await fetch(`${B}/v1/contests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentNumber: contesting.documents[0]!.number, dateOfBirth: contesting.dateOfBirth, contact: contesting.contact.email, reason: 'The notice was served on my namesake.' }) });
  const contest = (await filed.json()) as { caseNumber?: string; deadline?: string; error?: string };
  if (filed.status !== 201 || !contest.caseNumber) throw new Error(`contest failed: ${JSON.stringify(contest)}`);
  const traveller = { surname: 'SOKOLOV', givenNames: 'DENIS', dateOfBirth: contesting.dateOfBirth };
  say(`   case ${contest.caseNumber} (to be answered by ${contest.deadline?.slice(0, 10)}); before: ${String((await screen(traveller)).decision).toUpperCase()}`);
  const answered = await postJson(`${R}/v1/contests/${contest.caseNumber}/answer`, { decision: 'upheld', reasons: 'Served on a namesake; the notice is cancelled.' }, tokens.militaryOffice);
  if (answered.status !== 200) throw new Error(`answer failed: ${JSON.stringify(answered.body)}`);
  const liftMs = await within10s(async () => (await screen(traveller)).decision === 'clear');
  say(`   upheld at the register: the call-up is lifted, ${liftMs === null ? 'not yet clear at the border after 10 s' : `the border answered CLEAR ${liftMs} ms later`}; the person's e-mails wait in the register's outbox (sent when it runs with --smtp)`);
}

export async function runDemo(options: DemoOptions): Promise<void> {
  let dataDir: string;
  if (options.data) {
    dataDir = resolve(options.data);
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new Error(`--data ${dataDir} is not empty; the demo builds a fresh register, so give it an empty or new directory`);
    }
    mkdirSync(dataDir, { recursive: true });
  } else dataDir = mkdtempSync(join(tmpdir(), 'erx-demo-'));
  say(`erx demo — data in ${dataDir}`);

  const seedFile = join(dataDir, 'synthetic-register.jsonl');
  await writeSyntheticRegister(seedFile, options);
  const store = openRegisterStore(join(dataDir, 'register'));
  const progress = createProgress('importing into the register', 'bytes');
  const started = Date.now();
  const report = await importFile(seedFile, storeSink(new RegisterService(store)), {
    onProgress: (bytes, total) => progress.update(bytes, total),
  });
  progress.stop();
  // Every office the register names, with its contact details, so a self-check shows where to turn.
  const offices = new OfficeService(store);
  const demoOfficeList = demoOffices();
  for (const o of demoOfficeList) await offices.put(o.officeId, o.body, 'demo');
  const head = await store.headSeq();
  await store.close();
  say(`register loaded: ${report.loaded} persons and ${demoOfficeList.length} offices with contact details, ${head} changes in the log, in ${((Date.now() - started) / 1000).toFixed(1)} s${report.failed.length ? `; ${report.failed.length} bad lines` : ''}`);

  // Tokens for the walkthrough: each service accepts tokens signed with the key in its own data dir.
  const registerDir = join(dataDir, 'register');
  const borderDir = join(dataDir, 'border');
  const tokens = {
    operator: await issueToken(authSecret(registerDir), { role: 'operator', sub: 'demo-operator' }),
    office: await issueToken(authSecret(registerDir), { role: 'office', office: 'CT-Moscow-Tverskoy', sub: 'demo-court' }),
    militaryOffice: await issueToken(authSecret(registerDir), { role: 'office', office: 'MO-Moscow-12', sub: 'demo-clerk' }),
    feed: await issueToken(authSecret(registerDir), { role: 'border', sub: 'demo-border' }),
    checkpoint: await issueToken(authSecret(borderDir), { role: 'checkpoint', sub: 'demo-checkpoint' }),
    auditor: await issueToken(authSecret(borderDir), { role: 'auditor', sub: 'demo-auditor' }),
  };

  const children: ChildService[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((c) => c.stop()));
  };
  // Ctrl-C at any moment stops the services we started; none is left running behind the demo.
  let interrupted: () => void = () => {};
  const stopRequested = new Promise<void>((r) => (interrupted = r));
  const onSignal = () => {
    say('stopping…');
    interrupted();
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => children.forEach((c) => c.child.kill('SIGTERM')));
  try {
    // The register's console links to the replica, at the address it is configured with (never one from
    // a link), so the replica's port is chosen before the register starts.
    const borderPort = options.borderPort || (await freePort());
    const registerSvc = await spawnService(['register', 'serve', '--port', String(options.registerPort), '--data', registerDir, '--console-peer', `http://127.0.0.1:${borderPort}`], {
      env: { ERX_LOG_FILE: join(dataDir, 'register.log') },
    });
    children.push(registerSvc);
    // The replica trusts the register's keys as exported (erx register keys export), never its first contact.
    const trustFile = join(dataDir, 'register-keys.json');
    writeFileSync(trustFile, JSON.stringify({ keys: new RegisterKeys(registerDir).published() }, null, 2) + '\n');
    const borderSvc = await spawnService(
      ['border', 'serve', '--register', registerSvc.url, '--token', tokens.feed, '--trust', trustFile, '--port', String(borderPort), '--data', borderDir],
      { env: { ERX_LOG_FILE: join(dataDir, 'border.log') }, stderr: 'inherit' },
    );
    children.push(borderSvc);
    const R = registerSvc.url;
    const B = borderSvc.url;

    const bootStart = Date.now();
    for (;;) {
      const status = await getJson(`${B}/v1/border/status`);
      if (status.dataAsOf && status.replicaSeq >= head) break;
      if (Date.now() - bootStart > 600_000) throw new Error('the border replica did not catch up within 10 minutes; see border.log');
      await new Promise((r) => setTimeout(r, 100));
    }
    say(`border replica bootstrapped and caught up in ${((Date.now() - bootStart) / 1000).toFixed(1)} s`);
    say();
    say(`  register        ${R}      (log: ${join(dataDir, 'register.log')})`);
    say(`  border replica  ${B}      (log: ${join(dataDir, 'border.log')})`);
    say();

    const { restricted, toLift, deferred } = SHOWCASE;
    const mrz = td3({ surname: restricted.surname, givenNames: restricted.givenNames, documentNumber: restricted.documents[0]!.number, country: 'RUS', dateOfBirth: restricted.dateOfBirth, sex: 'M', expires: '2031-05-01' });
    const screen = (body: unknown) => postJson(`${B}/v1/screenings`, body, tokens.checkpoint);

    say('1. A traveller with a served call-up notice, by passport MRZ:');
    say(mrz.split('\n').map((l) => `     ${l}`).join('\n'));
    say(`   → ${describe((await screen({ mrz })).body)}`);
    say('2. The same person typed by an officer in Latin letters (ИВАНОВ ЮРИЙ = IVANOV IURII):');
    say(`   → ${describe((await screen({ surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: restricted.dateOfBirth })).body)}`);
    say('3. A traveller not in the register:');
    say(`   → ${describe((await screen({ surname: 'PETROVA', givenNames: 'ANNA', dateOfBirth: '1990-01-01', documentNumber: '700000001', nationality: 'RUS' })).body)}`);
    say('4. A served call-up notice, but the person holds a valid deferment:');
    say(`   → ${describe((await screen({ surname: 'KHABIBULLIN', givenNames: 'ARTEM', dateOfBirth: deferred.dateOfBirth })).body)}`);

    const liftee = { surname: 'SHCHERBAKOVA', givenNames: 'IULIIA', dateOfBirth: toLift.dateOfBirth };
    say('5. A court travel ban, before and after the court lifts it:');
    say(`   before: ${describe((await screen(liftee)).body)}`);
    const restrictionId = toLift.restrictions[0]!.restrictionId;
    const t0 = Date.now();
    const lifted = await postJson(`${R}/v1/restrictions/${restrictionId}/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' }, tokens.office);
    if (lifted.status !== 200) throw new Error(`lift failed: ${JSON.stringify(lifted.body)}`);
    let after: any;
    do {
      after = (await screen(liftee)).body;
    } while (after.decision !== 'clear' && Date.now() - t0 < 10_000);
    say(`   lifted at the register; the border answered clear ${Date.now() - t0} ms later: ${describe(after)}`);
    await dueProcessShowcase(R, B, borderDir, registerDir, tokens);
    say();
    if (options.exit) {
      say('--exit: stopping the services (run without --exit to keep them serving and try them yourself).');
      return;
    }
    say('Tokens (each service accepts the ones signed with the key in its data dir; erx auth token makes more):');
    say(`  export OPERATOR=${tokens.operator}`);
    say(`  export CHECKPOINT=${tokens.checkpoint}`);
    say(`  export AUDITOR=${tokens.auditor}`);
    say();
    say('Try it yourself:');
    say(`  curl -s ${B}/v1/border/status`);
    say(`  curl -s -X POST ${B}/v1/screenings -H "authorization: Bearer $CHECKPOINT" -H 'content-type: application/json' \\`);
    say(`       -d '{"surname":"IVANOV","givenNames":"IURII","dateOfBirth":"1999-03-04"}'`);
    say(`  curl -s -X POST ${B}/v1/screenings -H "authorization: Bearer $CHECKPOINT" -H 'content-type: application/json' -d '{"mrz":${JSON.stringify(mrz)}}'`);
    say(`  curl -s -H "authorization: Bearer $OPERATOR" ${R}/v1/persons/${restricted.personId}`);
    say(`  curl -s -X POST ${R}/v1/restrictions/CU-2024-77/lift -H "authorization: Bearer $OPERATOR" -H 'content-type: application/json' \\`);
    say(`       -d '{"liftedAt":"${new Date().toISOString().slice(0, 19)}Z","liftReason":"cancellation"}'`);
    say(`  echo '{"surname":"IVANOV","givenNames":"IURII","dateOfBirth":"1999-03-04"}' | ERX_TOKEN=$CHECKPOINT npx erx screen --border ${B}`);
    say(`  curl -s -H "authorization: Bearer $AUDITOR" ${B}/v1/screenings?limit=5`);
    say(`  API docs: ${R}/docs and ${B}/docs; metrics: ${B}/metrics`);
    say();
    // The web console: each link carries the tokens its pages need (in the fragment, never sent to a server).
    const borderOperator = await issueToken(authSecret(borderDir), { role: 'operator', sub: 'demo-console' });
    const links = consoleLinks({ registerUrl: R, borderUrl: B, registerTokens: [tokens.operator], borderTokens: [tokens.checkpoint, tokens.auditor, borderOperator] });
    say('Web console (open in a browser):');
    say(`  checkpoint officer, replica operations:  ${links.officer}`);
    say(`  register operator (persons, import):     ${links.operator}`);
    say(`  self-check, for a person (no token):     ${links.selfCheck}`);
    say();
    say('Serving until Ctrl-C.');
    await stopRequested;
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A temporary directory of our own is worth nothing after an --exit run; one given with --data stays.
    if (options.exit && !options.data) rmSync(dataDir, { recursive: true, force: true });
  }
}
