// The keys of the screens not yet declared in a keymap (screens/keymap.ts), for the Help screen and the
// footer line.
import type { Prompt, Route } from '../src/model/console-state.js';
import { HEALTH_FOOTER } from './Health.js';
import { HOME_FOOTER } from './Home.js';
import { NODES_LIST_FOOTER } from './Nodes.js';
import { NODE_PODS_FOOTER } from './NodePods.js';
import { DRAIN_RUNNING_FOOTER } from './DrainView.js';
import { RUNS_LIST_FOOTER } from './Runs.js';
import { RUN_FOOTER } from './RunView.js';
import { RESUME_FOOTER } from './ResumeOffer.js';

export interface KeyHelp {
  keys: string;
  what: string;
}

export const KEY_HELP: readonly KeyHelp[] = [
  { keys: '↑ ↓  j k', what: 'scroll a detail or this help' },
  { keys: 'PgUp PgDn  g G', what: 'a page up/down; top / bottom (detail and help)' },
  { keys: 'Esc', what: 'back one screen' },
  { keys: 'r', what: 'host detail: re-probe the host' },
  { keys: 'R', what: 'host detail: re-probe every host' },
  { keys: 'r  R', what: 'Health cell detail: re-run the cell / every cell' },
  { keys: '✓ ! ✗ E - … ·', what: 'Health cells: ok, warn, fail, error (could not check), skipped, running, pending; blank: does not apply' },
];

export type FooterKeys = [string, string][];

/** The footer: the keys valid on this screen (or in this prompt), as [key, what] pairs. */
export function footerKeys(route: Route, prompt: Prompt | undefined): [string, string][] {
  if (prompt?.kind === 'filter') return [['Enter', 'keep filter'], ['Esc', 'clear'], ['↑↓', 'move']];
  if (prompt?.kind === 'jump') return [['Tab', 'complete'], ['Enter', 'open'], ['Esc', 'cancel']];
  if (prompt?.kind === 'confirm-quit') return [['y', 'quit'], ['any other key', 'stay']];
  switch (route.screen) {
    case 'home':
      return HOME_FOOTER;
    case 'health':
      return HEALTH_FOOTER;
    case 'health-cell':
      return [['Esc', 'back'], ['jk', 'scroll'], ['r', 're-run'], ['?', 'help'], ['q', 'quit']];
    case 'host':
      return [['Esc', 'back'], ['r', 're-probe'], ['jk', 'scroll'], [':', 'jump'], ['?', 'help'], ['q', 'quit']];
    case 'procedure':
      return [['Esc', 'back'], ['jk', 'scroll'], [':', 'jump'], ['?', 'help'], ['q', 'quit']];
    case 'help':
      return [['Esc', 'back'], ['jk', 'scroll'], ['q', 'quit']];
    case 'run':
      return RUN_FOOTER;
    case 'runs':
      return RUNS_LIST_FOOTER;
    case 'resume':
      return RESUME_FOOTER;
    case 'nodes':
      return NODES_LIST_FOOTER;
    case 'node-pods':
      return NODE_PODS_FOOTER;
    case 'drain':
      return DRAIN_RUNNING_FOOTER;
  }
}
