import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeActionAuditor } from '../engine/audit.js';
import { parsePodsJson } from '../ocp/nodes.js';
import { type Answer, FakeRunner } from '../testing/fake-runner.js';
import { type CommandResult, TransportError } from '../transport/types.js';
import { initialProgress } from './drain.js';
import { drainSummary, type NodeAction, NodesError, NodesService, nodeStateSentence, ocFailure, reconcileWithReadback } from './service.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/nodes/fixtures/${name}`, import.meta.url), 'utf8');
const NODE = 'node-0.lab.example.com';
const NODES = fixture('lab-nodes.json');
const PODS = fixture('lab-pods-node-0.json');
// biome-ignore lint/suspicious/noExplicitAny: a fixture's JSON, edited in place
const nodeJson = (mutate: (n: Record<string, any>) => void = () => {}) => {
  const n = JSON.parse(NODES).items.find((x: { metadata: { name: string } }) => x.metadata.name === NODE);
  mutate(n);
  return JSON.stringify(n);
};
const podsJson = (keep: (name: string) => boolean) => {
  const d = JSON.parse(PODS);
  d.items = d.items.filter((p: { metadata: { name: string } }) => keep(p.metadata.name));
  return JSON.stringify(d);
};

/** The one fake runner, answering by the script's text (drain lines are streamed; `hang` waits for the abort). */
const ocRunner = (answer: (script: string) => Answer) => FakeRunner.answering((_w, s) => answer(s));
/** The scripts run, in order. */
const scripts = (r: FakeRunner) => r.commands.map((c) => c.script);

const VERSION = 'oc v3.10.45\nkubernetes v1.10.0+b81c8f8\n';

test('listNodes: nodes with their pod counts, oc on the bastion with the --oc path', async () => {
  const runner = ocRunner((s) => {
    if (s === '/opt/oc get nodes -o json') return { stdout: NODES };
    if (s.startsWith('/opt/oc get pods --all-namespaces --no-headers'))
      return { stdout: `${NODE}   Running\n${NODE}   Running\nnode-1.lab.example.com   Running\n${NODE}   Succeeded\n` };
    return { stderr: 'unexpected', exitCode: 1 };
  });
  const svc = new NodesService({ runner, oc: '/opt/oc' });
  const list = await svc.listNodes();
  assert.equal(list.podCountProblem, undefined);
  assert.deepEqual(
    list.nodes.filter((n) => n.name.startsWith('node')).map((n) => `${n.name}=${n.pods}`),
    [`${NODE}=2`, 'node-1.lab.example.com=1'],
  );
  assert.equal(list.nodes.find((n) => n.name.startsWith('infra'))!.pods, 0);
  assert.ok(runner.commands.map((c) => c.target).every((t) => t.kind === 'bastion'));
});

test('listNodes: pods that cannot be counted leave the counts out and say why; oc failures are one sentence', async () => {
  const partial = new NodesService({
    runner: ocRunner((s) =>
      s.includes('get nodes')
        ? { stdout: NODES }
        : { stderr: 'Error from server (Forbidden): pods is forbidden: User "dev" cannot list pods at the cluster scope', exitCode: 1 },
    ),
  });
  const list = await partial.listNodes();
  assert.equal(list.nodes[0]!.pods, undefined);
  assert.match(list.podCountProblem!, /Forbidden — log in as a cluster-admin/);

  const missing = new NodesService({ runner: ocRunner(() => ({ stderr: 'sh: 1: oc: not found', exitCode: 127 })) });
  await assert.rejects(
    missing.listNodes(),
    (e: unknown) =>
      e instanceof NodesError && /oc not found: install the OpenShift client on this machine or pass --oc PATH/.test(e.message),
  );
  const notLogged = new NodesService({
    runner: ocRunner(() => ({ stderr: 'error: You must be logged in to the server (Unauthorized)', exitCode: 1 })),
  });
  await assert.rejects(notLogged.listNodes(), /not logged in — run oc login on the bastion/);
  const garbage = new NodesService({ runner: ocRunner(() => ({ stdout: 'NAME STATUS\n' })) });
  await assert.rejects(garbage.listNodes(), /oc get nodes -o json: the output of oc get nodes -o json is not JSON/);
  const transport = new NodesService({
    runner: ocRunner(() => ({ throws: new TransportError('master-0', 'unreachable', 'connect ECONNREFUSED', 'is sshd up?') })),
  });
  await assert.rejects(transport.listNodes(), /oc get nodes: connect ECONNREFUSED — is sshd up\?/);
  const unavailable = new NodesService({
    runner: ocRunner(() => ({ stdout: NODES })),
    ocUnavailable: 'oc not found: install the OpenShift client or pass --oc PATH',
  });
  await assert.rejects(unavailable.listNodes(), /^NodesError: oc not found/);
});

