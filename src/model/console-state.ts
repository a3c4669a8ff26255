// Navigation state of the full-screen console and how each key action changes it.
// Pure (no React, no I/O): the screens render it, App maps keys to actions.
import type { CatalogueEntry } from './catalogue.js';
import { type HealthView, hostOfRow, initialHealthView } from './health-view.js';
import { effectiveSelection, moveSelection, resolveJump } from './home.js';

export type Pane = 'hosts' | 'procedures';

/**
 * One screen of the console. To add a screen: add a variant here, a component in screens/, and its
 * entry in screens/routes.tsx's `ROUTES` (and its footer in screens/keys.ts).
 */
export type Route =
  | { screen: 'home' }
  | { screen: 'help' }
  | { screen: 'host'; host: string }
  /** `prefill`: values the form starts with (a health cell's host, when opened as its fix). */
  | { screen: 'procedure'; id: string; prefill?: Readonly<Record<string, string>> }
  /** The health matrix (hosts × checks). */
  | { screen: 'health' }
  /** One cell of the health matrix: the check on a host (null: cluster-wide). */
  | { screen: 'health-cell'; check: string; host: string | null }
  /** A procedure run, live (its session is held by the App). */
  | { screen: 'run'; runId: string }
  /** Past and interrupted runs. */
  | { screen: 'runs' }
  /** A run's record for the ticket (report.ts), as a page. */
  | { screen: 'report'; runId: string }
  /** At start-up: a run was interrupted — resume it? */
  | { screen: 'resume' }
  /** The cluster's nodes (oc get nodes): cordon, uncordon, drain. */
  | { screen: 'nodes' }
  /** The pods on one node. */
  | { screen: 'node-pods'; node: string }
  /** A drain of one node, live (its session is held by the App). */
  | { screen: 'drain'; node: string };

export type Prompt =
  | { kind: 'filter'; pane: Pane | 'health'; text: string }
  | { kind: 'jump'; text: string }
  | { kind: 'confirm-quit'; reason: string; byInterrupt?: boolean };

export interface ConsoleState {
  /** Screens opened, the current one last; never empty (Home at the bottom). */
  stack: Route[];
  focus: Pane;
  /** Selected host name / catalogue id; kept by identity so filtering and re-probes keep it. */
  selected: Record<Pane, string | undefined>;
  filter: Record<Pane, string>;
  /** Selection, filter and problems-only of the Health screen. */
  health: HealthView;
  prompt?: Prompt;
  /** One line shown until the next key. */
  message?: { text: string; tone: 'info' | 'warn' };
  quit: boolean;
  /** The quit came from Ctrl-C (directly, or its confirmation): the console exits 130, not 0. */
  interrupted?: boolean;
}

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'tab' }
  | { type: 'pane'; pane: Pane }
  | { type: 'enter' }
  | { type: 'back' }
  | { type: 'help' }
  | { type: 'quit' }
  /** Ctrl-C: closes any prompt and quits (a second Ctrl-C confirms a blocked quit). */
  | { type: 'interrupt' }
  | { type: 'open-filter' }
  | { type: 'open-jump' }
  | { type: 'text'; text: string }
  | { type: 'backspace' }
  | { type: 'complete' }
  | { type: 'message'; text: string; tone?: 'info' | 'warn' }
  /** Open the Health screen. */
  | { type: 'open-health' }
  /** Health screen: move the selected column. */
  | { type: 'hmove'; delta: number }
  /** Health screen: show only rows and columns with a problem, or everything. */
  | { type: 'toggle-problems' }
  /** Show a run (started or resumed): Home below it, so Esc from the finished run returns Home. */
  | { type: 'open-run'; runId: string }
  /** Open the Runs screen. */
  | { type: 'open-runs' }
  /** Show a run's record over the current screen (Esc returns to it). */
  | { type: 'open-report'; runId: string }
  /** Open a procedure's form over the current screen (Esc returns to it), e.g. a health cell's fix. */
  | { type: 'open-procedure'; id: string; prefill: Readonly<Record<string, string>> }
  /** Open the Nodes screen. */
  | { type: 'open-nodes' }
  /** Nodes screen: the pods on this node. */
  | { type: 'open-node-pods'; node: string }
  /** Show the drain of this node (started, or still running): Nodes below it, so Esc returns there. */
  | { type: 'open-drain'; node: string };

