// Pure tests of the node procedures' shared parts: the jsonpath listing of nodes (lines as the lab's
// kubectl 1.20 prints them), the pods on a node, what the drain will do and when it is refused, the
// capacity rule of 5.3.1, the Pending report and the router/registry scale targets (the haproxy.cfg
// edit is tested beside it, in src/ocp/haproxy.test.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Host, Inventory } from '../src/inventory/types.js';
import { drainForecast, leftOnNode, parseNodeRows, parsePodsJson } from '../src/ocp/nodes.js';
import { testHost, testInventory } from '../src/testing/builders.js';
import { podListJson } from '../src/testing/pods.js';
import {
  capacityVerdict,
  decodeTarget,
  drainVerdict,
  encodeTarget,
  findNodeRow,
  forecastLines,
  nodeKind,
  parsePending,
  pendingReport,
  scaleTarget,
  validateReplicas,
  wantsLocalData,
} from './node-common.js';

const inv = (hosts: Host[]): Inventory => testInventory(hosts, { source: { kind: 'demo' }, groups: {} });

// `oc get nodes -o jsonpath=…` on the lab (kubectl 1.20)
const NODES = [
  'infra-0.lab.example.com\tTrue\t\t\ttrue\t\t\t127.0.11.1',
  'master-0.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.1',
  'master-1.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.2',
  'master-2.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.3',
  'node-0.lab.example.com\tTrue\t\t\t\t\t\t127.0.12.1',
  'node-1.lab.example.com\tTrue\t\t\t\t\t\t127.0.12.2',
  '',
].join('\n');

// the pods on the lab's node-0, as rows of podListJson
const PODS = [
  'myproject\tbare-httpd\tRunning\t\t\t\t\t\t\tTrue',
  'myproject\tcache-vslkp\tRunning\tReplicationController\tcache\t{}\t\t\t\tTrue',
  'myproject\tfrontend-1-j7vf2\tRunning\tReplicationController\tfrontend-1\t\t\t\tfrontend\tTrue',
  'openshift-sdn\tsdn-zr8l7\tRunning\tDaemonSet\tsdn\t\t\t\t\tTrue',
  'kube-system\tmaster-api-x\tRunning\t\t\t\tabc123\t\t\tTrue',
  '',
].join('\n');

test('nodes: parsed from the jsonpath lines; found by name, short name or address; kind', () => {
  const rows = parseNodeRows(NODES);
  assert.equal(rows.length, 6);
  assert.deepEqual(rows[0], {
    name: 'infra-0.lab.example.com',
    ready: 'True',
    schedulable: true,
    master: false,
    infra: true,
    ip: '127.0.11.1',
  });
  assert.equal(rows[1]!.schedulable, false);
  assert.equal(rows[1]!.master, true);
  assert.equal(findNodeRow(rows, testHost('node-1.lab.example.com', ['node']))?.name, 'node-1.lab.example.com');
  assert.equal(findNodeRow(rows, testHost('node-1', ['node']))?.name, 'node-1.lab.example.com');
  assert.equal(findNodeRow(rows, testHost('n1.other', ['node'], { vars: { ansible_host: '127.0.12.2' } }))?.name, 'node-1.lab.example.com');
  assert.equal(findNodeRow(rows, testHost('nowhere', ['node'])), undefined);
  assert.equal(nodeKind(rows[0]!), 'infra');
  assert.equal(nodeKind(rows[1]!), 'master');
  assert.equal(nodeKind(rows[4]!), 'compute');
  assert.equal(nodeKind(rows[4]!, testHost('node-0', ['infra', 'node'])), 'infra');
  // older installs label infra nodes region=infra
  assert.equal(parseNodeRows('a\tTrue\t\t\t\tinfra\t\t10.0.0.1')[0]!.infra, true);
});

const lab = inv([
  testHost('infra-0.lab.example.com', ['infra', 'node']),
  testHost('node-0.lab.example.com', ['node']),
  testHost('node-1.lab.example.com', ['node']),
]);