test('setSchedulable: manage-node, and what the node is now', async () => {
  const runner = ocRunner((s) =>
    s.endsWith('--schedulable=false')
      ? {
          stdout:
            `NAME                     STATUS                     ROLES     AGE   VERSION\n${NODE}   ` +
            `Ready,SchedulingDisabled   compute   3d    v1.10.0+b81c8f8\n`,
        }
      : { stdout: `NAME                     STATUS   ROLES     AGE   VERSION\n${NODE}   Ready    compute   3d    v1.10.0+b81c8f8\n` },
  );
  const svc = new NodesService({ runner });
  assert.equal(await svc.setSchedulable(NODE, false), `${NODE} is cordoned: no new pods are placed on it (Ready,SchedulingDisabled).`);
  assert.equal(await svc.setSchedulable(NODE, true), `${NODE} is schedulable again (Ready).`);
  assert.deepEqual(scripts(runner), [`oc adm manage-node ${NODE} --schedulable=false`, `oc adm manage-node ${NODE} --schedulable=true`]);
  const nf = new NodesService({
    runner: ocRunner(() => ({ stderr: 'Error from server (NotFound): nodes "nosuch" not found', exitCode: 1 })),
  });
  await assert.rejects(nf.setSchedulable('nosuch', false), /oc adm manage-node nosuch --schedulable=false: nodes "nosuch" not found/);
});

const FULL: ['out' | 'err', string][] = [
  ['out', `node "${NODE}" cordoned`],
  [
    'err',
    'WARNING: ignoring DaemonSet-managed Pods: openshift-sdn/sdn-zr8l7; deleting Pods not managed by ' +
      'ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: myproject/bare-httpd',
  ],
  [
    'err',
    'error when evicting pod "frontend-1-j7vf2" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
  ],
  ['out', 'pod "cache-vslkp" evicted'],
  ['out', 'pod "bare-httpd" evicted'],
  ['out', 'pod "frontend-1-j7vf2" evicted'],
  ['out', `node "${NODE}" drained`],
];

test('a drain session: lists the pods first, streams per-pod progress, reads the node back and sums it up', async () => {
  let drained = false;
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s === `oc get node ${NODE} -o json`) return { stdout: nodeJson((n) => drained && (n.spec.unschedulable = true)) };
    if (s.startsWith('oc get pods')) return { stdout: drained ? podsJson((n) => n.startsWith('sdn')) : PODS };
    if (s.startsWith('oc adm drain')) {
      drained = true;
      return { lines: FULL };
    }
    return { stderr: `unexpected ${s}`, exitCode: 1 };
  });
  const session = new NodesService({ runner }).startDrain({
    node: NODE,
    ignoreDaemonsets: true,
    deleteLocalData: true,
    force: true,
    timeoutSeconds: 60,
  });
  const seen: string[] = [];
  session.subscribe(() => {
    const s = session.getSnapshot();
    const fe = s.progress.pods.find((p) => p.name.startsWith('frontend'));
    seen.push(`${s.status}:${fe?.state ?? '-'}`);
  });
  const end = await session.finished();
  assert.equal(end.command, `oc adm drain ${NODE} --ignore-daemonsets --delete-local-data --force --timeout=60s`);
  assert.ok(seen.includes('running:retrying'), `the PDB retry was visible on the way: ${seen.join(' ')}`);
  assert.ok(seen.indexOf('running:evicting') < seen.indexOf('running:retrying'));
  assert.equal(end.status, 'done');
  assert.equal(end.progress.phase, 'drained');
  assert.deepEqual(
    end.progress.pods.map((p) => `${p.name}:${p.state}`),
    ['bare-httpd:evicted', 'cache-vslkp:evicted', 'frontend-1-j7vf2:evicted', 'sdn-zr8l7:skipped'],
  );
  assert.equal(end.log.length, FULL.length);
  assert.equal(end.after?.node?.schedulable, false);
  assert.equal(
    end.summary,
    `Drained: 3 pods evicted. ${NODE} is cordoned (SchedulingDisabled) — 1 DaemonSet or static pod (they stay). u ` +
      `makes it schedulable again. Every replacement pod has a node: none is Pending.`,
  );
});

