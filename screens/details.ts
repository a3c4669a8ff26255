// The keys of the pages the App keys itself besides Home and Health: a host's detail, a procedure not
// built yet, a health cell in full, and the `?` page. Each page's Pager scrolls it with the common
// movement keys (movementKeys); the entry 'scroll' here only says so in the footer and the help.
import type { Action } from '../src/model/console-state.js';
import { type GlobalContext, helpKey, type KeyEntry, type Keymap, pagerScrollKey, quitKey } from './keymap.js';

/** What the keys of these pages act on: the App's state (its reducer), the probes and the health run. */
export interface DetailKeyContext extends GlobalContext {
  dispatch: (action: Action) => void;
  reprobe: (all: boolean) => void;
  rerun: (all: boolean) => void;
  /** Opens the health cell's fix: its procedure, with the cell's host filled in. */
  openFix: () => void;
  /** Writes the record shown to a file (and says where). */
  writeReport: () => void;
}

type C = DetailKeyContext;

const back: KeyEntry<C> = { keys: ['esc'], footer: 'back', description: 'back one screen', action: (c) => c.dispatch({ type: 'back' }) };
const scroll: KeyEntry<C> = pagerScrollKey<C>();
const jump = (footer?: string): KeyEntry<C> => ({
  keys: [':'],
  footer,
  description: 'jump to a procedure by id (Tab completes, Enter opens it)',
  action: (c) => c.dispatch({ type: 'open-jump' }),
});
// Not a list: the App says so ("/ filters a list: Esc back to Home first.").
const noFilter: KeyEntry<C> = { keys: ['/'], description: '', action: (c) => c.dispatch({ type: 'open-filter' }) };
// r on a page without a host: the App says which key does what.
const probeHint: KeyEntry<C> = { keys: ['r'], description: '', action: (c) => c.reprobe(false) };
const probeAll: KeyEntry<C> = { keys: ['R'], description: 're-probe every host', action: (c) => c.reprobe(true) };

/** A host's detail. */
export const HOST_KEYS: Keymap<DetailKeyContext> = [
  back,
  { keys: ['r'], footer: 're-probe', description: 're-probe the host', action: (c) => c.reprobe(false) },
  probeAll,
  scroll,
  jump('jump'),
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
  noFilter,
];

/** A procedure not built yet: its detail page. */
export const PROCEDURE_DETAIL_KEYS: Keymap<DetailKeyContext> = [
  back,
  scroll,
  jump('jump'),
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
  probeHint,
  probeAll,
  noFilter,
];

/** A health cell in full. */
export const HEALTH_CELL_KEYS: Keymap<DetailKeyContext> = [
  back,
  scroll,
  { keys: ['f'], footer: 'fix', description: "this cell's fix: its procedure, with the host filled in", action: (c) => c.openFix() },
  { keys: ['r'], footer: 're-run', description: 're-run the check of this cell', action: (c) => c.rerun(false) },
  { keys: ['R'], description: 're-run every cell', action: (c) => c.rerun(true) },
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
  jump(),
  noFilter,
];

/** A run's record for the ticket. */
export const REPORT_KEYS: Keymap<DetailKeyContext> = [
  back,
  scroll,
  {
    keys: ['w'],
    footer: 'write to a file',
    description: 'write this record to <state dir>/reports/<run-id>.md',
    action: (c) => c.writeReport(),
  },
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
  jump(),
  probeHint,
  probeAll,
  noFilter,
];

/** The `?` page itself (? again closes it, as Esc does). */
export const HELP_KEYS: Keymap<DetailKeyContext> = [
  back,
  scroll,
  quitKey<C>({ footer: 'quit' }),
  helpKey<C>(),
  jump(),
  probeHint,
  probeAll,
  noFilter,
];

/** Any other screen the App keys (e.g. a drain no longer held): back, help, quit and the jump. */
export const PAGE_KEYS: Keymap<DetailKeyContext> = [back, helpKey<C>(), quitKey<C>(), jump(), probeHint, probeAll, noFilter];
