// The shell of the console: header (product, version, inventory, DEMO label), the current screen,
// and a footer with the keys valid here. Keys are mapped to actions of src/model/console-state.ts.

import { Box, type Key, Text, useApp, useInput } from 'ink';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import type { RunSession } from '../src/engine/session.js';
import type { Params, Procedure } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import type { ConnectivityMonitor } from '../src/model/connectivity.js';
import {
  type Action,
  type ConsoleContext,
  type ConsoleState,
  currentRoute,
  initialState,
  type Route,
  reduce,
} from '../src/model/console-state.js';
import type { DiscoverFn } from '../src/model/discovery.js';
import { cellKey, type HealthRun } from '../src/model/health.js';
import { fixTarget } from '../src/model/health-fix.js';
import { buildMatrix, effectiveCell, hasCell, hostFailing, hostOfRow } from '../src/model/health-view.js';
import {
  demoScenarioOf,
  effectiveSelection,
  firstProblemHost,
  hostRows,
  procedureRows,
  resolveJump,
  selectableKeys,
} from '../src/model/home.js';
import { drainActive, initialNodesView } from '../src/model/nodes-view.js';
import type { OcLoginVerdict } from '../src/model/oc-login.js';
import { isActive, quitReason } from '../src/model/run-view.js';
import type { InterruptedRun, RunReportAccess, RunSummary } from '../src/model/runs-view.js';
import { truncate } from '../src/model/text.js';
import type { DrainSession, NodesService } from '../src/nodes/service.js';
import type { ConnectionSetting } from '../src/transport/types.js';
import { ScreenContext, type ScreenFrame } from './context.js';
import { PAGE_KEYS } from './details.js';
import { splitKeypresses } from './hooks/splitKeypresses.js';
import { useConnectivity } from './hooks/useConnectivity.js';
import { useHealth } from './hooks/useHealth.js';
import { useNodes } from './hooks/useNodes.js';
import { useOcLogin } from './hooks/useOcLogin.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { dispatchKey } from './keymap.js';
import { type FooterKeys, footerKeys } from './keys.js';
import type { PlanFn, ValidateFn } from './Procedure.js';
import { type AppKeyContext, isSelfKeyed, type RouteEnv, routeSpec, routeTitle } from './routes.js';
import { ThemeProvider, Txt } from './theme.js';

export const PRODUCT = 'day2-tui';
export const DEMO_LABEL = 'DEMO — simulated cluster, no host is contacted';

export interface AppProps {
  inventory: Inventory;
  catalogue: readonly CatalogueEntry[];
  /** Live connectivity (core); the App only reads it and asks for re-probes. */
  monitor: ConnectivityMonitor;
  version: string;
  /** No colour codes at all (NO_COLOR, --no-color). */
  noColor?: boolean;
  /** Why quitting needs a confirmation now (e.g. an active run); undefined quits at once. */
  quitBlocker?: () => string | undefined;
  /** Called once when the operator quits, with the exit code (130 after Ctrl-C, else 0); default: unmount the Ink app. */
  onQuit?: (code: number) => void;
  /**
   * Starts the health run (core: src/checks/run.ts). Called once, when the Health screen is first
   * opened; the App keeps the run (Home then shows a verdict per host) and disposes of it on exit.
   */
  startHealth?: () => HealthRun;
  /** Procedures that can run (procedures/index.ts PROCEDURES); Enter on one opens its form, plan and run. */
  procedures?: readonly Procedure[];
  /** The resolved steps for these parameters (engine: planProcedure); may throw a sentence for the operator. */
  planProcedure?: PlanFn;
  /** Extra parameter checks (engine); the form also checks required values and choices itself. */
  validateParams?: ValidateFn;
  /** How the console's runner reaches a host, each setting with its origin (the host screen's SSH part); none in the DEMO. */
  connectionSettings?: (host: Host) => ConnectionSetting[] | { error: string };
  /** Looks for a parameter's values on its host (e.g. the backups on the chosen member) through the console's runner. */
  discover?: DiscoverFn;
  /** Starts a run (engine: startProcedureRun); the console renders its session and answers its gates. */
  startRun?: (procedure: Procedure, params: Params) => RunSession;
  /** Runs the journals say were interrupted: the first screen then offers to resume one. Read once. */
  interruptedRuns?: () => InterruptedRun[];
  /** Resumes an interrupted run (engine). */
  resumeRun?: (runId: string) => RunSession;
  /** Past and interrupted runs for the Runs screen (engine: journal listRuns). */
  listRuns?: () => RunSummary[];
  /** A run's record for the ticket (engine: report.ts): read for the Runs screen, written from the run view. */
  runReport?: RunReportAccess;
  /** Puts text on the operator's clipboard (the console writes OSC 52 to its terminal). */
  copy?: (text: string) => void;
  /**
   * Node operations (core: src/nodes/service.ts): the Nodes screen (n) lists, cordons, uncordons and
   * drains through it. Without it the screen says node operations are not available.
   */
  nodes?: NodesService;
  /** Who the oc login is and what it may read (core: src/ocp/oc-login.ts): read once at start, shown on Home. */
  readOcLogin?: () => Promise<OcLoginVerdict>;
  /** A warning shown on the first screen (e.g. why keys are not read). */
  notice?: string;
  /**
   * Set when keys cannot be read (not the terminal's foreground process): the footer says so and how to
   * stop the console, above the keys (dim: what the console can do once in the foreground). Cleared (a re-render) once `fg`
   * brings the console to the foreground; the message line then says keys are read.
   */
  keysNotRead?: string;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  columns?: number;
  rows?: number;
}

