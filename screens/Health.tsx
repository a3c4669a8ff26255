// Health: every check × every host as a matrix of symbols that fill in as results arrive, the counts
// per status above it, and the selected cell's check, host and message under it. Its keys: HEALTH_KEYS
// (the App feeds them; they give the footer and the Health part of `?`).
import { Box } from 'ink';
import type { Inventory } from '../src/inventory/types.js';
import type { Action } from '../src/model/console-state.js';
import type { HealthSnapshot } from '../src/model/health.js';
import { buildMatrix, effectiveCell, type HealthView, hasCell } from '../src/model/health-view.js';
import { HealthMatrix } from './components/HealthMatrix.js';
import { HealthStatusLine } from './components/HealthStatusLine.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { Txt } from './theme.js';

/** What the Health keys act on: the App's state (its reducer) and the health run. */
export interface HealthKeyContext extends GlobalContext {
  dispatch: (action: Action) => void;
  /** Re-runs the selected cell, or every cell. */
  rerun: (all: boolean) => void;
  /** Opens the selected cell's fix: its procedure, with the cell's host filled in. */
  openFix: () => void;
}

type C = HealthKeyContext;
const hmove = (c: C, delta: number) => c.dispatch({ type: 'hmove', delta });

/** The Health screen's keys (the App feeds them; the state they change is its reducer's). */
export const HEALTH_KEYS: Keymap<HealthKeyContext> = [
  ...movementKeys<C>({
    move: (c, delta) => c.dispatch({ type: 'move', delta }),
    what: 'the selection between rows (hosts)',
    footer: ['↑↓←→', 'cell'],
  }),
  {
    keys: ['h', 'l', 'left', 'right'],
    label: 'h l ← →',
    description: 'move between checks (the columns scroll; ‹ n more / n more › say what is hidden)',
    action: (c, p) => hmove(c, p.is('l', 'right') ? 1 : -1),
  },
  { keys: ['0', '$'], label: '0 $', description: 'the first / last check', action: (c, p) => hmove(c, p.is('0') ? -Infinity : Infinity) },
  {
    keys: ['enter'],
    footer: 'detail',
    description: 'the selected cell in full (message, fix, facts, raw output)',
    action: (c) => c.dispatch({ type: 'enter' }),
  },
  {
    keys: ['f'],
    footer: 'fix',
    description: "the selected cell's fix: its procedure, with the host filled in",
    action: (c) => c.openFix(),
  },
  { keys: ['r'], footer: 're-run', description: 're-run the selected cell', action: (c) => c.rerun(false) },
  { keys: ['R'], description: 're-run every cell', action: (c) => c.rerun(true) },
  {
    keys: ['p'],
    footer: 'problems',
    description: 'problems only (rows and columns with ! ✗ E), again to show all',
    action: (c) => c.dispatch({ type: 'toggle-problems' }),
  },
  {
    keys: ['/'],
    footer: 'filter',
    description: 'filter by host name or role, and/or check id (Enter keeps it, Esc clears it)',
    action: (c) => c.dispatch({ type: 'open-filter' }),
  },
  {
    keys: [':'],
    description: 'jump to a procedure by id (Tab completes, Enter opens it)',
    action: (c) => c.dispatch({ type: 'open-jump' }),
  },
  {
    keys: ['esc'],
    footer: 'back',
    description: 'clear the filter; without one, back to Home',
    action: (c) => c.dispatch({ type: 'back' }),
  },
  helpKey<C>({ footer: 'help' }),
  quitKey<C>(),
];

/** The Health footer (its keys apply in every state of the screen). */
export const HEALTH_FOOTER: FooterKeys = footerOf(HEALTH_KEYS, {} as HealthKeyContext);

export interface HealthProps extends Pick<ScreenFrameProps, 'width' | 'height'> {
  inventory: Inventory;
  /** Undefined: no health run (none could be started). */
  snapshot: HealthSnapshot | undefined;
  view: HealthView;
}

export function Health(props: HealthProps) {
  const { inventory, snapshot, view } = props;
  const { width, height } = useScreen(props);
  if (!snapshot) {
    return (
      <Box flexDirection='column' width={width} height={height}>
        <Txt tone='warn' bold wrap='wrap'>
          {'! Health checks are not available in this console (no health runner was given). Run `day2-tui check` from the shell instead.'}
        </Txt>
        <Txt dim>Esc back to Home.</Txt>
      </Box>
    );
  }
  const matrix = buildMatrix(inventory, snapshot, view);
  const { row, check } = effectiveCell(matrix, (r, c) => hasCell(snapshot, r, c), view);
  const empty = view.filter
    ? `nothing matches "${view.filter}" (a host name or role, a check id; Esc clears it)`
    : view.problemsOnly
      ? snapshot.done
        ? '✓ no warn, fail or error: every check passed (p shows everything)'
        : 'no warn, fail or error so far; checks still running (p shows everything)'
      : 'no check applies to the hosts of this run';
  return (
    <Box flexDirection='column' width={width} height={height}>
      <HealthStatusLine snapshot={snapshot} />
      <HealthMatrix
        matrix={matrix}
        snapshot={snapshot}
        row={row}
        check={check}
        filter={view.filter}
        problemsOnly={view.problemsOnly}
        width={width}
        height={Math.max(6, height - 1)}
        empty={empty}
      />
    </Box>
  );
}
