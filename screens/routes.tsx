// The console's screens, one entry per route (src/model/console-state.ts Route): its title in the header,
// what it renders, and how its keys arrive — fed by the App to the screen's keymap (`keymap`), or taken by
// the screen itself (`selfKeyed`: screens with modes of their own, text fields, modals). The size, `active`,
// the key router, the footer and back / ? / q reach every screen through ScreenContext (context.ts), which
// the App provides around whatever `render` returns. To add a screen: a Route variant, a component here,
// its footer in keys.ts.
import { type ReactNode, type RefObject, useState } from 'react';
import { findInfoPage } from '../procedures/info-pages.js';
import type { RunSession } from '../src/engine/session.js';
import type { Procedure } from '../src/engine/types.js';
import type { ConnectivitySnapshot } from '../src/model/connectivity.js';
import type { Action, ConsoleState, Route } from '../src/model/console-state.js';
import { cellKey, type HealthSnapshot } from '../src/model/health.js';
import { drainActive, type NodesView } from '../src/model/nodes-view.js';
import type { InterruptedRun, RunReportAccess, RunSummary } from '../src/model/runs-view.js';
import type { DrainSession } from '../src/nodes/service.js';
import type { AppProps } from './App.js';
import { DrainView } from './DrainView.js';
import { type DetailKeyContext, HEALTH_CELL_KEYS, HELP_KEYS, HOST_KEYS, PROCEDURE_DETAIL_KEYS, REPORT_KEYS } from './details.js';
import { HEALTH_KEYS, Health, type HealthKeyContext } from './Health.js';
import { HealthCell } from './HealthCell.js';
import { Help } from './Help.js';
import { HOME_KEYS, Home, type HomeKeyContext } from './Home.js';
import { HostDetail } from './HostDetail.js';
import type { NodesControl } from './hooks/useNodes.js';
import type { OcLoginView } from './hooks/useOcLogin.js';
import { InfoPage } from './InfoPage.js';
import type { Keymap } from './keymap.js';
import { NodePods } from './NodePods.js';
import { Nodes } from './Nodes.js';
import { ProcedureScreen } from './Procedure.js';
import { ProcedureDetail } from './ProcedureDetail.js';
import { ResumeOffer } from './ResumeOffer.js';
import { RunReport } from './RunReport.js';
import { Runs } from './Runs.js';
import { RunView } from './RunView.js';
import { Txt } from './theme.js';

/** What the keymaps of the screens the App keys itself (Home, Health, the pages) act on. */
export type AppKeyContext = HomeKeyContext & HealthKeyContext & DetailKeyContext;

/** What the screens are rendered from: the App's inputs, its state, and what it holds for them. */
export interface RouteEnv {
  app: AppProps;
  state: ConsoleState;
  connectivity: ConnectivitySnapshot;
  health: HealthSnapshot | undefined;
  nodes: NodesControl;
  /** The oc login's verdict (read once at start; 'reading' until then). */
  ocLogin: OcLoginView;
  /** Run sessions of this console (started or resumed), by run id. */
  sessions: ReadonlyMap<string, RunSession>;
  /** The console's drain (one at a time). */
  drainRef: RefObject<DrainSession | undefined>;
  /** Form values typed before, by procedure id. */
  formMemory: Map<string, Record<string, string>>;
  /** The Nodes view kept across visits. */
  nodesMemory: { current: NodesView };
  /** The runs the journals said were interrupted, read at start-up. */
  interrupted: readonly InterruptedRun[];
  /** The current route as a string: screens shown again for another route are new components. */
  routeKey: string;
  dispatch: (action: Action) => void;
  /** Takes a run session the console started or resumed and shows it; a sentence when it could not. */
  adopt: (make: () => RunSession) => string | undefined;
  onResume?: (runId: string) => string | undefined;
  /** The procedure that can run, by id (undefined: only its catalogue entry, a detail page). */
  findProcedure: (id: string) => Procedure | undefined;
}

type RouteOf<S extends Route['screen']> = Extract<Route, { screen: S }>;

export interface RouteSpec<S extends Route['screen']> {
  /** The crumb in the header. */
  title: (route: RouteOf<S>) => string;
  render: (route: RouteOf<S>, env: RouteEnv) => ReactNode;
  /** Keys fed by the App to this keymap (absent, and not self-keyed: a page's, PAGE_KEYS). */
  keymap?: Keymap<AppKeyContext>;
  /** The screen takes every key itself (through bindKeys) and calls back. */
  selfKeyed?: (route: RouteOf<S>, env: RouteEnv) => boolean;
}

const short = (node: string) => node.split('.')[0];