test('cancel: the drain is ended, the node read back: cordoned, with the pods still on it', async () => {
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s === `oc get node ${NODE} -o json`) return { stdout: nodeJson((n) => (n.spec.unschedulable = true)) };
    if (s.startsWith('oc get pods')) return { stdout: PODS.replace('"cache-vslkp"', '"cache-vslkp"') };
    if (s.startsWith('oc adm drain')) {
      setImmediate(started);
      return { lines: FULL.slice(0, 3), hang: true, whenAborted: { signal: 'SIGTERM' } };
    }
    return { stderr: 'unexpected', exitCode: 1 };
  });
  const pods = parsePodsJson(PODS);
  const session = new NodesService({ runner }).startDrain(
    { node: NODE, ignoreDaemonsets: true, deleteLocalData: true, force: true },
    { pods },
  );
  await running;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(session.getSnapshot().progress.pods.find((p) => p.name.startsWith('frontend'))?.state, 'retrying');
  session.cancel();
  const end = await session.finished();
  assert.equal(end.cancelRequested, true);
  assert.equal(end.progress.phase, 'cancelled');
  assert.deepEqual(
    end.progress.pods.map((p) => `${p.name}:${p.state}`),
    ['bare-httpd:left', 'cache-vslkp:left', 'frontend-1-j7vf2:left', 'sdn-zr8l7:skipped'],
  );
  assert.match(
    end.summary!,
    new RegExp(
      `^Drain cancelled: 0 pods evicted before it stopped\\. ${NODE} is cordoned \\(SchedulingDisabled\\) — 3 pods ` +
        `still on it: myproject/bare-httpd, myproject/cache-vslkp, myproject/frontend-1-j7vf2; 1 DaemonSet or ` +
        `static pod \\(they stay\\)\\. u makes it schedulable again\\.$`,
    ),
  );
  // with pods handed over, none were listed again before the drain; no version problem either
  assert.equal(scripts(runner).filter((s) => s.startsWith('oc get pods')).length, 1, scripts(runner).join('\n'));
});

test('a late cancel (the drain command has ended: reading the node back, or done) changes nothing', async () => {
  let readBack!: () => void;
  const reading = new Promise<void>((r) => (readBack = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let drained = false;
  // the read-back waits on `held`, so that Esc can come while it runs
  const holdWhenDrained = () => (drained ? { until: held } : {});
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s.startsWith('oc adm drain')) {
      drained = true;
      return { lines: FULL, exitCode: 0 };
    }
    if (s === `oc get node ${NODE} -o json`) {
      if (drained) readBack();
      return { stdout: nodeJson((n) => (n.spec.unschedulable = drained)), ...holdWhenDrained() };
    }
    if (s.startsWith('oc get pods')) return { stdout: drained ? podsJson((n) => n.startsWith('sdn')) : PODS, ...holdWhenDrained() };
    return { stderr: 'unexpected', exitCode: 1 };
  });
  const session = new NodesService({ runner }).startDrain(
    { node: NODE, ignoreDaemonsets: true, deleteLocalData: true, force: true },
    { pods: parsePodsJson(PODS) },
  );
  await reading;
  assert.equal(session.getSnapshot().status, 'reading-back');
  session.cancel();
  release();
  const end = await session.finished();
  assert.equal(end.cancelRequested, false);
  assert.equal(end.progress.phase, 'drained');
  assert.match(end.summary!, /^Drained: 3 pods evicted\./);
  session.cancel();
  assert.equal(session.getSnapshot().cancelRequested, false, 'a cancel after the end');
  assert.equal(session.getSnapshot().summary, end.summary);
});