export interface ConsoleContext {
  /** Selectable keys of a pane's list with this filter applied, in display order. */
  keys(pane: Pane, filter: string): string[];
  /** Where a pane's cursor starts while the operator has not moved it (the hosts: the first with a problem). */
  preferred?(pane: Pane, filter: string): string | undefined;
  catalogue: readonly CatalogueEntry[];
  /** Why quitting needs a confirmation (e.g. "run etcd-restore is active"); undefined: quit at once. */
  quitBlocker?: () => string | undefined;
  /** The Health screen's selectable rows and columns with this view applied; undefined: no health run yet. */
  health?: (view: HealthView) => HealthKeys | undefined;
}

export interface HealthKeys {
  /** Row keys (host names, CLUSTER_ROW) in display order. */
  rows: string[];
  /** Check ids in display order. */
  checks: string[];
  /** Whether the check applies to the row (has a cell). */
  has(row: string, check: string): boolean;
  /** The selected cell as shown (see effectiveCell in health-view.ts); undefined when the matrix is empty. */
  row?: string;
  check?: string;
}

/**
 * `resumeOffer`: a run was interrupted, the first screen offers to resume it. `procedure`: the one selected in
 * the procedures pane at first (so that Tab then Enter opens a procedure, not the check listed first).
 */
export function initialState(resumeOffer = false, procedure?: string): ConsoleState {
  return {
    stack: resumeOffer ? [{ screen: 'home' }, { screen: 'resume' }] : [{ screen: 'home' }],
    focus: 'hosts',
    selected: { hosts: undefined, procedures: procedure },
    filter: { hosts: '', procedures: '' },
    health: initialHealthView(),
    quit: false,
  };
}

export function currentRoute(state: ConsoleState): Route {
  return state.stack[state.stack.length - 1] ?? { screen: 'home' };
}

function push(state: ConsoleState, route: Route): ConsoleState {
  return { ...state, stack: [...state.stack, route] };
}

function jumpTo(state: ConsoleState, ctx: ConsoleContext, entry: CatalogueEntry): ConsoleState {
  const visible = ctx.keys('procedures', state.filter.procedures).includes(entry.id);
  return {
    ...state,
    prompt: undefined,
    focus: 'procedures',
    selected: { ...state.selected, procedures: entry.id },
    // A filter that hides the target would leave the selection invisible: drop it.
    filter: visible ? state.filter : { ...state.filter, procedures: '' },
    stack: [{ screen: 'home' }, { screen: 'procedure', id: entry.id }],
  };
}

