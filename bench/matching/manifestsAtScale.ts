/**
 * Carriers' manifests at the register sizes only this benchmark builds (issue #19 asks for the
 * 300-traveller manifest's p99 at 10 M listed persons, a register the HTTP benchmark cannot build in a
 * run): over the replica the scale benchmark made, `ManifestService.submit` of whole manifests, one at
 * a time — each traveller matched, decided now and as of departure, the manifest's screenings audited
 * with one commit and the manifest stored, exactly what `POST /v1/manifests` does once the body is
 * parsed. No HTTP and no concurrency: this is what the register's size does to one manifest, on one
 * core; bench/sections/manifests.ts measures the service over HTTP with concurrent carriers.
 */
import { manifestTravellers } from '../sections/manifests.js';
import { ManifestService } from '../../src/border/manifests/manifestService.js';
import type { ScreeningService } from '../../src/border/screening.js';
import { SqliteManifestStore } from '../../src/store/sqlite/manifestStore.js';
import { percentile } from './common.js';

export interface ManifestsAtScale {
  manifests: number;
  travellersPerManifest: number;
  p50: number;
  p99: number;
  /** Travellers answered per second of one core, manifests one after another. */
  travellersPerSecond: number;
  /** CPU (process.cpuUsage) per traveller, ms. */
  cpuPerTravellerMs: number;
}

const WARM_UP = 3;

/** `count` manifests of `size` travellers of the synthetic register (`persons`, `seed`) through `screening`. */
export async function manifestsAtScale(dataDir: string, screening: ScreeningService, persons: number, seed: number, count: number, size = 300): Promise<ManifestsAtScale> {
  const store = new SqliteManifestStore(dataDir);
  try {
    const service = new ManifestService({ store, screening });
    const pool = manifestTravellers(persons, seed, Math.max(3000, size));
    let next = 0;
    const manifest = () => ({
      carrier: 'BENCH',
      service: 'BN1',
      departureAt: new Date(Date.now() + 3600_000).toISOString(),
      from: 'SVO',
      to: 'IST',
      travellers: Array.from({ length: size }, () => pool[next++ % pool.length]!),
    });
    for (let i = 0; i < WARM_UP; i++) await service.submit(manifest(), 'carrier:bench@127.0.0.1');
    const took: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const body = manifest();
      const a = performance.now();
      await service.submit(body, 'carrier:bench@127.0.0.1');
      took.push(performance.now() - a);
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    took.sort((x, y) => x - y);
    return {
      manifests: count,
      travellersPerManifest: size,
      p50: percentile(took, 0.5),
      p99: percentile(took, 0.99),
      travellersPerSecond: (count * size * 1000) / wall,
      cpuPerTravellerMs: (cpu.user + cpu.system) / 1000 / (count * size),
    };
  } finally {
    await store.close();
  }
}
