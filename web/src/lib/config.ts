/** Which side this page is served by (register or border replica) and where the other side is. */
import type { ConsoleConfigAnswer } from '@api/consoleConfig';
import { api } from './api';

/** The answer of GET /v1/console/config (src/api/consoleConfig.ts). */
export type ConsoleConfig = ConsoleConfigAnswer;

/** The peer is what this service was configured with (its --register, or --console-peer), never a link's `peer=`. */
export async function loadConfig(): Promise<ConsoleConfig> {
  return api<ConsoleConfig>('/v1/console/config');
}

export interface PageInfo {
  path: string;
  title: string;
  side: 'register' | 'border';
  blurb: string;
}

export const PAGES: PageInfo[] = [
  { path: 'officer', title: 'Screen a traveller', side: 'border', blurb: 'Checkpoint officer: scan or type a passport, see clear / refer / hit and why.' },
  { path: 'self-check', title: 'Self-check', side: 'border', blurb: 'A person checks whether an exit restriction applies to them, and how to contest it.' },
  { path: 'operations', title: 'Operations', side: 'border', blurb: "This replica's sequence, lag, integrity, and screenings per minute." },
  { path: 'persons', title: 'Persons', side: 'register', blurb: 'Register operator: find a person, see their restrictions and history; issue, serve, lift.' },
  { path: 'import', title: 'Import', side: 'register', blurb: 'Load a JSON Lines file of persons, with progress and a per-line error list.' },
  { path: 'operations', title: 'Operations', side: 'register', blurb: 'Replicas following the feed: sequence, lag, last contact; change log size.' },
  { path: 'statistics', title: 'Statistics', side: 'register', blurb: 'Public: restrictions imposed and lifted, time to relief at the border; small counts withheld.' },
];
