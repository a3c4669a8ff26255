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
      return [['↑↓', 'move'], ['Tab', 'pane'], ['Enter', 'open'], ['/', 'filter'], [':', 'jump'], ['r', 're-probe'], ['?', 'help'], ['q', 'quit']];
    case 'host':
      return [['Esc', 'back'], ['r', 're-probe'], ['jk', 'scroll'], [':', 'jump'], ['?', 'help'], ['q', 'quit']];
    case 'procedure':
      return [['Esc', 'back'], ['jk', 'scroll'], [':', 'jump'], ['?', 'help'], ['q', 'quit']];
    case 'help':
      return [['Esc', 'back'], ['jk', 'scroll'], ['q', 'quit']];
  }
}