function Header({ inventory, version, route, width }: { inventory: Inventory; version: string; route: Route; width: number }) {
  const demo = inventory.source.kind === 'demo';
  // Narrow terminal: the DEMO label stays whole, the product name goes.
  const left = demo && width < PRODUCT.length + version.length + DEMO_LABEL.length + 6 ? 'day2' : `${PRODUCT} ${version}`;
  const sourceRoom = Math.max(10, width - left.length - 3);
  const source = inventory.source.kind === 'file' ? `inventory ${inventory.source.path}` : ` ${DEMO_LABEL} `;
  const shownSource =
    inventory.source.kind === 'file' && source.length > sourceRoom
      ? `inventory …${inventory.source.path.slice(-(sourceRoom - 11))}`
      : truncate(source, sourceRoom);
  const title = routeTitle(route);
  const used = left.length + 3 + shownSource.length;
  const crumb = width - used >= title.length + 3 ? title : '';
  return (
    <Box width={width} height={1}>
      <Box flexGrow={1}>
        <Text wrap='truncate'>
          <Txt bold>{left}</Txt>
          {' │ '}
          {demo ? (
            <Txt tone='demo' bold inverse>
              {shownSource}
            </Txt>
          ) : (
            <Txt>{shownSource}</Txt>
          )}
        </Text>
      </Box>
      {crumb ? <Txt dim>{crumb}</Txt> : null}
    </Box>
  );
}

function Footer({
  state,
  width,
  screenKeys,
  keysNotRead,
}: {
  state: ConsoleState;
  width: number;
  screenKeys?: FooterKeys;
  keysNotRead?: string;
}) {
  const prompt = state.prompt;
  const keys = !prompt && screenKeys ? screenKeys : footerKeys(currentRoute(state), prompt);
  let lead: ReactNode = null;
  if (prompt?.kind === 'filter') lead = <Txt bold>{`/ filter ${prompt.pane}: ${prompt.text}█  `}</Txt>;
  else if (prompt?.kind === 'jump') lead = <Txt bold>{`: procedure id: ${prompt.text}█  `}</Txt>;
  else if (prompt?.kind === 'confirm-quit')
    lead = (
      <Txt tone='warn' bold>
        {`${prompt.reason}. Quit anyway?  `}
      </Txt>
    );
  const list = (
    <Box width={width} height={1}>
      <Text wrap='truncate' dimColor={!!keysNotRead}>
        {lead}
        {keys.map(([k, what], i) => (
          <Text key={k}>
            {i > 0 ? '  ' : ''}
            <Txt bold inverse={!keysNotRead}>
              {k}
            </Txt>{' '}
            {what}
          </Text>
        ))}
      </Text>
    </Box>
  );
  if (!keysNotRead) return list;
  // not read yet: how to stop it or bring it to the foreground, and (dim) what the keys will do then
  return (
    <>
      <Box width={width} height={1}>
        <Txt tone='warn' bold wrap='truncate'>
          {keysNotRead}
        </Txt>
      </Box>
      {list}
    </>
  );
}

