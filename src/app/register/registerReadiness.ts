/** When the register is ready for traffic: while its database answers (it is open and its schema current). */
import type { RegisterStore } from '../../register/registerStore.js';
import type { Readiness } from '../probes.js';

export async function registerReadiness(store: Pick<RegisterStore, 'headSeq'>): Promise<Readiness> {
  try {
    await store.headSeq();
    return { ready: true };
  } catch (err) {
    return { ready: false, reason: `database: ${(err as Error).message}` };
  }
}