test('capacity (5.3.1): an infra node only while 2 stay online, 3 for full HA; not the last compute node', () => {
  const rows = parseNodeRows(NODES);
  const only = capacityVerdict(rows, 'infra-0.lab.example.com', 'infra', lab, false);
  assert.equal(only.ok, false);
  assert.match(only.refusal!, /only 0 other infra node\(s\) are Ready and schedulable/);
  assert.match(only.refusal!, /allow-low-capacity=yes/);
  const allowed = capacityVerdict(rows, 'infra-0.lab.example.com', 'infra', lab, true);
  assert.equal(allowed.ok, true);
  assert.match(allowed.lines.join('\n'), /warning \(allow-low-capacity=yes\)/);
  const more = (k: number, cordoned = 0) => [
    ...rows,
    ...Array.from({ length: k }, (_, i) => ({
      name: `infra-${i + 1}`,
      ready: 'True',
      schedulable: i >= cordoned,
      master: false,
      infra: true,
      ip: '',
    })),
  ];
  assert.equal(capacityVerdict(more(1), 'infra-0.lab.example.com', 'infra', lab, false).ok, false);
  const two = capacityVerdict(more(2), 'infra-0.lab.example.com', 'infra', lab, false);
  assert.equal(two.ok, true);
  assert.match(two.lines.join('\n'), /full high availability needs 3/);
  assert.deepEqual(capacityVerdict(more(3), 'infra-0.lab.example.com', 'infra', lab, false).lines, [
    'infra nodes online after infra-0.lab.example.com is removed: 3 (infra-1, infra-2 and infra-3)',
  ]);
  // a cordoned infra node is not online
  assert.equal(capacityVerdict(more(3, 2), 'infra-0.lab.example.com', 'infra', lab, false).ok, false);
  assert.equal(capacityVerdict(rows, 'node-1.lab.example.com', 'compute', lab, false).ok, true);
  const last = capacityVerdict(
    rows.filter((r) => r.name !== 'node-0.lab.example.com'),
    'node-1.lab.example.com',
    'compute',
    lab,
    false,
  );
  assert.equal(last.ok, false);
  assert.match(last.refusal!, /last compute node/);
});

test('pods: the drain forecast; bare pods refused without force, emptyDir pods with delete-local-data=no', () => {
  const pods = parsePodsJson(podListJson(PODS, 'node-0.lab.example.com'));
  // read sorted by namespace and name, as `oc get pods --all-namespaces` lists them
  const pod = (name: string) => pods.find((p) => p.name === name)!;
  assert.equal(pods.length, 5);
  assert.equal(pod('bare-httpd').ownerKind, 'bare');
  assert.equal(pod('cache-vslkp').emptyDir, true);
  assert.equal(pod('frontend-1-j7vf2').ownerKind, 'DeploymentConfig');
  assert.equal(pod('sdn-zr8l7').ownerKind, 'DaemonSet');
  assert.equal(pod('master-api-x').mirror, true);
  const f = drainForecast(pods);
  assert.deepEqual(
    f.evicted.map((p) => p.key),
    ['myproject/bare-httpd', 'myproject/cache-vslkp', 'myproject/frontend-1-j7vf2'],
  );
  assert.deepEqual(
    f.daemonset.map((p) => p.key),
    ['openshift-sdn/sdn-zr8l7'],
  );
  assert.deepEqual(
    f.mirror.map((p) => p.key),
    ['kube-system/master-api-x'],
  );
  assert.deepEqual(
    f.emptyDir.map((p) => p.key),
    ['myproject/cache-vslkp'],
  );
  assert.deepEqual(
    f.bare.map((p) => p.key),
    ['myproject/bare-httpd'],
  );
  const refused = drainVerdict('node-0', f, false, 'auto');
  assert.equal(typeof refused, 'string');
  assert.match(refused as string, /1 pod\(s\) without a controller \(myproject\/bare-httpd\)/);
  assert.match(refused as string, /run again with force=yes/);
  assert.equal(drainVerdict('node-0', f, true, 'auto'), true);
  assert.match(drainVerdict('node-0', f, true, 'no') as string, /emptyDir volumes \(myproject\/cache-vslkp\).*delete-local-data=auto/);
  assert.equal(wantsLocalData('auto', 1), true);
  assert.equal(wantsLocalData('auto', 0), false);
  assert.equal(wantsLocalData('yes', 0), true);
  assert.equal(wantsLocalData('no', 3), false);
  const lines = forecastLines('node-0', f, true, 'auto').join('\n');
  assert.match(lines, /DELETED FOR GOOD.*myproject\/bare-httpd \(bare\)/);
  assert.match(lines, /lose their emptyDir data.*myproject\/cache-vslkp \(RC cache\)/);
  assert.match(lines, /stay \(daemon set pods, --ignore-daemonsets\): openshift-sdn\/sdn-zr8l7 \(DS sdn\)/);
  assert.match(
    lines,
    new RegExp(
      String.raw`evicted, their controllers recreate them on other nodes: myproject\/cache-vslkp ` +
        String.raw`\(RC cache\) and myproject\/frontend-1-j7vf2 \(DC frontend\)`,
    ),
  );
  // after the drain: only the daemon set and static pods may remain
  assert.deepEqual(
    leftOnNode(pods).map((p) => p.name),
    ['bare-httpd', 'cache-vslkp', 'frontend-1-j7vf2'],
  );
  assert.deepEqual(leftOnNode([pod('sdn-zr8l7'), pod('master-api-x')]), []);
  // the infra deployment configs that had a pod there
  const infraPods = parsePodsJson(
    podListJson(
      'default\trouter-1-k6569\tRunning\tReplicationController\trouter-1\t\t\t\trouter\tTrue\n' +
        'default\tdocker-registry-1-4b7bg\tRunning\tReplicationController\tdocker-registry-1\t{}\t\t\tdocker-registry\tTrue\n',
      'infra-0',
    ),
  );
  // in the order oc lists their pods (by name)
  assert.deepEqual(drainForecast(infraPods).infraDcs, ['docker-registry', 'router']);
});

