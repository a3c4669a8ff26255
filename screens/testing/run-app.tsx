// Renders the App with a toy procedure, the fake session and fake journals, for the screen tests.
import { render } from 'ink-testing-library';
import type { CatalogueEntry } from '../../src/model/catalogue.js';
import { ConnectivityMonitor } from '../../src/model/connectivity.js';
import type { InterruptedRun, RunReportAccess, RunSummary } from '../../src/model/runs-view.js';
import { App } from '../App.js';
import { TOY_ENTRY, toyPlan, toyProcedure } from './fake-procedure.js';
import { FakeSession } from './fake-session.js';
import { FakeRunner, keyboard, testCatalogue, testInventory, untilFrame } from './fixtures.js';

export function renderRunApp(
  opts: {
    interrupted?: InterruptedRun[];
    runs?: RunSummary[];
    noColor?: boolean;
    columns?: number;
    rows?: number;
    runReport?: RunReportAccess;
    copy?: (text: string) => void;
    /** Catalogue entries besides the test catalogue's (e.g. an info entry). */
    entries?: CatalogueEntry[];
  } = {},
) {
  const inventory = testInventory();
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  const sessions: FakeSession[] = [];
  const resumed: string[] = [];
  let quits = 0;
  const catalogue = [...testCatalogue().map((e) => (e.id === 'etcd-backup' ? TOY_ENTRY : e)), ...(opts.entries ?? [])];
  const r = render(
    <App
      inventory={inventory}
      catalogue={catalogue}
      monitor={monitor}
      version='0.1.0'
      columns={opts.columns ?? 80}
      rows={opts.rows ?? 24}
      noColor={opts.noColor}
      onQuit={() => quits++}
      procedures={[toyProcedure()]}
      planProcedure={(_p, params) => toyPlan(params)}
      startRun={(_p, params) => {
        const s = new FakeSession(toyPlan(params), { procedure: 'etcd-backup', params, runId: `run-${sessions.length + 1}` });
        sessions.push(s);
        return s;
      }}
      interruptedRuns={() => opts.interrupted ?? []}
      resumeRun={(runId) => {
        resumed.push(runId);
        const s = new FakeSession(toyPlan({}), { procedure: 'etcd-restore', runId });
        sessions.push(s);
        return s;
      }}
      listRuns={() => opts.runs ?? []}
      runReport={opts.runReport}
      copy={opts.copy}
    />,
  );
  const { frame, press } = keyboard(r);
  return { ...r, frame, press, sessions, resumed, quits: () => quits, dispose: () => monitor.dispose() };
}

/** Opens etcd-backup's form from Home (Tab to procedures, down to it, Enter), once Home is drawn; returns when the form is. */
export async function openToy(app: { frame: () => string; press: (...k: string[]) => Promise<void> }) {
  await untilFrame(app.frame, /▶ HOSTS/);
  await app.press('\t', 'j', 'j', 'j', '\r');
  await untilFrame(app.frame, /PROCEDURE etcd-backup/);
}

/** No line wider than the terminal, no more lines than it has (one kept free). */
export function fits(frame: string, columns = 80, rows = 24): string | undefined {
  const lines = frame.split('\n');
  if (lines.length > rows - 1) return `${lines.length} lines`;
  const wide = lines.find((l) => [...l].length > columns);
  return wide === undefined ? undefined : `too wide (${[...wide].length}): ${wide}`;
}
