/** GET /v1/console/config: which side this service is, so the one console bundle shows the right pages. */
import type { FastifyInstance } from 'fastify';
import { consoleConfigAnswer } from '../api/consoleConfig.js';
import { type AuthGate, route } from '../auth/route.js';
import { CONSOLE_PAGES, consoleBuilt } from './assets.js';

export type ConsoleRole = 'register' | 'border';

export interface ConsoleConfig {
  role: ConsoleRole;
  /**
   * The other service's base URL when this one is configured with it (a replica: its --register; a
   * register: --console-peer). The only place besides its own origin the console sends anything to.
   */
  peerUrl: string | null;
  /** Whether API requests need a bearer token. */
  auth: boolean;
  pages: readonly string[];
  built: boolean;
}

/** ERX_CONSOLE_PEER names the other side's URL for a service that cannot know it (the register). */
export function peerFromEnv(): string | null {
  const v = process.env.ERX_CONSOLE_PEER;
  return v && /^https?:\/\/\S+$/.test(v) ? v.replace(/\/+$/, '') : null;
}

export function consoleConfigRoute(app: FastifyInstance, gate: AuthGate, role: ConsoleRole, peerUrl: string | null): void {
  const config: ConsoleConfig = { role, peerUrl, auth: gate.secret !== null, pages: CONSOLE_PAGES, built: consoleBuilt() };
  route(app, gate, { method: 'GET', url: '/v1/console/config', summary: "The web console's view of this service: its side, its peer's URL, whether tokens are needed", tags: ['console'], access: 'public', response: consoleConfigAnswer }, async () => config);
}
