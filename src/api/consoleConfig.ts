/** GET /v1/console/config: which side the service is, so the one console bundle shows the right pages. */
import { z } from 'zod';

export const consoleConfigAnswer = z.object({
  role: z.enum(['register', 'border']),
  /**
   * The other service's base URL when this one is configured with it (a replica: its --register; a
   * register: --console-peer). The only place besides its own origin the console sends anything to.
   */
  peerUrl: z.string().nullable(),
  /** Whether API requests need a bearer token. */
  auth: z.boolean(),
  pages: z.array(z.string()).readonly(),
  built: z.boolean(),
});
export type ConsoleConfigAnswer = z.infer<typeof consoleConfigAnswer>;