test('a NotReady node: the session says what happens and that the timeout bounds it', async () => {
  let ran = false;
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s === `oc get node ${NODE} -o json`)
      return {
        stdout: nodeJson((n) => {
          const ready = n.status.conditions.find((c: { type: string }) => c.type === 'Ready');
          ready.status = 'Unknown';
          ready.message = 'Kubelet stopped posting node status.';
          if (ran) n.spec.unschedulable = true;
        }),
      };
    if (s.startsWith('oc get pods')) return { stdout: podsJson((n) => n.startsWith('sdn')) };
    if (s.startsWith('oc adm drain')) {
      ran = true;
      return {
        lines: [
          ['out', `node "${NODE}" cordoned`],
          ['err', 'error: Drain did not complete within 20s'],
        ],
        exitCode: 1,
      };
    }
    return { stderr: 'unexpected', exitCode: 1 };
  });
  const end = await new NodesService({ runner })
    .startDrain({ node: NODE, ignoreDaemonsets: true, deleteLocalData: false, force: false, timeoutSeconds: 20 })
    .finished();
  assert.match(
    end.notes.join('\n'),
    /node-0\.lab\.example\.com is NotReady \(Kubelet stopped posting node status\.\): its kubelet cannot stop the pods.*--timeout of 20 s/,
  );
  assert.equal(end.progress.phase, 'timed-out');
  assert.match(
    end.summary!,
    /^Drain gave up after its timeout of 20 s: 0 pods evicted\. node-0\.lab\.example\.com is cordoned \(SchedulingDisabled\), NotReady/,
  );
});

test('bad options never run anything; a node that cannot be read back is said so', async () => {
  const runner = ocRunner(() => ({ exitCode: 1, stderr: 'x' }));
  const end = await new NodesService({ runner })
    .startDrain({ node: 'a b', ignoreDaemonsets: true, deleteLocalData: false, force: false })
    .finished();
  assert.match(end.summary!, /^Drain not run: "a b" is not a node name/);
  assert.deepEqual(scripts(runner), []);
  assert.equal(
    nodeStateSentence(NODE, { podsLeft: [], error: 'oc get node: the API server cannot be reached' }),
    `Could not read ${NODE} back (oc get node: the API server cannot be reached): check it with oc get node ${NODE}.`,
  );
});

test('reconcileWithReadback and drainSummary (refused)', () => {
  const pods = parsePodsJson(PODS);
  const o = { node: NODE, ignoreDaemonsets: true, deleteLocalData: true, force: false };
  const pr = { ...initialProgress(o, pods), phase: 'refused' as const };
  pr.pods = pr.pods.map((p) =>
    p.name === 'bare-httpd'
      ? { ...p, state: 'blocked' as const, reason: 'cannot delete Pods not managed by … (--force)' }
      : p.state === 'pending'
        ? { ...p, state: 'left' as const }
        : p,
  );
  const after = {
    node: { name: NODE, ready: 'Ready' as const, schedulable: false, roles: ['compute'], kubeletVersion: 'v1', taints: [] },
    podsLeft: pods,
  };
  const r = reconcileWithReadback(pr, pods);
  assert.deepEqual(
    r.pods.map((p) => p.state),
    ['blocked', 'left', 'left', 'skipped'],
  );
  assert.equal(
    drainSummary(o, r, after),
    `Drain refused, nothing evicted: myproject/bare-httpd needs an option (--force). ${NODE} is cordoned ` +
      `(SchedulingDisabled) — 3 pods still on it: myproject/bare-httpd, myproject/cache-vslkp, ` +
      `myproject/frontend-1-j7vf2; 1 DaemonSet or static pod (they stay). u makes it schedulable again.`,
  );
  // a pod that is gone after a cancel was evicted after all
  const gone = reconcileWithReadback(
    { ...pr, pods: pr.pods.map((p) => ({ ...p, state: 'left' as const })) },
    pods.filter((p) => p.name !== 'cache-vslkp'),
  );
  assert.equal(gone.pods.find((p) => p.name === 'cache-vslkp')?.state, 'evicted');
});

