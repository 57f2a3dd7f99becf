/** Which side this page is served by (register or border replica) and where the other side is. */
import type { ConsoleConfigAnswer } from '@api/consoleConfig';
import { t, type Messages } from '../i18n';
import { api } from './api';

/** The answer of GET /v1/console/config (src/api/consoleConfig.ts). */
export type ConsoleConfig = ConsoleConfigAnswer;

/** The peer is what this service was configured with (its --register, or --console-peer), never a link's `peer=`. */
export async function loadConfig(): Promise<ConsoleConfig> {
  return api<ConsoleConfig>('/v1/console/config');
}

export interface PageInfo {
  path: string;
  side: 'register' | 'border';
  /** Which entry of the catalogue's `pages` names and describes it. */
  words: keyof Messages['pages'];
}

export const PAGES: PageInfo[] = [
  { path: 'officer', side: 'border', words: 'officer' },
  { path: 'self-check', side: 'border', words: 'selfCheck' },
  { path: 'manifests', side: 'border', words: 'manifests' },
  { path: 'operations', side: 'border', words: 'borderOps' },
  { path: 'persons', side: 'register', words: 'persons' },
  { path: 'import', side: 'register', words: 'import' },
  { path: 'contests', side: 'register', words: 'contests' },
  { path: 'operations', side: 'register', words: 'registerOps' },
  { path: 'statistics', side: 'register', words: 'statistics' },
];

/** A page's title and blurb in the reader's language. */
export const pageWords = (p: PageInfo) => t().pages[p.words];
