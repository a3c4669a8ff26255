import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  drainBlockers,
  drainForecast,
  getNodesCommand,
  leftOnNode,
  nodeStatusText,
  ownerText,
  parseNodesJson,
  parsePodCounts,
  parsePodsJson,
  podFromJson,
  podNodesCommand,
  podStatusText,
  podsLostForGood,
  podsOnNodeCommand,
  stillToMove,
} from './nodes.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/nodes/fixtures/${name}`, import.meta.url), 'utf8');

test("parseNodesJson: the lab's nodes (oc get nodes -o json through kubectl 1.20)", () => {
  const nodes = parseNodesJson(fixture('lab-nodes.json'));
  assert.deepEqual(
    nodes.map((n) => `${n.name} ${nodeStatusText(n)} ${n.roles.join(',')} ${n.kubeletVersion}`),
    [
      'infra-0.lab.example.com Ready infra v1.10.0+b81c8f8',
      'master-0.lab.example.com Ready,SchedulingDisabled master v1.10.0+b81c8f8',
      'master-1.lab.example.com Ready,SchedulingDisabled master v1.10.0+b81c8f8',
      'master-2.lab.example.com Ready,SchedulingDisabled master v1.10.0+b81c8f8',
      'node-0.lab.example.com Ready compute v1.10.0+b81c8f8',
      'node-1.lab.example.com Ready compute v1.10.0+b81c8f8',
    ],
  );
  const n0 = nodes.find((n) => n.name.startsWith('node-0'))!;
  assert.equal(n0.schedulable, true);
  assert.equal(n0.internalIP, '127.0.12.1');
  assert.equal(n0.readyMessage, undefined);
});

test(
  'parseNodesJson: a node whose kubelet stopped posting has Ready Unknown, shows NotReady as `oc get nodes` does, ' +
    'with the message and its taint',
  () => {
    const n1 = parseNodesJson(fixture('lab-nodes-notready.json')).find((n) => n.name.startsWith('node-1'))!;
    assert.equal(n1.ready, 'Unknown');
    assert.equal(nodeStatusText(n1), 'NotReady');
    assert.equal(nodeStatusText({ ...n1, schedulable: false }), 'NotReady,SchedulingDisabled');
    assert.equal(n1.readyMessage, 'Kubelet stopped posting node status.');
    assert.deepEqual(n1.taints, ['node.kubernetes.io/unreachable:NoSchedule']);
    assert.equal(nodeStatusText({ ready: 'NotReady', schedulable: false }), 'NotReady,SchedulingDisabled');
  },
);

