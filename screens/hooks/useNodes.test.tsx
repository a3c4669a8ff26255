import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { type DrainSession, NodesService } from '../../src/nodes/service.js';
import { APP0, APP1, SteppedDemoRunner } from '../testing/demo-nodes.js';
import { waitFor } from '../testing/fixtures.js';
import { type NodesControl, useDrainSnapshot, useNodes } from './useNodes.js';

afterEach(() => cleanup());

/** The control's data as text; the control itself goes to `into`. */
function Probe({ service, into }: { service: NodesService | undefined; into: { current?: NodesControl } }) {
  const c = useNodes(service);
  into.current = c;
  const d = c.data;
  const nodes =
    d.list?.nodes.map((n) => `${n.name.split('.')[0]}:${n.schedulable ? 'sched' : 'cordoned'}:${n.pods ?? '?'}`).join(' ') ?? '-';
  const pods = [...d.pods].map(([n, p]) => `${n.split('.')[0]}=${p.loading ? 'loading' : (p.pods?.length ?? p.error)}`).join(' ');
  return (
    <Text>
      {`${c.available ? 'available' : 'unavailable'} ${d.loading ? 'loading' : 'idle'} [${nodes}] ` +
        `{${pods}} busy=${[...d.busy.keys()].join(',')} note=${d.note?.tone ?? ''}:` +
        `${d.note?.text ?? ''}`}
    </Text>
  );
}

/** Renders the control's data as text and hands the control to the test. */
function probe(service: NodesService | undefined) {
  const ref: { current?: NodesControl } = {};
  const r = render(<Probe service={service} into={ref} />);
  // the frame wraps at 100 columns: read it as one line
  return { ...r, c: () => ref.current!, frame: () => (r.lastFrame() ?? '').replace(/\n/g, ' ') };
}

test("reads the node list and a node's pods on demand; nothing before", async () => {
  const runner = new SteppedDemoRunner();
  const p = probe(new NodesService({ runner }));
  assert.match(p.frame(), /^available idle \[-\] \{\}/);
  assert.deepEqual(runner.scripts, []);
  p.c().refresh();
  await waitFor(() => /app-node-0:sched:6/.test(p.frame()), 'the list');
  assert.match(p.frame(), /master-0:cordoned:6/);
  p.c().loadPods(APP0);
  await waitFor(() => /\{app-node-0=7\}/.test(p.frame()), 'the pods');
});

test('cordon: its sentence, then the list read again; a failure says so', async () => {
  const runner = new SteppedDemoRunner();
  const p = probe(new NodesService({ runner }));
  p.c().refresh();
  await waitFor(() => /app-node-1:sched/.test(p.frame()), 'the list');
  p.c().setSchedulable(APP1, false);
  await waitFor(() => /app-node-1:cordoned/.test(p.frame()), 'the list read again');
  assert.match(p.frame(), /busy= note=ok:app-node-1\.demo\.example\.com is cordoned: no new pods are placed on it/);
  p.c().setSchedulable('nosuch', true);
  await waitFor(() => /note=bad:/.test(p.frame()), 'the failure');
  assert.match(p.frame(), /note=bad:Uncordon of nosuch failed: .*nodes "nosuch" not found/);
  p.c().clearNote();
  await waitFor(() => /note=:$/.test(p.frame()), 'note cleared');
});

test('a drain starts with the pods already read, and the list and pods are read again when it ends', async () => {
  const runner = new SteppedDemoRunner();
  const p = probe(new NodesService({ runner }));
  p.c().refresh();
  p.c().loadPods(APP0);
  await waitFor(() => /app-node-0:sched:6/.test(p.frame()) && /app-node-0=7/.test(p.frame()), 'list and pods');
  const podReads = () => runner.scripts.filter((s) => s.includes(`spec.nodeName=${APP0}`)).length;
  assert.equal(podReads(), 1);
  const session = p.c().startDrain({ node: APP0, ignoreDaemonsets: true, deleteLocalData: true, force: true });
  const end = await session.finished();
  assert.equal(end.progress.phase, 'drained');
  // the session reads the pods back once; the hook reads them (and the list) again after
  await waitFor(() => /app-node-0:cordoned:3/.test(p.frame()) && /app-node-0=3/.test(p.frame()), 'list and pods read again');
  assert.equal(podReads(), 3, "not re-read before the drain: the modal's list was used");
});

test('without a service: not available, and nothing is run', () => {
  const p = probe(undefined);
  assert.match(p.frame(), /^unavailable idle/);
  p.c().refresh();
  p.c().setSchedulable(APP0, false);
  assert.throws(() => p.c().startDrain({ node: APP0, ignoreDaemonsets: true, deleteLocalData: false, force: false }), /not available/);
});

function Snap({ session }: { session: DrainSession }) {
  const s = useDrainSnapshot(session);
  return <Text>{`${s.status} ${s.progress.phase} ${s.log.length}`}</Text>;
}

test('useDrainSnapshot re-renders on every change of the session', async () => {
  const runner = new SteppedDemoRunner({ hold: true });
  const session: DrainSession = new NodesService({ runner }).startDrain({
    node: APP0,
    ignoreDaemonsets: true,
    deleteLocalData: true,
    force: true,
  });
  const r = render(<Snap session={session} />);
  await waitFor(() => runner.waiting !== undefined, 'the first line held');
  assert.equal(r.lastFrame(), 'running starting 0');
  runner.release();
  await waitFor(() => r.lastFrame() === 'running evicting 1', 'the cordon line');
  runner.releaseAll();
  await waitFor(() => r.lastFrame()!.startsWith('done drained'), 'done');
});