function quit(state: ConsoleState, ctx: ConsoleContext): ConsoleState {
  const blocker = ctx.quitBlocker?.();
  if (blocker) return { ...state, prompt: { kind: 'confirm-quit', reason: blocker } };
  return { ...state, quit: true };
}

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let p = words[0]!;
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function reducePrompt(state: ConsoleState, prompt: Prompt, action: Action, ctx: ConsoleContext): ConsoleState {
  if (prompt.kind === 'confirm-quit') {
    if (action.type === 'text' && action.text.toLowerCase() === 'y')
      return { ...state, prompt: undefined, quit: true, ...(prompt.byInterrupt ? { interrupted: true } : {}) };
    return { ...state, prompt: undefined, message: { text: 'Not quitting.', tone: 'info' } };
  }
  if (prompt.kind === 'filter') {
    const pane = prompt.pane;
    const setText = (text: string): ConsoleState =>
      pane === 'health'
        ? { ...state, prompt: { ...prompt, text }, health: { ...state.health, filter: text } }
        : { ...state, prompt: { ...prompt, text }, filter: { ...state.filter, [pane]: text } };
    switch (action.type) {
      case 'text':
        return setText(prompt.text + action.text);
      case 'backspace':
        return setText([...prompt.text].slice(0, -1).join(''));
      case 'enter':
        return { ...state, prompt: undefined };
      case 'back':
        return pane === 'health'
          ? { ...state, prompt: undefined, health: { ...state.health, filter: '' } }
          : { ...state, prompt: undefined, filter: { ...state.filter, [pane]: '' } };
      case 'move':
      case 'hmove':
        return pane === 'health' ? reduceHealth(state, action, ctx) : reduceHome(state, action, ctx);
      default:
        return state;
    }
  }
  // jump
  switch (action.type) {
    case 'text':
      return { ...state, prompt: { ...prompt, text: prompt.text + action.text } };
    case 'backspace':
      return { ...state, prompt: { ...prompt, text: [...prompt.text].slice(0, -1).join('') } };
    case 'back':
      return { ...state, prompt: undefined };
    case 'complete': {
      const { candidates } = resolveJump(ctx.catalogue, prompt.text);
      const p = commonPrefix(candidates.map((c) => c.id));
      return p.length > prompt.text.length ? { ...state, prompt: { ...prompt, text: p } } : state;
    }
    case 'enter': {
      const { entry, candidates } = resolveJump(ctx.catalogue, prompt.text);
      if (entry) return jumpTo(state, ctx, entry);
      const text = prompt.text.trim()
        ? candidates.length > 1
          ? `"${prompt.text.trim()}" matches ${candidates.length}: ${candidates
              .slice(0, 4)
              .map((c) => c.id)
              .join(', ')}${candidates.length > 4 ? ', …' : ''}`
          : `No procedure "${prompt.text.trim()}". Tab completes; / filters the procedures pane.`
        : 'Type a procedure id, e.g. etcd-backup.';
      return { ...state, message: { text, tone: 'warn' } };
    }
    default:
      return state;
  }
}

function reduceHome(state: ConsoleState, action: Action, ctx: ConsoleContext): ConsoleState {
  const pane = state.focus;
  const keys = ctx.keys(pane, state.filter[pane]);
  const current = state.selected[pane] ?? ctx.preferred?.(pane, state.filter[pane]);
  switch (action.type) {
    case 'move':
      return {
        ...state,
        selected: { ...state.selected, [pane]: moveSelection(keys, effectiveSelection(keys, current), action.delta) },
      };
    case 'tab':
      return { ...state, focus: pane === 'hosts' ? 'procedures' : 'hosts' };
    case 'pane':
      return { ...state, focus: action.pane };
    case 'enter': {
      const sel = effectiveSelection(keys, current);
      if (sel === undefined)
        return { ...state, message: { text: 'Nothing selected: the list is empty (Esc clears the filter).', tone: 'warn' } };
      const next = { ...state, selected: { ...state.selected, [pane]: sel } };
      return push(next, pane === 'hosts' ? { screen: 'host', host: sel } : { screen: 'procedure', id: sel });
    }
    case 'back':
      if (state.filter[pane])
        return { ...state, filter: { ...state.filter, [pane]: '' }, message: { text: 'Filter cleared.', tone: 'info' } };
      return { ...state, message: { text: 'Already at Home. q quits.', tone: 'info' } };
    case 'open-filter':
      return { ...state, prompt: { kind: 'filter', pane, text: state.filter[pane] } };
    default:
      return state;
  }
}

