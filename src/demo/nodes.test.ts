import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDrainLine, type DrainOptions, finishDrain, initialProgress } from '../nodes/drain.js';
import { NodesService } from '../nodes/service.js';
import { ownerText } from '../ocp/nodes.js';
import { DemoRunner, type DemoStep, simulateCommand } from './runner.js';

const fast = () => new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
const APP0 = 'app-node-0.demo.example.com';

/** Runs a script's steps at once (no waits): lines out, effects applied — what the runner does over time. */
function play(r: DemoRunner, script: string): { lines: string[]; exitCode: number } {
  const exec = simulateCommand(r.cluster, undefined, script);
  const lines: string[] = [];
  for (const s of exec.steps as DemoStep[]) {
    if (s.kind === 'effect') s.run();
    else if (s.kind === 'line') lines.push(s.text);
  }
  return { lines, exitCode: exec.exitCode };
}

/** A generated pod name with its random 5-character suffix replaced; the bare pod has a fixed name. */
const generic = (name: string, by: string) => (name === 'debug-shell' ? name : name.replace(/-[a-z0-9]{5}$/, by));

test("DEMO nodes: every node with roles, status and pod counts; a node's pods with owners and emptyDir", async () => {
  const svc = new NodesService({ runner: fast() });
  const { nodes, podCountProblem } = await svc.listNodes();
  assert.equal(podCountProblem, undefined);
  const row = (short: string) => nodes.find((n) => n.name.startsWith(`${short}.`))!;
  assert.equal(nodes.length, 9);
  assert.deepEqual([row('master-0').roles, row('master-0').schedulable, row('master-0').pods], [['master'], false, 6]);
  assert.deepEqual([row('infra-node-1').roles, row('infra-node-1').pods], [['infra'], 6]);
  assert.deepEqual([row('app-node-0').ready, row('app-node-0').schedulable, row('app-node-0').pods], ['Ready', true, 6]);
  assert.equal(row('app-node-2').ready, 'Unknown', 'the down app node is not Ready');
  const pods = await svc.podsOn(APP0);
  assert.deepEqual(
    pods.map(
      (p) =>
        `${p.namespace}/${generic(p.name, '-x')} ${ownerText(p).replace(/-[a-z0-9]{5}$/, '-x')}${p.emptyDir ? ' emptyDir' : ''} ${p.phase}`,
    ),
    [
      'myproject/cache-x RC cache emptyDir Running',
      'myproject/debug-shell bare Running',
      'myproject/frontend-1-x DC frontend Running',
      'myproject/nightly-report-1538611200-x Job nightly-report-1538611200 Succeeded',
      'openshift-node/sync-x DS sync Running',
      'openshift-sdn/ovs-x DS ovs Running',
      'openshift-sdn/sdn-x DS sdn Running',
    ],
  );
  const master = await svc.podsOn('master-0.demo.example.com');
  assert.equal(master.filter((p) => p.mirror).length, 3, 'the 3.10 control plane runs as static pods');
});

test('DEMO cordon and uncordon change what oc get nodes says', async () => {
  const runner = fast();
  const svc = new NodesService({ runner });
  assert.match(await svc.setSchedulable(APP0, false), /cordoned.*Ready,SchedulingDisabled/);
  assert.equal((await svc.getNode(APP0)).schedulable, false);
  assert.match(
    (await runner.run({ kind: 'bastion' }, { script: 'oc get nodes' })).stdout,
    /app-node-0\.demo\.example\.com\s+Ready,SchedulingDisabled/,
  );
  assert.match(await svc.setSchedulable(APP0, true), /schedulable again \(Ready\)/);
  assert.equal((await svc.getNode(APP0)).schedulable, true);
  await assert.rejects(svc.setSchedulable('nosuch', false), /nodes "nosuch" not found/);
});

test("DEMO drain without options: cordoned, refused with oc 3.10's one-line reasons, nothing evicted", async () => {
  const r = fast();
  const svc = new NodesService({ runner: r });
  const before = await svc.podsOn(APP0);
  const o: DrainOptions = { node: APP0, ignoreDaemonsets: false, deleteLocalData: false, force: false };
  const end = await svc.startDrain(o).finished();
  assert.equal(end.progress.phase, 'refused');
  assert.match(
    end.log.join('\n'),
    new RegExp(
      String.raw`error: DaemonSet-managed pods \(use --ignore-daemonsets to ignore\): .*; pods not managed ` +
        String.raw`by .* \(use --force to override\): debug-shell; pods with local storage \(use ` +
        String.raw`--delete-local-data to override\): cache-`,
    ),
  );
  const blocked = end.progress.pods.filter((p) => p.state === 'blocked').map((p) => generic(p.name, ''));
  assert.deepEqual(blocked.sort(), ['cache', 'debug-shell', 'ovs', 'sdn', 'sync']);
  assert.equal(end.after?.node?.schedulable, false, 'the drain cordoned it before refusing');
  assert.equal(end.after?.podsLeft.length, before.length);
  assert.match(
    end.summary!,
    /^Drain refused, nothing evicted: .*--force.*app-node-0\.demo\.example\.com is cordoned \(SchedulingDisabled\)/,
  );
});

