// The footer line: the keys of a prompt of the App, or of the screen (from its keymap, screens/keymap.ts),
// until a self-keyed screen hands its own.
import type { Prompt, Route } from '../src/model/console-state.js';
import { DRAIN_RUNNING_FOOTER } from './DrainView.js';
import { type DetailKeyContext, HEALTH_CELL_KEYS, HELP_KEYS, HOST_KEYS, PROCEDURE_DETAIL_KEYS, REPORT_KEYS } from './details.js';
import { HEALTH_FOOTER } from './Health.js';
import { HOME_FOOTER } from './Home.js';
import { footerOf } from './keymap.js';
import { NODE_PODS_FOOTER } from './NodePods.js';
import { NODES_LIST_FOOTER } from './Nodes.js';
import { RESUME_FOOTER } from './ResumeOffer.js';
import { RUNS_LIST_FOOTER } from './Runs.js';
import { RUN_FOOTER } from './RunView.js';

// The pages' keys apply in every state: their footers need no state.
const PAGE = {} as DetailKeyContext;

export type FooterKeys = [string, string][];

/** The footer: the keys valid on this screen (or in this prompt), as [key, what] pairs. */
export function footerKeys(route: Route, prompt: Prompt | undefined): [string, string][] {
  if (prompt?.kind === 'filter')
    return [
      ['Enter', 'keep filter'],
      ['Esc', 'clear'],
      ['↑↓', 'move'],
    ];
  if (prompt?.kind === 'jump')
    return [
      ['Tab', 'complete'],
      ['Enter', 'open'],
      ['Esc', 'cancel'],
    ];
  if (prompt?.kind === 'confirm-quit')
    return [
      ['y', 'quit'],
      ['any other key', 'stay'],
    ];
  switch (route.screen) {
    case 'home':
      return HOME_FOOTER;
    case 'health':
      return HEALTH_FOOTER;
    case 'health-cell':
      return footerOf(HEALTH_CELL_KEYS, PAGE);
    case 'host':
      return footerOf(HOST_KEYS, PAGE);
    case 'procedure':
      // a built one hands its own (PROCEDURE_KEYS); this is the detail of one not built yet
      return footerOf(PROCEDURE_DETAIL_KEYS, PAGE);
    case 'help':
      return footerOf(HELP_KEYS, PAGE);
    case 'run':
      return RUN_FOOTER;
    case 'runs':
      return RUNS_LIST_FOOTER;
    case 'report':
      return footerOf(REPORT_KEYS, PAGE);
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