test('ocFailure: timeouts and unknown errors', () => {
  const r = (o: Partial<CommandResult>): CommandResult => ({
    exitCode: 1,
    stdout: '',
    stderr: '',
    truncated: false,
    timedOut: false,
    cancelled: false,
    durationMs: 30_000,
    ...o,
  });
  assert.equal(ocFailure(r({ exitCode: 0 }), 'x'), undefined);
  assert.equal(
    ocFailure(r({ exitCode: null, timedOut: true }), 'oc get nodes'),
    'oc get nodes: no answer within 30 s (is the API server up?)',
  );
  assert.equal(
    ocFailure(r({ stderr: 'Unable to connect to the server: dial tcp 10.0.0.1:8443: connect: connection refused' }), 'oc get nodes'),
    'oc get nodes: the API server cannot be reached (Unable to connect to the server: dial tcp 10.0.0.1:8443: connect: connection refused)',
  );
  assert.equal(ocFailure(r({ exitCode: 3, stderr: 'boom\nmore' }), 'oc get nodes'), 'oc get nodes failed (exit 3): boom');
});

test('the audit hears of every cordon, uncordon and drain, however it ends, not of reads; the auditor writes audit.log lines', async () => {
  const heard: NodeAction[] = [];
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s === `oc get node ${NODE} -o json`) return { stdout: nodeJson() };
    if (s === 'oc get nodes -o json') return { stdout: NODES };
    if (s.startsWith('oc get pods --all-namespaces --no-headers')) return { stdout: `${NODE}   Running\n` };
    if (s.startsWith('oc get pods')) return { stdout: PODS };
    if (s.endsWith('--schedulable=true')) return { stderr: 'error: You must be logged in to the server (Unauthorized)', exitCode: 1 };
    if (s.startsWith('oc adm')) return { stdout: `NAME STATUS\n${NODE} Ready\n` };
    return { stderr: `unexpected ${s}`, exitCode: 1 };
  });
  const svc = new NodesService({ runner, audit: (a) => heard.push(a) });
  await svc.listNodes();
  await svc.setSchedulable(NODE, false);
  await assert.rejects(svc.setSchedulable(NODE, true), /not logged in/);
  await svc.startDrain({ node: NODE, ignoreDaemonsets: true, deleteLocalData: false, force: false, timeoutSeconds: 30 }).finished();
  assert.deepEqual(
    heard.map((a) => `${a.action} ${a.node} ${a.command.script} → ${a.result?.exitCode}`),
    [
      `cordon ${NODE} oc adm manage-node ${NODE} --schedulable=false → 0`,
      `uncordon ${NODE} oc adm manage-node ${NODE} --schedulable=true → 1`,
      `drain ${NODE} oc adm drain ${NODE} --ignore-daemonsets --timeout=30s → 0`,
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'day2-nodes-audit-'));
  try {
    const write = nodeActionAuditor(dir);
    for (const a of heard) write(a);
    const lines = readFileSync(join(dir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => [l['kind'], l['runId'], l['step'], l['host'], l['command'], l['exitCode']]),
      [
        ['command', 'nodes-screen', `cordon ${NODE}`, null, `oc adm manage-node ${NODE} --schedulable=false`, 0],
        ['command', 'nodes-screen', `uncordon ${NODE}`, null, `oc adm manage-node ${NODE} --schedulable=true`, 1],
        ['command', 'nodes-screen', `drain ${NODE}`, null, `oc adm drain ${NODE} --ignore-daemonsets --timeout=30s`, 0],
      ],
    );
    assert.match(String(lines[1]!['outputTail']), /Unauthorized/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after evictions the replacement pods are followed until they start; one the scheduler cannot place is named with why', async () => {
  const PENDING_ROUTER =
    "default/router-1-x7k2p\tUnschedulable\t0/3 nodes are available: 1 node(s) didn't have free ports for the " +
    "requested pod ports, 2 node(s) didn't match node selector.";
  let listings = 0;
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s === `oc get node ${NODE} -o json`) return { stdout: nodeJson((n) => (n.spec.unschedulable = true)) };
    if (s.startsWith("oc get pods --all-namespaces -o 'jsonpath=")) {
      listings++;
      // the replacement of frontend is still being created at the first look, started at the second
      return { stdout: listings === 1 ? `myproject/frontend-1-new01\t\t\n${PENDING_ROUTER}\n` : `${PENDING_ROUTER}\n` };
    }
    if (s.startsWith('oc get pods')) return { stdout: podsJson((n) => n.startsWith('sdn')) };
    if (s.startsWith('oc adm drain')) return { lines: FULL };
    return { stderr: `unexpected ${s}`, exitCode: 1 };
  });
  const statuses: string[] = [];
  const session = new NodesService({ runner, followEveryMs: 1 }).startDrain({
    node: NODE,
    ignoreDaemonsets: true,
    deleteLocalData: true,
    force: true,
    timeoutSeconds: 60,
  });
  session.subscribe(() => statuses.push(session.getSnapshot().status));
  const end = await session.finished();
  assert.ok(statuses.includes('following'), statuses.join(' '));
  assert.equal(listings, 2, 'followed until only the unschedulable pod was Pending');
  assert.deepEqual(
    end.replacements?.pending.map((p) => p.pod),
    ['default/router-1-x7k2p'],
  );
  assert.equal(end.replacements?.complete, true);
  assert.match(end.summary!, /1 replacement pod cannot be placed — default\/router-1-x7k2p: the router binds host ports 80 and 443/);
});