export const ROUTES: { readonly [S in Route['screen']]: RouteSpec<S> } = {
  home: {
    title: () => 'Home',
    keymap: HOME_KEYS,
    render: (_route, { app, state, connectivity, health, ocLogin }) => (
      <Home
        ocLogin={ocLogin}
        inventory={app.inventory}
        catalogue={app.catalogue}
        connectivity={connectivity}
        health={health}
        focus={state.focus}
        selected={state.selected}
        filter={state.filter}
      />
    ),
  },
  help: {
    title: () => 'Help',
    keymap: HELP_KEYS,
    render: (_route, { app, state, findProcedure }) => {
      // The keys of the screen it was opened on come first (a procedure not built yet is a plain detail).
      const under = state.stack[state.stack.length - 2];
      const info = under?.screen === 'procedure' && !!findInfoPage(under.id);
      const screen = under?.screen === 'procedure' && !findProcedure(under.id) ? undefined : under?.screen;
      return <Help demo={app.inventory.source.kind === 'demo'} screen={screen} info={info} />;
    },
  },
  host: {
    title: (route) => `Home › host ${route.host}`,
    keymap: HOST_KEYS,
    render: (route, { app, connectivity, health }) => {
      const host = app.inventory.hosts.find((h) => h.name === route.host);
      return host ? (
        <HostDetail
          key={host.name}
          host={host}
          connectivity={connectivity.get(host.name)}
          health={health}
          ssh={app.connectionSettings?.(host)}
        />
      ) : (
        <Txt tone='bad'>{`Host ${route.host} is not in the inventory.`}</Txt>
      );
    },
  },
  procedure: {
    title: (route) => `Home › ${route.id}`,
    // a procedure not built yet is a detail page, keyed by the App
    keymap: PROCEDURE_DETAIL_KEYS,
    // so is an info page of the guide (its own keys: commands to select and copy)
    selfKeyed: (route, { findProcedure }) => !!findProcedure(route.id) || !!findInfoPage(route.id),
    render: (route, { app, formMemory, adopt, findProcedure, dispatch }) => {
      const procedure = findProcedure(route.id);
      if (procedure) {
        const startRun = app.startRun;
        return (
          <ProcedureScreen
            key={`${procedure.entry.id} ${JSON.stringify(route.prefill ?? {})}`}
            procedure={procedure}
            prefill={route.prefill}
            inventory={app.inventory}
            planProcedure={app.planProcedure}
            validateParams={app.validateParams}
            discover={app.discover}
            onRun={startRun ? (params) => adopt(() => startRun(procedure, params)) : undefined}
            memory={formMemory}
          />
        );
      }
      const entry = app.catalogue.find((e) => e.id === route.id);
      const info = findInfoPage(route.id);
      if (entry && info) {
        const source = app.inventory.source;
        return (
          <InfoPage
            key={entry.id}
            entry={entry}
            page={info}
            context={source.kind === 'file' ? { inventoryPath: source.path } : {}}
            copy={app.copy}
            onOpenProcedure={(id) => dispatch({ type: 'open-procedure', id, prefill: {} })}
          />
        );
      }
      return entry ? (
        <ProcedureDetail key={entry.id} entry={entry} />
      ) : (
        <Txt tone='bad'>{`No procedure ${route.id} in the catalogue.`}</Txt>
      );
    },
  },
  health: {
    title: () => 'Home › Health',
    keymap: HEALTH_KEYS,
    render: (_route, { app, state, health }) => <Health inventory={app.inventory} snapshot={health} view={state.health} />,
  },
  'health-cell': {
    title: (route) => `Health › ${route.check}`,
    keymap: HEALTH_CELL_KEYS,
    render: (route, { health }) => (
      <HealthCell
        key={`${route.check} ${route.host ?? ''}`}
        check={route.check}
        host={route.host}
        result={health?.results.get(cellKey(route.check, route.host))}
      />
    ),
  },
  run: {
    title: (route) => `Home › run ${route.runId}`,
    selfKeyed: () => true,
    render: (route, { sessions, app }) => {
      const session = sessions.get(route.runId);
      const access = app.runReport;
      return session ? (
        <RunView
          key={route.runId}
          session={session}
          writeReport={access ? () => writeRecord(access, route.runId) : undefined}
          copy={app.copy}
        />
      ) : (
        <Txt tone='bad'>{`Run ${route.runId} is not held by this console (Esc back).`}</Txt>
      );
    },
  },
  runs: {
    title: () => 'Home › Runs',
    selfKeyed: () => true,
    render: (_route, { app, sessions, onResume, dispatch, routeKey }) => (
      <RunsRoute
        key={routeKey}
        listRuns={app.listRuns}
        sessions={sessions}
        onResume={onResume}
        onOpen={(runId) => dispatch({ type: 'open-run', runId })}
        onRecord={app.runReport ? (runId) => dispatch({ type: 'open-report', runId }) : undefined}
      />
    ),
  },
  report: {
    title: (route) => `Runs › record ${route.runId}`,
    keymap: REPORT_KEYS,
    render: (route, { app }) => <RunReport key={route.runId} runId={route.runId} access={app.runReport} />,
  },
  resume: {
    title: () => 'Interrupted run',
    selfKeyed: () => true,
    render: (_route, { interrupted, onResume, dispatch }) => (
      <ResumeOffer runs={interrupted} onResume={onResume} onRuns={() => dispatch({ type: 'open-runs' })} />
    ),
  },
  nodes: {
    title: () => 'Home › Nodes',
    selfKeyed: () => true,
    render: (_route, { nodes, nodesMemory, drainRef, dispatch }) => {
      const running = drainRef.current && drainActive(drainRef.current.getSnapshot()) ? drainRef.current.options.node : undefined;
      return (
        <Nodes
          nodes={nodes}
          memory={nodesMemory}
          activeDrain={running}
          onOpenPods={(node) => dispatch({ type: 'open-node-pods', node })}
          onDrain={(options) => {
            try {
              drainRef.current = nodes.startDrain(options);
              dispatch({ type: 'open-drain', node: options.node });
              return undefined;
            } catch (err) {
              return `Could not start the drain: ${err instanceof Error ? err.message : String(err)}`;
            }
          }}
          onShowDrain={() => drainRef.current && dispatch({ type: 'open-drain', node: drainRef.current.options.node })}
        />
      );
    },
  },
  'node-pods': {
    title: (route) => `Nodes › pods on ${short(route.node)}`,
    selfKeyed: () => true,
    render: (route, { nodes }) => <NodePods key={route.node} node={route.node} nodes={nodes} />,
  },
  drain: {
    title: (route) => `Nodes › drain ${short(route.node)}`,
    selfKeyed: (route, { drainRef }) => drainRef.current?.options.node === route.node,
    render: (route, { nodes, drainRef }) => {
      const session = drainRef.current?.options.node === route.node ? drainRef.current : undefined;
      return session ? (
        <DrainView key={route.node} session={session} nodes={nodes} />
      ) : (
        <Txt tone='bad'>{`No drain of ${route.node} is held by this console (Esc back).`}</Txt>
      );
    },
  },
};