function reduceHealth(state: ConsoleState, action: Action, ctx: ConsoleContext): ConsoleState {
  const view = state.health;
  const keys = ctx.health?.(view);
  const setView = (v: Partial<typeof view>): ConsoleState => ({ ...state, health: { ...view, ...v } });
  switch (action.type) {
    case 'move':
      // The column stays where it is (also when it was only the default one).
      return keys ? setView({ row: moveSelection(keys.rows, keys.row, action.delta), check: keys.check }) : state;
    case 'hmove':
      return keys ? setView({ row: keys.row, check: moveSelection(keys.checks, keys.check, action.delta) }) : state;
    case 'enter': {
      const { row, check } = keys ?? {};
      if (!keys || row === undefined || check === undefined) {
        return { ...state, message: { text: 'Nothing selected: the matrix is empty.', tone: 'warn' } };
      }
      if (!keys.has(row, check)) {
        return { ...setView({ row, check }), message: { text: `${check} does not apply to this row (blank cell).`, tone: 'info' } };
      }
      return push(setView({ row, check }), { screen: 'health-cell', check, host: hostOfRow(row) });
    }
    case 'back':
      if (view.filter) return { ...setView({ filter: '' }), message: { text: 'Filter cleared (Esc again: Home).', tone: 'info' } };
      return { ...state, stack: state.stack.slice(0, -1) };
    case 'open-filter':
      return { ...state, prompt: { kind: 'filter', pane: 'health', text: view.filter } };
    case 'toggle-problems':
      return {
        ...setView({ problemsOnly: !view.problemsOnly }),
        message: {
          text: view.problemsOnly ? 'Showing every row and column.' : 'Problems only: rows and columns with a ! ✗ or E cell (p: show all).',
          tone: 'info',
        },
      };
    default:
      return state;
  }
}

/** The state after one action. */
export function reduce(prev: ConsoleState, action: Action, ctx: ConsoleContext): ConsoleState {
  const state: ConsoleState = prev.message ? { ...prev, message: undefined } : prev;
  if (action.type === 'message') return { ...state, message: { text: action.text, tone: action.tone ?? 'info' } };
  if (action.type === 'interrupt') {
    if (state.prompt?.kind === 'confirm-quit') return { ...state, prompt: undefined, quit: true, interrupted: true };
    const next = quit({ ...state, prompt: undefined }, ctx);
    if (next.prompt?.kind === 'confirm-quit') return { ...next, prompt: { ...next.prompt, byInterrupt: true } };
    return { ...next, interrupted: true };
  }
  if (state.prompt) return reducePrompt(state, state.prompt, action, ctx);

  const route = currentRoute(state);
  switch (action.type) {
    case 'quit':
      return quit(state, ctx);
    case 'help':
      // ? again closes the help.
      return route.screen === 'help' ? { ...state, stack: state.stack.slice(0, -1) } : push(state, { screen: 'help' });
    case 'open-jump':
      return { ...state, prompt: { kind: 'jump', text: '' } };
    case 'open-health':
      if (route.screen === 'health') return state;
      return { ...state, stack: [{ screen: 'home' }, { screen: 'health' }] };
    case 'open-run':
      return { ...state, stack: [{ screen: 'home' }, { screen: 'run', runId: action.runId }] };
    case 'open-runs':
      if (route.screen === 'runs') return state;
      return { ...state, stack: [{ screen: 'home' }, { screen: 'runs' }] };
    case 'open-report':
      return push(state, { screen: 'report', runId: action.runId });
    case 'open-procedure':
      return push(state, { screen: 'procedure', id: action.id, prefill: action.prefill });
    case 'open-nodes':
      if (route.screen === 'nodes') return state;
      return { ...state, stack: [{ screen: 'home' }, { screen: 'nodes' }] };
    case 'open-node-pods':
      return { ...state, stack: [{ screen: 'home' }, { screen: 'nodes' }, { screen: 'node-pods', node: action.node }] };
    case 'open-drain':
      return { ...state, stack: [{ screen: 'home' }, { screen: 'nodes' }, { screen: 'drain', node: action.node }] };
    default:
      break;
  }
  if (route.screen === 'home') return reduceHome(state, action, ctx);
  if (route.screen === 'health') return reduceHealth(state, action, ctx);
  switch (action.type) {
    case 'back':
      return { ...state, stack: state.stack.length > 1 ? state.stack.slice(0, -1) : state.stack };
    case 'open-filter':
      return { ...state, message: { text: '/ filters a list: Esc back to Home first.', tone: 'info' } };
    default:
      return state;
  }
}