test('the follow is bounded: pods still starting when the time is up are named; Esc ends it at once', async () => {
  const runner = ocRunner((s) => {
    if (s === 'oc version') return { stdout: VERSION };
    if (s === `oc get node ${NODE} -o json`) return { stdout: nodeJson((n) => (n.spec.unschedulable = true)) };
    if (s.startsWith("oc get pods --all-namespaces -o 'jsonpath=")) return { stdout: 'myproject/frontend-1-new01\t\t\n' };
    if (s.startsWith('oc get pods')) return { stdout: podsJson((n) => n.startsWith('sdn')) };
    if (s.startsWith('oc adm drain')) return { lines: FULL };
    return { stderr: `unexpected ${s}`, exitCode: 1 };
  });
  const opts = { node: NODE, ignoreDaemonsets: true, deleteLocalData: true, force: true, timeoutSeconds: 60 };
  const bounded = await new NodesService({ runner, followSeconds: 0, followEveryMs: 1 }).startDrain(opts).finished();
  assert.equal(bounded.replacements?.complete, false);
  assert.match(
    bounded.summary!,
    /Followed the replacement pods for \d+ s: 1 pod still Pending — myproject\/frontend-1-new01: still starting/,
  );
  const session = new NodesService({ runner, followSeconds: 600, followEveryMs: 60_000 }).startDrain(opts);
  await new Promise<void>((resolve) => session.subscribe(() => session.getSnapshot().status === 'following' && resolve()));
  session.cancel();
  const stopped = await session.finished();
  assert.equal(stopped.progress.phase, 'drained', 'Esc while following does not make the drain cancelled');
  assert.match(stopped.summary!, /\(stopped \(Esc\)\): 1 pod still Pending/);
});
