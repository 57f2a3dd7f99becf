/**
 * The keys a replica trusts, from its trust file or pinned in its data directory; without either it
 * refuses to start, unless trust on first use was asked for — then it says loudly what that means.
 */
import { NO_TRUST_MESSAGE, ReplicaTrust } from '../../border/sync/trust.js';
import type { Logger } from '../../shared/log.js';
import type { BorderOptions } from './borderOptions.js';

export function replicaTrust(options: Pick<BorderOptions, 'dataDir' | 'trustFile' | 'trustOnFirstUse'>, log: Logger): ReplicaTrust {
  const trust = new ReplicaTrust(options.dataDir, options.trustFile, { firstUse: options.trustOnFirstUse ?? false });
  if (!trust.canStart) throw new Error(NO_TRUST_MESSAGE);
  if (trust.origin === 'none') log.warn('--trust-on-first-use: the keys the feed publishes at first contact will be pinned; whoever answers first is trusted as the register (give --trust FILE in production)');
  return trust;
}