export function App(props: AppProps) {
  const { inventory, catalogue, monitor, version, noColor, quitBlocker, onQuit } = props;
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize({ columns: props.columns, rows: props.rows });
  const connectivity = useConnectivity(monitor);
  // Read once at start-up: a run the journals say was interrupted makes the first screen a resume offer.
  const [interrupted] = useState<InterruptedRun[]>(() => {
    try {
      return props.interruptedRuns?.() ?? [];
    } catch {
      return [];
    }
  });
  const [state, setState] = useState<ConsoleState>(() => {
    // in the DEMO, Tab then Enter opens the procedure its scenario is there to rehearse (not the check listed first)
    const procedure = demoScenarioOf(inventory)?.rehearse[0];
    const first = initialState(interrupted.length > 0, procedure);
    return props.notice ? { ...first, message: { text: props.notice, tone: 'warn' } } : first;
  });
  // Brought to the foreground (`fg`) after starting in the background: say that keys work now.
  const keysWereNotRead = useRef(!!props.keysNotRead);
  useEffect(() => {
    if (!keysWereNotRead.current || props.keysNotRead) return;
    keysWereNotRead.current = false;
    setState((s) => ({ ...s, message: { text: 'In the foreground now: keys are read.', tone: 'info' } }));
  }, [props.keysNotRead]);
  // Run sessions of this console (started or resumed), by run id.
  const sessions = useRef(new Map<string, RunSession>());
  const formMemory = useRef(new Map<string, Record<string, string>>());
  // Keys of a screen that has modes of its own (procedure, run), for the footer.
  const [screenFooter, setScreenFooter] = useState<{ route: string; keys: FooterKeys } | undefined>(undefined);
  const [healthRun, setHealthRun] = useState<HealthRun | undefined>(undefined);
  const healthRef = useRef<HealthRun | undefined>(undefined);
  const health = useHealth(healthRun);
  const nodes = useNodes(props.nodes);
  const ocLogin = useOcLogin(props.readOcLogin);
  const nodesMemory = useRef(initialNodesView());
  // The console's drain (one at a time): shown on the drain route, cancelled if the operator quits.
  const drainRef = useRef<DrainSession | undefined>(undefined);
  // The latest state, also between a key and the re-render (several keys can arrive in one tick).
  const stateRef = useRef(state);

  const runBlocker = (): string | undefined => {
    for (const s of sessions.current.values()) {
      const why = quitReason(s.getSnapshot());
      if (why) return why;
    }
    const drain = drainRef.current?.getSnapshot();
    // Short: the footer holds it with "Quit anyway?  y quit  any other key stay" at 80 columns.
    if (drain && drainActive(drain))
      return `The drain of ${/^[\d.]+$/.test(drain.options.node) ? drain.options.node : drain.options.node.split('.')[0]} is running`;
    return quitBlocker?.();
  };
  const ctx: ConsoleContext = {
    keys: (pane, filter) =>
      pane === 'hosts' ? selectableKeys(hostRows(inventory, filter, connectivity)) : selectableKeys(procedureRows(catalogue, filter)),
    preferred: (pane, filter) =>
      pane === 'hosts' ? firstProblemHost(hostRows(inventory, filter, connectivity), connectivity, hostFailing(health)) : undefined,
    catalogue,
    quitBlocker: runBlocker,
    health: (view) => {
      if (!health) return undefined;
      const m = buildMatrix(inventory, health, view);
      const has = (row: string, check: string) => hasCell(health, row, check);
      return { rows: m.rowKeys, checks: m.checkIds, has, ...effectiveCell(m, has, view) };
    },
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;
  const dispatch = (action: Action) => {
    const next = reduce(stateRef.current, action, ctxRef.current);
    stateRef.current = next;
    setState(next);
  };

  const screenKeys = useRef<{ route: string; handler: (input: string, key: Key) => void } | undefined>(undefined);
  const pendingKeys = useRef<[string, Key][]>([]);
  useEffect(() => {
    if (pendingKeys.current.length === 0) return;
    const route = currentRoute(stateRef.current);
    if (!selfKeyed(route)) {
      pendingKeys.current = [];
      return;
    }
    if (screenKeys.current?.route !== JSON.stringify(route)) return;
    for (const [input, key] of pendingKeys.current.splice(0)) handleKey(input, key);
  });

  const quitDone = useRef(false);
  useEffect(() => {
    if (!state.quit || quitDone.current) return;
    quitDone.current = true;
    // The operator confirmed: active runs stop at a safe point (their journals say where, for resume).
    for (const s of sessions.current.values()) if (isActive(s.getSnapshot().status)) s.cancel();
    drainRef.current?.cancel();
    if (onQuit) onQuit(state.interrupted ? 130 : 0);
    else exit();
  }, [state.quit, state.interrupted, onQuit, exit]);

  const route = currentRoute(state);

  // The health run starts when the Health screen is first opened, and is kept until the console ends.
  const startHealth = props.startHealth;
  useEffect(() => {
    if (route.screen !== 'health' || healthRef.current || !startHealth) return;
    const run = startHealth();
    healthRef.current = run;
    setHealthRun(run);
  }, [route.screen, startHealth]);
  useEffect(() => () => healthRef.current?.dispose(), []);

  const procedures = props.procedures ?? [];
  const findProcedure = (id: string) => procedures.find((p) => p.entry.id === id);
  // Screens with modes of their own take every key (see routes.tsx, selfKeyed).
  function selfKeyed(route: Route): boolean {
    return isSelfKeyed(route, env);
  }
  const onGlobal = (what: 'quit' | 'help') => dispatch({ type: what });
  const adopt = (make: () => RunSession): string | undefined => {
    try {
      const session = make();
      const id = session.getSnapshot().runId;
      sessions.current.set(id, session);
      dispatch({ type: 'open-run', runId: id });
      return undefined;
    } catch (err) {
      return `Could not start: ${err instanceof Error ? err.message : String(err)}`;
    }
  };
  const resumeRun = props.resumeRun;
  const onResume = resumeRun ? (runId: string) => adopt(() => resumeRun(runId)) : undefined;
  const routeKey = JSON.stringify(route);
  // Screens with modes of their own hand their key handler over on every render; keys that arrive before
  // the screen of the current route has rendered (several keys in one read) wait for it.
  const bindKeys = (handler: (input: string, key: Key) => void) => {
    screenKeys.current = { route: routeKey, handler };
  };
  const onFooter = (keys: FooterKeys) => setScreenFooter({ route: routeKey, keys });
  const env: RouteEnv = {
    app: props,
    state,
    connectivity,
    health,
    nodes,
    ocLogin,
    sessions: sessions.current,
    drainRef,
    formMemory: formMemory.current,
    nodesMemory,
    interrupted,
    routeKey,
    dispatch,
    adopt,
    onResume,
    findProcedure,
  };

  /** The health cell the keys act on: the one shown in full, or the one selected in the matrix. */
  const selectedCell = (): { check: string; host: string | null } | { message: string } => {
    const s = stateRef.current;
    const route = currentRoute(s);
    if (route.screen === 'health-cell') return { check: route.check, host: route.host };
    const keys = ctxRef.current.health?.(s.health);
    const { row, check } = keys ?? {};
    if (!keys || row === undefined || check === undefined) return { message: 'Nothing selected: the matrix is empty.' };
    if (!keys.has(row, check)) return { message: `${check} does not apply here (blank cell).` };
    return { check, host: hostOfRow(row) };
  };

  const rerun = (all: boolean) => {
    const run = healthRef.current;
    if (!run) return dispatch({ type: 'message', text: 'No health run yet: h opens the Health screen and starts one.' });
    if (all) {
      run.rerun();
      return dispatch({ type: 'message', text: `Re-running every check (${run.getSnapshot().results.size} cells)…` });
    }
    const cell = selectedCell();
    if ('message' in cell) return dispatch({ type: 'message', text: `${cell.message} Nothing to re-run; R re-runs everything.` });
    run.rerun([cell]);
    dispatch({ type: 'message', text: `Re-running ${cell.check} on ${cell.host ?? 'the cluster'}…` });
  };

  const openFix = () => {
    const cell = selectedCell();
    if ('message' in cell) return dispatch({ type: 'message', text: cell.message, tone: 'warn' });
    const result = healthRef.current?.getSnapshot().results.get(cellKey(cell.check, cell.host));
    const target = fixTarget(result, findProcedure, props.catalogue, inventory);
    if ('message' in target) return dispatch({ type: 'message', text: target.message, tone: 'warn' });
    dispatch({ type: 'open-procedure', id: target.id, prefill: target.prefill });
  };

  /** Writes the run's record (the one shown, or the run's of this view) and says where; a failure is said, not thrown. */
  const writeReport = (runId?: string) => {
    const route = currentRoute(stateRef.current);
    const id = runId ?? (route.screen === 'report' || route.screen === 'run' ? route.runId : undefined);
    if (!id || !props.runReport) return dispatch({ type: 'message', text: 'No run record to write here.', tone: 'warn' });
    try {
      dispatch({ type: 'message', text: `Record of ${id} written: ${props.runReport.write(id)}` });
    } catch (err) {
      dispatch({ type: 'message', text: `Could not write the record: ${err instanceof Error ? err.message : String(err)}`, tone: 'warn' });
    }
  };

  const reprobe = (all: boolean) => {
    const s = stateRef.current;
    const route = currentRoute(s);
    if (all) {
      monitor.reprobe();
      dispatch({ type: 'message', text: `Re-probing all ${inventory.hosts.length} hosts…` });
      return;
    }
    let host: string | undefined;
    if (route.screen === 'host') host = route.host;
    else if (route.screen === 'home' && s.focus === 'hosts')
      host = effectiveSelection(ctx.keys('hosts', s.filter.hosts), s.selected.hosts ?? ctx.preferred?.('hosts', s.filter.hosts));
    if (host) {
      monitor.reprobe(host);
      dispatch({ type: 'message', text: `Re-probing ${host}…` });
    } else {
      dispatch({ type: 'message', text: 'r re-probes the selected host (hosts pane); R re-probes all.' });
    }
  };

  // What the keymaps of the screens the App keys itself (Home, Health, the pages) act on.
  const appKeys: AppKeyContext = { dispatch, reprobe, rerun, openFix, writeReport: () => writeReport(), onGlobal };

  useInput((chunk, chunkKey) => {
    // Over SSH several key presses often arrive in one read ("node-0⏎⏎", "jjj"): handle them one by one.
    for (const [input, key] of splitKeypresses(chunk, chunkKey)) handleKey(input, key);
  });

  const handleKey = (input: string, key: Key): void => {
    if (key.ctrl && input === 'c') {
      dispatch({ type: 'interrupt' });
      return;
    }
    const prompt = stateRef.current.prompt;
    const route = currentRoute(stateRef.current);
    if (prompt) {
      if (prompt.kind === 'confirm-quit') dispatch({ type: 'text', text: input });
      else if (key.return) dispatch({ type: 'enter' });
      else if (key.escape) dispatch({ type: 'back' });
      else if (key.backspace || key.delete) dispatch({ type: 'backspace' });
      else if (key.tab) dispatch({ type: 'complete' });
      else if (key.upArrow) dispatch({ type: 'move', delta: -1 });
      else if (key.downArrow) dispatch({ type: 'move', delta: 1 });
      else {
        // eslint-disable-next-line no-control-regex
        const text = input.replace(/[\x00-\x1f\x7f]/g, '');
        if (text && !key.ctrl && !key.meta) dispatch({ type: 'text', text });
      }
      return;
    }
    // These screens have modes of their own (text fields, modals): they take every key and call back.
    if (selfKeyed(route)) {
      const screen = screenKeys.current;
      if (screen && screen.route === JSON.stringify(route)) screen.handler(input, key);
      else pendingKeys.current.push([input, key]);
      return;
    }
    // Home, Health and the pages: the App feeds their keymaps (the pages' Pager scrolls itself).
    dispatchKey(routeSpec(route).keymap ?? PAGE_KEYS, appKeys, input, key);
  };

  // Ink redraws the whole screen when the output reaches the terminal's last row: keep one free.
  const height = Math.max(8, rows - 1);
  const width = Math.max(20, columns);

  const jumpHint = useMemo(() => {
    if (state.prompt?.kind !== 'jump' || !state.prompt.text.trim()) return undefined;
    const { entry, candidates } = resolveJump(catalogue, state.prompt.text);
    if (entry) return `Enter opens ${entry.id} — ${entry.title}`;
    if (candidates.length === 0) return `no procedure id contains "${state.prompt.text.trim()}"`;
    return `matches: ${candidates.map((c) => c.id).join(', ')}`;
  }, [state.prompt, catalogue]);
  const messageText = state.message?.text ?? jumpHint;
  const bodyHeight = height - 2 - (messageText ? 1 : 0) - (props.keysNotRead ? 1 : 0);
  const active = !state.prompt;

  // What every screen reads from ScreenContext (context.ts).
  const frame: ScreenFrame = { width, height: bodyHeight, active, bindKeys, onFooter, onGlobal, onBack: () => dispatch({ type: 'back' }) };

  return (
    <ThemeProvider color={!noColor}>
      <Box flexDirection='column' width={width} height={height}>
        <Header inventory={inventory} version={version} route={route} width={width} />
        <Box height={bodyHeight} flexDirection='column' overflow='hidden'>
          <ScreenContext value={frame}>{routeSpec(route).render(route, env)}</ScreenContext>
        </Box>
        {messageText ? (
          <Txt tone={state.message?.tone === 'warn' ? 'warn' : undefined} bold={state.message?.tone === 'warn'} wrap='truncate'>
            {state.message?.tone === 'warn' ? `⚠ ${messageText}` : messageText}
          </Txt>
        ) : null}
        <Footer
          state={state}
          width={width}
          keysNotRead={props.keysNotRead}
          screenKeys={screenFooter?.route === routeKey && selfKeyed(route) ? screenFooter.keys : undefined}
        />
      </Box>
    </ThemeProvider>
  );
}
