import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoInventory } from '../demo/inventory.js';
import type { StepContext } from '../engine/types.js';
import { drainOptionsFor } from '../testing/pods.js';
import {
  cordonCommand,
  type DrainOptions,
  dcReplicasCommand,
  deleteNodeCommand,
  drainCommand,
  listPodsCommand,
  localDataFlag,
  OC_3X,
  OC_VERSION_CAPTURE,
  oc,
  ocVersionCapture,
  ocVersionOf,
  parseOcVersion,
  scaleDcCommand,
  uncordonCommand,
  unschedulableCommand,
  validateDrainOptions,
} from './oc.js';

test('parseOcVersion: oc 3.10 as the lab (and the guide) prints it', () => {
  const v = parseOcVersion(
    'oc v3.10.45\nkubernetes v1.10.0+b81c8f8\nfeatures: Basic-Auth GSSAPI Kerberos SPNEGO\n\nServer ' +
      'https://127.0.0.1:8443\nopenshift v3.10.45\nkubernetes v1.10.0+b81c8f8\n',
  );
  assert.equal(v.client, 'oc');
  assert.equal(v.version, 'v3.10.45');
  assert.equal(v.major, 3);
  assert.equal(v.minor, 10);
  assert.equal(v.kubeMinor, 10);
  assert.deepEqual(v.server, { openshift: 'v3.10.45', kubernetes: 'v1.10.0+b81c8f8' });
  assert.equal(localDataFlag(v), '--delete-local-data');
});

test('parseOcVersion: oc 3.11 without a server, oc 4.x and kubectl (old and new formats)', () => {
  const v311 = parseOcVersion('oc v3.11.154\nkubernetes v1.11.0+d4cacc0\nfeatures: Basic-Auth GSSAPI Kerberos SPNEGO\n');
  assert.equal(v311.kubeMinor, 11);
  assert.equal(v311.server, undefined);

  const v47 = parseOcVersion('Client Version: 4.7.0\nServer Version: 4.7.13\nKubernetes Version: v1.20.0+df9c838\n');
  assert.equal(v47.client, 'oc');
  assert.equal(v47.kubeMinor, 20);
  assert.equal(localDataFlag(v47), '--delete-emptydir-data');

  const v41 = parseOcVersion(
    'Client Version: version.Info{Major:"4", Minor:"1+", GitVersion:"v4.1.0+b4261e0", GitCommit:"b4261e07ed", ' +
      'GitTreeState:"clean", BuildDate:"2019-07-06T03:16:01Z", GoVersion:"go1.11.13", Compiler:"gc", Platform:"linux/amd64"}',
  );
  assert.equal(v41.client, 'oc');
  assert.equal(v41.kubeMinor, 14);
  assert.equal(localDataFlag(v41), '--delete-local-data');

  // kubectl 1.20 (the lab's), `kubectl version --client`
  const k120 = parseOcVersion(
    'Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.15", ' +
      'GitCommit:"8f1e5bf0b9729a899b8df86249b56e2c74aebc55", GitTreeState:"clean", ' +
      'BuildDate:"2022-01-19T17:27:39Z", GoVersion:"go1.15.15", Compiler:"gc", Platform:"linux/amd64"}',
  );
  assert.equal(k120.client, 'kubectl');
  assert.equal(k120.kubeMinor, 20);
  assert.equal(parseOcVersion('Client Version: v1.28.2\nKustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3\n').kubeMinor, 28);
});

test('parseOcVersion: nothing readable → unknown, treated as the 3.x client', () => {
  for (const out of ['', 'error: something', 'lab oc: no cluster']) {
    const v = parseOcVersion(out);
    assert.equal(v.client, 'unknown');
    assert.equal(localDataFlag(v), '--delete-local-data');
  }
});