test('parseNodesJson: one node (oc get node N -o json) and bad input', () => {
  const one = JSON.stringify(JSON.parse(fixture('lab-nodes.json')).items[4]);
  assert.deepEqual(
    parseNodesJson(one).map((n) => n.name),
    ['node-0.lab.example.com'],
  );
  assert.throws(() => parseNodesJson('error: You must be logged in to the server (Unauthorized)'), /is not JSON \(error: You must/);
  assert.throws(() => parseNodesJson('{"kind":"Status"}'), /has no items/);
  const none = parseNodesJson('{"kind":"List","items":[{"metadata":{"name":"bare"},"spec":{},"status":{}}]}')[0]!;
  assert.equal(none.ready, 'Unknown');
  assert.equal(nodeStatusText(none), 'Unknown', 'no Ready condition at all: the client prints Unknown');
  assert.deepEqual(none.roles, []);
  assert.match(none.readyMessage!, /no Ready condition/);
});

test('parsePodsJson: owner kinds (DC via RC, RC, DS, bare), emptyDir, phase and readiness', () => {
  const pods = parsePodsJson(fixture('lab-pods-node-0.json'));
  assert.deepEqual(
    pods.map((p) => `${p.namespace}/${p.name} ${p.ownerKind} "${ownerText(p)}" emptyDir=${p.emptyDir} ${p.phase} ready=${p.ready}`),
    [
      'myproject/bare-httpd bare "bare" emptyDir=false Running ready=true',
      'myproject/cache-vslkp ReplicationController "RC cache" emptyDir=true Running ready=true',
      'myproject/frontend-1-j7vf2 DeploymentConfig "DC frontend" emptyDir=false Running ready=true',
      'openshift-sdn/sdn-zr8l7 DaemonSet "DS sdn" emptyDir=false Running ready=true',
    ],
  );
  assert.deepEqual(pods[2]!.owner, { kind: 'ReplicationController', name: 'frontend-1' });
  assert.deepEqual(pods[2]!.via, { kind: 'DeploymentConfig', name: 'frontend' });
  assert.ok(pods.every((p) => p.node === 'node-0.lab.example.com'));
});

test("podFromJson: StatefulSet, Job, Deployment via ReplicaSet, a static pod's mirror, Terminating, restarts", () => {
  const pod = (meta: object, extra: object = {}) =>
    podFromJson({ metadata: { name: 'p', namespace: 'ns', ...meta }, spec: { nodeName: 'n' }, status: { phase: 'Running' }, ...extra });
  const ref = (kind: string, name: string) => ({ ownerReferences: [{ kind, name, controller: true }] });
  assert.equal(ownerText(pod(ref('StatefulSet', 'redis'))), 'StatefulSet redis');
  assert.equal(ownerText(pod(ref('Job', 'backup-1'))), 'Job backup-1');
  const rs = pod({ ...ref('ReplicaSet', 'web-5d4f8c9b7'), labels: { 'pod-template-hash': '5d4f8c9b7' } });
  assert.equal(rs.ownerKind, 'Deployment');
  assert.equal(ownerText(rs), 'Deploy web');
  assert.equal(pod({ ownerReferences: [{ kind: 'Node', name: 'n', controller: true }] }).ownerKind, 'other');
  const mirror = pod({ annotations: { 'kubernetes.io/config.mirror': 'abc' } });
  assert.equal(mirror.mirror, true);
  assert.equal(mirror.ownerKind, 'bare');
  const gone = pod(
    { deletionTimestamp: '2018-10-04T09:12:43Z' },
    { status: { phase: 'Running', containerStatuses: [{ restartCount: 2 }, { restartCount: 1 }] } },
  );
  assert.equal(podStatusText(gone), 'Terminating');
  assert.equal(gone.restarts, 3);
  // an owner reference that is not the controller does not make the pod managed
  assert.equal(pod({ ownerReferences: [{ kind: 'ReplicationController', name: 'x' }] }).ownerKind, 'bare');
});

test('parsePodCounts: pods holding a place per node (finished ones and unscheduled ones not counted)', () => {
  const text = [
    'node-0   Running',
    'node-0   Pending',
    'node-0   Succeeded',
    'node-1   Running',
    '<none>   Pending',
    'node-1   Failed',
    '',
  ].join('\n');
  assert.deepEqual(
    [...parsePodCounts(text)],
    [
      ['node-0', 2],
      ['node-1', 1],
    ],
  );
});

test('the read commands, quoted', () => {
  assert.equal(getNodesCommand().script, 'oc get nodes -o json');
  assert.equal(
    podsOnNodeCommand('node-0.lab.example.com', '/x/oc').script,
    '/x/oc get pods --all-namespaces --field-selector spec.nodeName=node-0.lab.example.com -o json',
  );
  assert.equal(
    podNodesCommand().script,
    'oc get pods --all-namespaces --no-headers -o custom-columns=NODE:.spec.nodeName,PHASE:.status.phase',
  );
  assert.equal(podsOnNodeCommand("x' y").script, `oc get pods --all-namespaces --field-selector "spec.nodeName=x' y" -o json`);
});

test(
  "the drain forecast: the Nodes screen's blockers and the procedures' forecast say the same of each pod (mirror, " +
    'finished, terminating pods)',
  () => {
    const pod = (name: string, meta: object, phase = 'Running', extra: object = {}) =>
      podFromJson({ metadata: { name, namespace: 'ns', ...meta }, spec: { nodeName: 'n', ...extra }, status: { phase } });
    const ref = (kind: string) => ({ ownerReferences: [{ kind, name: 'x', controller: true }] });
    const pods = [
      pod('bare', {}),
      pod('bare-done', {}, 'Succeeded'),
      pod('mirror', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
      pod('ds', ref('DaemonSet')),
      pod('cache', ref('ReplicationController'), 'Running', { volumes: [{ name: 'v', emptyDir: {} }] }),
      pod('going', { ...ref('ReplicationController'), deletionTimestamp: '2026-01-01T00:00:00Z' }),
    ];
    const f = drainForecast(pods);
    assert.deepEqual(
      f.evicted.map((p) => p.key),
      ['ns/bare', 'ns/bare-done', 'ns/cache', 'ns/going'],
    );
    assert.deepEqual(
      f.daemonset.map((p) => p.key),
      ['ns/ds'],
    );
    assert.deepEqual(
      f.mirror.map((p) => p.key),
      ['ns/mirror'],
    );
    assert.deepEqual(
      f.emptyDir.map((p) => p.key),
      ['ns/cache'],
    );
    assert.deepEqual(
      f.bare.map((p) => p.key),
      podsLostForGood(pods).map((p) => `ns/${p.name}`),
    );
    assert.deepEqual(
      f.bare.map((p) => p.key),
      ['ns/bare'],
    );
    assert.deepEqual(
      leftOnNode(pods).map((p) => p.name),
      ['bare', 'bare-done', 'cache', 'going'],
    );
    assert.deepEqual(
      stillToMove(pods).map((p) => p.name),
      ['bare', 'cache'],
    );
    assert.deepEqual(
      drainBlockers(pods, { ignoreDaemonsets: false, deleteLocalData: false, force: false }).map((b) => `${b.pod.name} ${b.flag}`),
      ['bare --force', 'ds --ignore-daemonsets', 'cache --delete-local-data'],
    );
    assert.deepEqual(drainBlockers(pods, { ignoreDaemonsets: true, deleteLocalData: true, force: true }), []);
  },
);