test('DEMO drain with every option: the budget refuses the frontend once, everything else goes; replacements elsewhere', () => {
  const r = fast();
  const o: DrainOptions = { node: APP0, ignoreDaemonsets: true, deleteLocalData: true, force: true, timeoutSeconds: 120 };
  const svcPods = simulateCommand(r.cluster, undefined, `oc get pods --all-namespaces --field-selector spec.nodeName=${APP0} -o json`);
  const json = svcPods.steps.flatMap((s) => (s.kind === 'line' ? [s.text] : [])).join('\n');
  const pods = (JSON.parse(json) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
  const { lines, exitCode } = play(r, `oc adm drain ${APP0} --ignore-daemonsets --delete-local-data --force --timeout=120s`);
  assert.equal(exitCode, 0);
  assert.equal(lines[0], `node "${APP0}" cordoned`);
  assert.match(
    lines[1]!,
    new RegExp(
      '^WARNING: Ignoring DaemonSet-managed pods: sdn-.*; Deleting pods not managed by .*: ' +
        'debug-shell; Deleting pods with local storage: cache-',
    ),
  );
  assert.match(
    lines[2]!,
    new RegExp(
      String.raw`^error when evicting pod "frontend-1-[a-z0-9]{5}" \(will retry after 5s\): Cannot evict ` +
        String.raw`pod as it would violate the pod's disruption budget\.$`,
    ),
  );
  assert.equal(lines.at(-1), `node "${APP0}" drained`);
  const pr = finishDrain(lines.reduce(applyDrainLine, initialProgress(o, [])), { exitCode });
  assert.equal(pr.phase, 'drained');
  assert.equal(pr.pods.find((p) => p.name.startsWith('frontend'))?.retries, 1);
  assert.equal(pr.pods.filter((p) => p.state === 'evicted').length, pods.filter((n) => !/^(sdn|ovs|sync)-/.test(n)).length);
  // after: only the daemon set pods stay; the frontend and the cache run elsewhere; the bare pod is gone
  const after = simulateCommand(r.cluster, undefined, 'oc get pods --all-namespaces -o json')
    .steps.flatMap((s) => (s.kind === 'line' ? [s.text] : []))
    .join('\n');
  const all = (JSON.parse(after) as { items: { metadata: { name: string }; spec: { nodeName?: string } }[] }).items;
  assert.deepEqual(
    all
      .filter((p) => p.spec.nodeName === APP0)
      .map((p) => p.metadata.name.replace(/-[a-z0-9]{5}$/, ''))
      .sort(),
    ['ovs', 'sdn', 'sync'],
  );
  assert.ok(!all.some((p) => p.metadata.name === 'debug-shell'), 'the bare pod is gone for good');
  assert.ok(
    all.some((p) => p.metadata.name.startsWith('cache-') && p.spec.nodeName === 'app-node-1.demo.example.com'),
    'the cache runs on the other Ready app node',
  );
  // a second drain: already cordoned, nothing left to evict, and the budget no longer blocks
  const again = play(r, `oc adm drain ${APP0} --ignore-daemonsets --delete-local-data --force`);
  assert.deepEqual(
    again.lines.filter((l) => !l.startsWith('WARNING')),
    [`node "${APP0}" already cordoned`, `node "${APP0}" drained`],
  );
});

test('DEMO drain of the down node: its pods stay Terminating; the drain gives up at its timeout (or is cancelled)', async () => {
  const r = fast();
  const node = 'app-node-2.demo.example.com';
  const { lines, exitCode } = play(r, `oc adm drain ${node} --ignore-daemonsets --delete-local-data --force --timeout=30s`);
  assert.equal(exitCode, 1);
  assert.equal(lines.at(-1), 'error: Drain did not complete within 30s');
  const pods = await new NodesService({ runner: r }).podsOn(node);
  assert.deepEqual(
    pods.filter((p) => p.terminating).map((p) => p.name.replace(/-[a-z0-9]{5}$/, '')),
    ['jenkins-1', 'worker-6d8f9c7b5'],
  );
  // through the runner, Esc (cancel) ends the wait
  const session = new NodesService({ runner: r }).startDrain({
    node,
    ignoreDaemonsets: true,
    deleteLocalData: true,
    force: true,
    timeoutSeconds: 300,
  });
  while (session.getSnapshot().progress.phase !== 'evicting') await new Promise((res) => setTimeout(res, 5));
  session.cancel();
  const end = await session.finished();
  assert.equal(end.progress.phase, 'cancelled');
  assert.match(end.notes.join(' '), /app-node-2\.demo\.example\.com is NotReady .*--timeout of 300 s/);
  assert.match(
    end.summary!,
    /^Drain cancelled: .*app-node-2\.demo\.example\.com is cordoned \(SchedulingDisabled\), NotReady — 2 pods still on it/,
  );
});

test('DEMO nodes: the node procedures’ oc forms (jsonpath, scale, delete node, --list-pods) change what oc get says', () => {
  const r = fast();
  const unsched = `oc get node ${APP0} -o 'jsonpath={.spec.unschedulable}'`;
  assert.deepEqual(play(r, unsched).lines, []);
  play(r, `oc adm manage-node ${APP0} --schedulable=false`);
  assert.deepEqual(play(r, unsched).lines, ['true']);
  assert.match(
    play(r, `oc adm manage-node ${APP0} --list-pods`).lines.join('\n'),
    /Listing matched pods on node: app-node-0[\s\S]*debug-shell/,
  );
  const replicas = `oc get dc/router -n default -o 'jsonpath={.spec.replicas}'`;
  assert.deepEqual(play(r, replicas).lines, ['3']);
  assert.deepEqual(play(r, 'oc scale dc/router --replicas 2 -n default').lines, ['deploymentconfig.apps.openshift.io "router" scaled']);
  assert.deepEqual(play(r, replicas).lines, ['2']);
  assert.equal(
    play(r, `oc get pods -n default -o 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'`).lines.filter((l) => /^router-/.test(l))
      .length,
    2,
  );
  assert.deepEqual(play(r, `oc delete node ${APP0}`).lines, [`node "${APP0}" deleted`]);
  assert.ok(!play(r, 'oc get nodes -o name').lines.includes(`node/${APP0}`));
  assert.equal(play(r, unsched).exitCode, 1, 'a deleted node is not found');
  // its pods that have a controller run elsewhere now; none is left on it
  assert.deepEqual(
    play(r, `oc get pods --all-namespaces --field-selector spec.nodeName=${APP0} -o 'jsonpath={.items[*].metadata.name}'`).lines,
    [],
  );
});

test('DEMO nodes: a pod with no node is Pending with the scheduler’s reason (the procedures’ Pending report)', () => {
  const r = fast();
  for (const n of ['infra-node-0', 'infra-node-1']) play(r, `oc adm drain ${n}.demo.example.com --ignore-daemonsets --delete-local-data`);
  const t = `oc get pods --all-namespaces -o 'jsonpath={range .items[?(@.status.phase=="Pending")]}{.metadata.name}{"\\t"}{.status.conditions[?(@.type=="PodScheduled")].reason}{"\\t"}{.status.conditions[?(@.type=="PodScheduled")].message}{"\\n"}{end}'`;
  const pending = play(r, t).lines.filter((l) => l !== '');
  assert.ok(
    pending.some((l) => /^router-1-\S+\tUnschedulable\t0\/9 nodes are available: .*free ports/.test(l)),
    pending.join('\n'),
  );
});

test('DEMO nodes: haproxy -c checks the load balancer’s configuration (the node procedures’ edit of haproxy.cfg)', async () => {
  const r = new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
  try {
    const lb = r.cluster.hosts.find((h) => h.kind === 'lb')!.host;
    const run = async (script: string) => {
      const res = await r.run({ kind: 'host', host: lb }, { script } as never);
      return { code: res.exitCode, out: res.stdout, err: res.stderr };
    };
    assert.deepEqual(await run('haproxy -c -f /etc/haproxy/haproxy.cfg'), { code: 0, out: 'Configuration file is valid\n', err: '' });
    await run(`sed -i '/^backend router80/,/^$/d' /etc/haproxy/haproxy.cfg`);
    const bad = await run('haproxy -c -f /etc/haproxy/haproxy.cfg');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /Proxy 'router80': unable to find required default_backend: 'router80'/);
    // kubectl's -o jsonpath prints no newline after its template (a verification reads "2", echo, "2")
    const two = await r.run({ kind: 'bastion' }, {
      script: `oc get dc/router -n default -o 'jsonpath={.spec.replicas}'; echo; oc get node ${APP0} -o 'jsonpath={.metadata.name}'`,
    } as never);
    assert.equal(two.stdout, `3\n${APP0}`);
    assert.deepEqual(r.unanswered, []);
  } finally {
    await r.close();
  }
});
