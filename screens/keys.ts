// Every key of the console, for the Help screen and the footer line.
import type { Prompt, Route } from '../src/model/console-state.js';

export interface KeyHelp {
  keys: string;
  what: string;
}

export const KEY_HELP: readonly KeyHelp[] = [
  { keys: '↑ ↓  j k', what: 'move in the focused list; scroll a detail or this help' },
  { keys: 'PgUp PgDn  g G', what: 'a page up/down; top / bottom (detail and help)' },
  { keys: 'Tab  ← →', what: 'switch between the hosts and procedures panes (the focused one has a double border and ▶)' },
  { keys: 'Enter', what: 'open the selected host or procedure' },
  { keys: 'Esc', what: 'back one screen; at Home, clear the focused list\'s filter' },
  { keys: '/', what: 'filter the focused list as you type (Enter keeps it, Esc clears it)' },
  { keys: ':', what: 'jump to a procedure by id (Tab completes, Enter opens it)' },
  { keys: 'r', what: 're-probe the selected host (Home hosts pane, host detail)' },
  { keys: 'R', what: 're-probe every host' },
  { keys: 'h', what: 'Home: open the Health matrix (hosts × checks; starts the checks the first time)' },
  { keys: '← → h l', what: 'Health: move between checks (the columns scroll; ‹ n more / n more › say what is hidden)' },
  { keys: 'Enter', what: 'Health: the selected cell in full (message, fix, facts, raw output)' },
  { keys: 'r  R', what: 'Health: re-run the selected cell / every cell' },
  { keys: 'p', what: 'Health: problems only (rows and columns with ! ✗ E), again to show all' },
  { keys: '/', what: 'Health: filter by host name or role, and/or check id' },
  { keys: '✓ ! ✗ E - … ·', what: 'Health cells: ok, warn, fail, error (could not check), skipped, running, pending; blank: does not apply' },
  { keys: '?', what: 'this help' },
  { keys: 'q  Ctrl-C', what: 'quit (asks first while a run is active)' },
];

/** The footer: the keys valid on this screen (or in this prompt), as [key, what] pairs. */
export function footerKeys(route: Route, prompt: Prompt | undefined): [string, string][] {
  if (prompt?.kind === 'filter') return [['Enter', 'keep filter'], ['Esc', 'clear'], ['↑↓', 'move']];
  if (prompt?.kind === 'jump') return [['Tab', 'complete'], ['Enter', 'open'], ['Esc', 'cancel']];
  if (prompt?.kind === 'confirm-quit') return [['y', 'quit'], ['any other key', 'stay']];
  switch (route.screen) {
    case 'home':
      return [['Tab', 'pane'], ['Enter', 'open'], ['h', 'health'], ['/', 'filter'], [':', 'jump'], ['r', 're-probe'], ['?', 'help'], ['q', 'quit']];
    case 'health':
      return [['↑↓←→', 'cell'], ['Enter', 'detail'], ['r', 're-run'], ['R', 'all'], ['p', 'problems'], ['/', 'filter'], ['Esc', 'back'], ['?', 'help']];
    case 'health-cell':
      return [['Esc', 'back'], ['jk', 'scroll'], ['r', 're-run'], ['?', 'help'], ['q', 'quit']];
    case 'host':
      return [['Esc', 'back'], ['r', 're-probe'], ['jk', 'scroll'], [':', 'jump'], ['?', 'help'], ['q', 'quit']];
    case 'procedure':
      return [['Esc', 'back'], ['jk', 'scroll'], [':', 'jump'], ['?', 'help'], ['q', 'quit']];
    case 'help':
      return [['Esc', 'back'], ['jk', 'scroll'], ['q', 'quit']];
  }
}
