/**
 * The clock's re-screening pass (border/manifests/rescreen.ts) against a border replica following a
 * register, on an injected clock: it screens only what the clock can change. With no boundary reached it
 * screens nobody; when a traveller's restriction comes into force it screens that manifest alone and its
 * answer changes; a manifest screened on data older than the replica's (one a page's pass may have
 * missed) is screened and changes; a change of the replica's standing (too stale to clear, and fresh
 * again) makes every manifest screened under the other one due, including one answered while stale.
 * Counted with the Rescreener's PassReport.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createBorderReplica } from '../../src/app/borderServer.js';
import { createRegister } from '../../src/app/registerServer.js';
import { ManifestService } from '../../src/border/manifests/manifestService.js';
import { Rescreener } from '../../src/border/manifests/rescreen.js';
import { ScreeningService } from '../../src/border/screening.js';
import { defaultMatcher } from '../../src/matching/index.js';
import { createLogger } from '../../src/shared/log.js';
import { SqliteManifestStore } from '../../src/store/sqlite/manifestStore.js';
import { callUp, exportRegisterKeys, personLine, served, tempDir } from '../helpers.js';
import type { ManifestTraveller } from '../../src/api/manifests.js';

const IVANOV: ManifestTraveller = { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1999-03-04', sex: 'M', documentNumber: '751234567', nationality: 'RUS' };
const PETROV: ManifestTraveller = { surname: 'PETROV', givenNames: 'PETR', dateOfBirth: '1985-06-07', documentNumber: '750000002', nationality: 'RUS' };
const SMITH: ManifestTraveller = { surname: 'SMITH', givenNames: 'ANNA', dateOfBirth: '1990-01-01', documentNumber: 'GB1234567', nationality: 'GBR' };
const HOUR = 3600_000;

async function setUp(t: TestContext) {
  const regDir = tempDir(t);
  const reg = await createRegister({ dataDir: regDir, auth: false });
  t.after(() => reg.close());
  const op = (url: string, payload: object) => reg.app.inject({ method: 'POST', url, payload });
  await op('/v1/persons', personLine({ personId: 'R-1', surname: 'Иванов', givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }] }));
  await op('/v1/persons', personLine({ personId: 'R-2', surname: 'Петров', givenNames: 'Пётр', dateOfBirth: '1985-06-07', documents: [{ type: 'passport', number: '750000002', country: 'RUS' }] }));
  assert.equal((await op('/v1/restrictions', { personId: 'R-1', ...callUp('CU-1') })).statusCode, 201);
  await op('/v1/restrictions/CU-1/service', served);
  await reg.app.listen({ port: 0, host: '127.0.0.1' });
  const replica = await createBorderReplica({ dataDir: tempDir(t), registerUrl: `http://127.0.0.1:${(reg.app.server.address() as AddressInfo).port}`, trustFile: exportRegisterKeys(regDir), longPollMs: 200 });
  t.after(() => replica.close());
  replica.follower.start();
  const caughtUp = async () => replica.follower.waitFor(await reg.store.headSeq());
  await caughtUp();
  // Served through the portal, CU-1 comes into force some days after its service (the service rules).
  const [cu1] = await replica.store.restrictionsOf(['R-1']);
  const inForceFrom = Date.parse(cu1!.inForceFrom);

  // The clock starts two hours before CU-1 comes into force; the flight leaves two days after.
  const clock = { ms: inForceFrom - 2 * HOUR };
  const now = () => new Date(clock.ms);
  const lag = { seconds: 0 };
  const screening = new ScreeningService({
    store: replica.store,
    matcher: defaultMatcher,
    freshness: async () => ({ ...(await replica.freshness()), lagSeconds: lag.seconds }),
    maxStalenessSeconds: 900,
    now,
    timeZone: 'Europe/Moscow',
  });
  const store = new SqliteManifestStore(tempDir(t));
  t.after(() => store.close());
  const service = new ManifestService({ store, screening, now });
  const rescreener = new Rescreener({ store, service, log: createLogger('test'), now });
  const departureAt = new Date(inForceFrom + 48 * HOUR).toISOString();
  const submit = async (...list: ManifestTraveller[]) => (await service.submit({ carrier: 'SU', service: 'SU2130', departureAt, from: 'SVO', to: 'IST', travellers: list }, 'carrier:SU')).manifestId;
  const answers = async (id: string) => (await store.get(id))!.travellers.map((x) => x.answer);
  const tick = async () => {
    await rescreener.tick();
    const { full, manifests, travellers: screened, changed } = rescreener.last!;
    return { full, manifests, travellers: screened, changed };
  };
  return { op, caughtUp, clock, inForceFrom, lag, store, rescreener, submit, answers, tick };
}

test('a clock pass with no boundary reached screens nobody; at a restriction coming into force it screens that manifest alone, and the answer changes', async (t) => {
  const { clock, inForceFrom, submit, answers, store, tick } = await setUp(t);
  const flying = await submit(IVANOV, SMITH);
  const other = await submit(PETROV, SMITH);
  assert.deepEqual(await answers(flying), ['check-at-border', 'board'], 'CU-1 is in force at departure, not yet now');
  assert.deepEqual(await answers(other), ['board', 'board']);
  assert.equal((await store.live(new Date(clock.ms).toISOString(), 10)).find((m) => m.manifestId === flying)!.recheckAt, new Date(inForceFrom).toISOString(), 'kept with the manifest');

  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 }, 'nothing has come');
  clock.ms = inForceFrom - 60_000;
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 }, 'a minute before');

  clock.ms = inForceFrom + 60_000;
  assert.deepEqual(await tick(), { full: false, manifests: 1, travellers: 2, changed: 1 }, 'the manifest whose recheck has come, alone');
  assert.deepEqual(await answers(flying), ['do-not-board', 'board']);
  assert.deepEqual((await store.changesSince(flying, 1)).map((c) => [c.position, c.from, c.to]), [[1, 'check-at-border', 'do-not-board']]);
  assert.equal((await store.get(other))!.version, 1, 'the other manifest untouched');
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 }, 'no boundary left before departure');
});

test("a clock pass screens a manifest answered on data older than the replica's: one a page's pass may have missed", async (t) => {
  const { op, caughtUp, submit, answers, tick } = await setUp(t);
  const id = await submit(PETROV, SMITH);
  assert.deepEqual(await answers(id), ['board', 'board']);
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 });
  // A ban on PETROV reaches the replica; this Rescreener hears of no page (as when its pass ran before the manifest was stored).
  assert.equal((await op('/v1/restrictions', { personId: 'R-2', ...callUp('CU-2') })).statusCode, 201);
  await op('/v1/restrictions/CU-2/service', { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'in-person' });
  await caughtUp();
  assert.deepEqual(await tick(), { full: false, manifests: 1, travellers: 2, changed: 1 });
  assert.deepEqual(await answers(id), ['do-not-board', 'board']);
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 }, 'screened on the current data now');
});

test("a change of the replica's standing makes every manifest screened under the other due: too stale to clear, and fresh again", async (t) => {
  const { lag, submit, answers, tick } = await setUp(t);
  const id = await submit(IVANOV, SMITH);
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 });
  lag.seconds = 3600;
  assert.deepEqual(await tick(), { full: false, manifests: 1, travellers: 2, changed: 1 });
  assert.deepEqual(await answers(id), ['check-at-border', 'check-at-border'], 'a stale replica never clears');
  const whileStale = await submit(SMITH);
  assert.deepEqual(await answers(whileStale), ['check-at-border']);
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 }, 'still stale: nothing more to do');
  lag.seconds = 0;
  assert.deepEqual(await tick(), { full: false, manifests: 2, travellers: 3, changed: 2 });
  assert.deepEqual(await answers(id), ['check-at-border', 'board']);
  assert.deepEqual(await answers(whileStale), ['board'], 'answered while stale, told board once fresh');
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 });
});

test('a full pass that failed is owed: the next pass reads every manifest again', async (t) => {
  const { store, rescreener, submit, tick } = await setUp(t);
  await submit(PETROV, SMITH);
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 });
  const live = store.live.bind(store);
  store.live = async () => {
    store.live = live;
    throw new Error('the disk is full');
  };
  const passes = rescreener.passes;
  await rescreener.trigger();
  assert.equal(rescreener.passes, passes, 'the pass failed');
  assert.deepEqual(await tick(), { full: true, manifests: 1, travellers: 2, changed: 0 });
  assert.deepEqual(await tick(), { full: false, manifests: 0, travellers: 0, changed: 0 });
});