test('ocVersionOf: the version a step captured; the 3.x client while planning, when nothing was captured or it is not JSON', () => {
  const ctx = (cap: Record<string, string>, planning = false): StepContext => ({
    params: {},
    inventory: demoInventory(),
    captured: { get: (n) => cap[n] ?? '', has: (n) => n in cap },
    startedAt: new Date(0),
    planning,
  });
  const lab = 'oc v3.10.45\nkubernetes v1.10.0+b81c8f8\n';
  assert.deepEqual(ocVersionOf(ctx({ [OC_VERSION_CAPTURE]: ocVersionCapture(lab) })), parseOcVersion(lab));
  assert.equal(ocVersionOf(ctx({ [OC_VERSION_CAPTURE]: ocVersionCapture('Client Version: 4.7.0') })).kubeMinor, 20);
  assert.equal(ocVersionOf(ctx({ [OC_VERSION_CAPTURE]: ocVersionCapture(lab) }, true)), OC_3X);
  assert.equal(ocVersionOf(ctx({})), OC_3X);
  assert.equal(ocVersionOf(ctx({ [OC_VERSION_CAPTURE]: '<oc-version>' })), OC_3X);
});

const NODE = 'node-0.lab.example.com';
const opts = (o: Partial<DrainOptions> = {}): DrainOptions => drainOptionsFor(NODE, o);

// ---- drain, cordon, uncordon -------------------------------------------------------------------------------------------

test('drainCommand: oc 3.x flags, quoted; newer clients get --delete-emptydir-data; kubectl has no adm', () => {
  assert.equal(
    drainCommand(opts({ gracePeriodSeconds: 30, timeoutSeconds: 120 }), OC_3X).script,
    `oc adm drain ${NODE} --ignore-daemonsets --delete-local-data --force --grace-period=30 --timeout=120s`,
  );
  assert.equal(drainCommand(opts({ ignoreDaemonsets: false, deleteLocalData: false, force: false })).script, `oc adm drain ${NODE}`);
  assert.equal(
    drainCommand(opts({ force: false }), parseOcVersion('Client Version: 4.7.0'), '/usr/local/bin/oc').script,
    `/usr/local/bin/oc adm drain ${NODE} --ignore-daemonsets --delete-emptydir-data`,
  );
  assert.equal(
    drainCommand(opts({ force: false, ignoreDaemonsets: false }), parseOcVersion('Client Version: v1.20.15'), 'kubectl').script,
    `kubectl drain ${NODE} --delete-emptydir-data`,
  );
  // timeout 0 means "wait for ever": no flag at all
  assert.equal(drainCommand(opts({ timeoutSeconds: 0 })).script, `oc adm drain ${NODE} --ignore-daemonsets --delete-local-data --force`);
  // an oc path with a space is one quoted word
  assert.equal(
    drainCommand(opts({ force: false }), OC_3X, '/opt/my oc/oc').script,
    `'/opt/my oc/oc' adm drain ${NODE} --ignore-daemonsets --delete-local-data`,
  );
});

test('drainCommand refuses options that are not what they claim (one sentence, naming the input)', () => {
  assert.throws(() => drainCommand(opts({ node: '' })), /No node given/);
  assert.throws(() => drainCommand(opts({ node: 'a; rm -rf /' })), /is not a node name/);
  assert.throws(() => drainCommand(opts({ node: '--all' })), /is not a node name/);
  assert.match(validateDrainOptions(opts({ gracePeriodSeconds: 1.5 })) ?? '', /Grace period "1.5"/);
  assert.match(validateDrainOptions(opts({ timeoutSeconds: -3 })) ?? '', /Timeout "-3"/);
  assert.equal(validateDrainOptions(opts({ gracePeriodSeconds: -1, timeoutSeconds: 0 })), undefined);
});

test('cordon and uncordon are oc adm manage-node --schedulable=false|true', () => {
  assert.equal(cordonCommand(NODE).script, `oc adm manage-node ${NODE} --schedulable=false`);
  assert.equal(uncordonCommand(NODE, '/x/oc').script, `/x/oc adm manage-node ${NODE} --schedulable=true`);
});

test('the node and cluster commands, as the guide types them, every word quoted', () => {
  assert.equal(unschedulableCommand(NODE).script, `oc get node ${NODE} -o jsonpath\\=\\{.spec.unschedulable\\}`);
  assert.equal(listPodsCommand(NODE).script, `oc adm manage-node ${NODE} --list-pods`);
  assert.equal(deleteNodeCommand(NODE).script, `oc delete node ${NODE}`);
  assert.equal(dcReplicasCommand('router').script, 'oc get dc/router -n default -o jsonpath\\=\\{.spec.replicas\\}');
  assert.equal(scaleDcCommand('router', 2).script, 'oc scale dc/router --replicas 2 -n default');
  assert.equal(oc('get', 'node', "x' y").script, `oc get node "x' y"`);
});