/** The entry of this route (the table is keyed by screen; each entry takes its own variant of Route). */
export function routeSpec(route: Route): RouteSpec<Route['screen']> {
  return ROUTES[route.screen] as RouteSpec<Route['screen']>;
}

export function routeTitle(route: Route): string {
  return routeSpec(route).title(route);
}

/** The screen takes every key itself (see RouteSpec.selfKeyed). */
export function isSelfKeyed(route: Route, env: RouteEnv): boolean {
  return routeSpec(route).selfKeyed?.(route, env) ?? false;
}

/** The Runs screen with its list read once when it opens (journals on disk), plus this console's runs. */
/** Writes a run's record; the sentence the run view shows (where it went, or why it could not). */
function writeRecord(access: RunReportAccess, runId: string): string {
  try {
    return `Record written: ${access.write(runId)}`;
  } catch (err) {
    return `Could not write the record: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function RunsRoute(props: {
  listRuns?: () => RunSummary[];
  sessions: ReadonlyMap<string, RunSession>;
  onResume?: (runId: string) => string | undefined;
  onOpen: (runId: string) => void;
  onRecord?: (runId: string) => void;
}) {
  const { listRuns, sessions } = props;
  const [{ runs, problem }] = useState(() => {
    let runs: RunSummary[] = [];
    let problem: string | undefined;
    try {
      runs = listRuns ? [...listRuns()] : [];
      if (!listRuns) problem = 'The run journals are not available in this build (the engine is not wired).';
    } catch (err) {
      problem = `Could not read the run journals: ${err instanceof Error ? err.message : String(err)}`;
    }
    for (const [id, s] of sessions) {
      const snap = s.getSnapshot();
      const status: RunSummary['status'] =
        snap.status === 'ok' || snap.status === 'failed' || snap.status === 'aborted' ? snap.status : 'running';
      const i = runs.findIndex((r) => r.runId === id);
      const step = snap.steps.find((x) => x.id === snap.current)?.title;
      const summary: RunSummary = {
        runId: id,
        procedure: snap.procedure,
        startedAt: runs[i]?.startedAt ?? new Date(),
        status,
        ...(step ? { step } : {}),
      };
      if (i >= 0) runs[i] = summary;
      else runs.push(summary);
    }
    return { runs, problem: runs.length ? undefined : problem };
  });
  return (
    <Runs
      runs={runs}
      live={new Set(sessions.keys())}
      onResume={props.onResume}
      onOpen={props.onOpen}
      onRecord={props.onRecord}
      problem={problem}
    />
  );
}