test('replacements: Pending pods explained (the router and its host ports, a node selector nobody matches)', () => {
  const out = [
    "default/router-1-zk855\tUnschedulable\t0/6 nodes are available: 3 node(s) were unschedulable, 1 node(s) didn't " +
      "have free ports for the requested pod ports, 2 node(s) didn't match node selector.",
    'default/docker-registry-1-abcde\tUnschedulable\t0/5 nodes are available: 3 node(s) were unschedulable, 2 ' +
      "node(s) didn't match node selector.",
    'myproject/frontend-1-xyz12\t\t',
    'some pods had not started within 90 s',
  ].join('\n');
  const p = parsePending(out);
  assert.equal(p.length, 3);
  const r = pendingReport(p);
  assert.equal(r[0], 'Pending pods: 3');
  assert.match(r[1]!, /^default\/router-1-zk855: the router binds host ports 80 and 443/);
  assert.match(r[2]!, /^default\/docker-registry-1-abcde: no Ready, schedulable node matches its node selector/);
  assert.match(r[3]!, /still starting/);
  assert.deepEqual(pendingReport([]), ['every replacement pod has a node: none is Pending']);
});

test("scale targets (5.3.1): the guide's 3 infra nodes → 2; parameters; nothing by default for a compute node", () => {
  // the guide: 3 infra nodes, router and registry at 3, one infra node goes → both to 2
  assert.deepEqual(scaleTarget({ dc: 'router', current: 3, kind: 'infra', remainingInfra: 2, ranThere: true }), { to: 2, from: 3 });
  assert.deepEqual(scaleTarget({ dc: 'docker-registry', current: 3, kind: 'infra', remainingInfra: 2, ranThere: true }), {
    to: 2,
    from: 3,
  });
  assert.match(
    (scaleTarget({ dc: 'docker-registry', current: 3, kind: 'infra', remainingInfra: 2, ranThere: false }) as { keep: string }).keep,
    /no docker-registry pod ran/,
  );
  assert.match(
    (scaleTarget({ dc: 'router', current: 2, kind: 'infra', remainingInfra: 2, ranThere: true }) as { keep: string }).keep,
    /nothing to scale/,
  );
  assert.match(
    (scaleTarget({ dc: 'router', current: 1, kind: 'infra', remainingInfra: 0, ranThere: true }) as { keep: string }).keep,
    /no infra node is left/,
  );
  assert.match(
    (scaleTarget({ dc: 'router', current: 3, kind: 'compute', remainingInfra: 3, ranThere: false }) as { keep: string }).keep,
    /not an infra node/,
  );
  assert.deepEqual(scaleTarget({ dc: 'router', param: '1', current: 3, kind: 'compute', remainingInfra: 3, ranThere: false }), {
    to: 1,
    from: 3,
  });
  assert.match(
    (scaleTarget({ dc: 'router', param: 'keep', current: 3, kind: 'infra', remainingInfra: 1, ranThere: true }) as { keep: string }).keep,
    /keep/,
  );
  assert.match((scaleTarget({ dc: 'router', kind: 'infra', remainingInfra: 1, ranThere: true }) as { keep: string }).keep, /not found/);
  for (const t of [{ to: 2, from: 3 }, { keep: 'x: y' }] as const) assert.deepEqual(decodeTarget(encodeTarget(t)), t);
  assert.equal(validateReplicas('2'), undefined);
  assert.equal(validateReplicas('keep'), undefined);
  assert.match(validateReplicas('two')!, /not a replica count/);
  assert.match(validateReplicas('-1')!, /not a replica count/);
});

test('docker storage on a master: refused without allow-master=yes, and with it only when etcd keeps quorum', async () => {
  const { refuseMaster } = await import('./docker-common.js');
  const h = (name: string, roles: Host['roles']): Host => ({
    name,
    address: name,
    port: 22,
    become: false,
    roles,
    groups: roles,
    vars: {},
    file: 't',
    line: 1,
  });
  const inventory = (masters: number): Inventory => ({
    source: { kind: 'demo' },
    hosts: [...Array.from({ length: masters }, (_, i) => h(`m${i}`, ['master', 'etcd', 'node'])), h('n0', ['node'])],
    groups: {},
    groupVars: {},
    warnings: [],
  });
  const ctx = (node: string, masters: number, allow?: string) => ({
    params: { node, ...(allow ? { 'allow-master': allow } : {}) },
    inventory: inventory(masters),
    captured: { get: () => '', has: () => false },
    startedAt: new Date(),
    planning: false,
  });
  assert.equal(refuseMaster(ctx('n0', 3)), undefined, 'a plain node goes ahead');
  assert.match(String(refuseMaster(ctx('m1', 3))), /m1 is a master: .* Give allow-master=yes/);
  assert.equal(refuseMaster(ctx('m1', 3, 'yes')), undefined, 'three members keep quorum without one');
  assert.match(String(refuseMaster(ctx('m0', 1, 'yes'))), /loses quorum .* Not done, even with allow-master=yes/);
});
