/**
 * The HTTP server every erx service starts from: Fastify with the shared defaults (shared/http.ts),
 * HTTPS when given certificate files, request metrics and /metrics, and the gate that checks bearer
 * tokens against the service's own secret (or lets everything through with `auth: false`, for local
 * experiments only).
 */
import type { FastifyInstance } from 'fastify';
import { ServiceTokens } from '../auth/serviceTokens.js';
import { createServer, type TlsFiles } from '../shared/http.js';
import { instrumentHttp, type ServiceMetrics } from '../shared/metrics.js';
import type { AuthGate } from '../auth/route.js';

export async function serviceServer(name: string, description: string, options: { dataDir: string; auth?: boolean; tls?: TlsFiles }, metrics: ServiceMetrics): Promise<{ app: FastifyInstance; gate: AuthGate }> {
  const app = await createServer({ name, description, ...(options.tls ? { tls: options.tls } : {}) });
  instrumentHttp(app, metrics);
  const gate: AuthGate = options.auth === false ? { secret: null } : new ServiceTokens(options.dataDir);
  return { app, gate };
}
