// The guide's info pages (catalogue entries of kind 'info'), by id: what the console shows on Enter.
import type { InfoPage } from '../src/model/info-page.js';
import { infoInventoryBackup } from './info-inventory-backup.js';
import { infoPrometheus } from './info-prometheus.js';
import { infoPruning } from './info-pruning.js';

export const INFO_PAGES: readonly InfoPage[] = [infoPrometheus, infoInventoryBackup, infoPruning];

export function findInfoPage(id: string): InfoPage | undefined {
  return INFO_PAGES.find((p) => p.id === id);
}

/** Procedures an info page offers (not named in PROCEDURES.md themselves: the page's section is). */
export const OFFERED_BY_INFO_PAGES: ReadonlySet<string> = new Set(INFO_PAGES.flatMap((p) => (p.procedure ? [p.procedure.id] : [])));
