// How a host runs its control plane, read from the probe's output (as the lab's hosts print it), and the
// commands for each form.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeFacts, gatherFacts, hostFacts } from '../engine/facts.js';
import type { StepContext } from '../engine/types.js';
import type { Inventory } from '../inventory/types.js';
import { testHost } from '../testing/builders.js';
import { FakeRunner } from '../testing/fake-runner.js';
import {
  controlPlaneProbe,
  controlPlaneProbeCommand,
  disableCommand,
  disabledVerdict,
  enableCommand,
  etcdGonePredicate,
  joiningEtcdRuntime,
  parseControlPlane,
  type Runtime,
  restartCommand,
  runningEtcdModeCommand,
  runtimeOf,
  startCommand,
  stateCommand,
  stopCommand,
} from './control-plane.js';

const out = (stdout: string) => ({ exitCode: 0, stdout, stderr: '' });
// measured on the lab: a 3.10 master (static pods, the RPM's etcd.service disabled), a unit master, a node
const STATIC =
  'etcd manifest=pods unit=etcd.service enabled=disabled active=inactive\napi manifest=pods unit=none enabled=- ' +
  'active=-\ncontrollers manifest=stopped unit=none enabled=- active=-\n';
const UNITS =
  'etcd manifest=none unit=etcd.service enabled=enabled active=inactive\napi manifest=none ' +
  'unit=atomic-openshift-master-api.service enabled=enabled active=active\ncontrollers manifest=none ' +
  'unit=atomic-openshift-master-controllers.service enabled=enabled active=active\n';
const NODE =
  'etcd manifest=none unit=none enabled=- active=-\napi manifest=none unit=none enabled=- active=-\ncontrollers ' +
  'manifest=none unit=none enabled=- active=-\n';

test('the probe is one shell script that reads manifests before units', () => {
  execFileSync('sh', ['-n', '-c', controlPlaneProbeCommand().script]);
  assert.match(controlPlaneProbeCommand().script, /\/etc\/origin\/node\/pods-stopped\/etcd\.yaml/);
});

test('a manifest (even one we moved to pods-stopped) means a static pod; a disabled RPM unit does not count', () => {
  const s = parseControlPlane(out(STATIC));
  assert.equal(s.etcd?.kind, 'static-pod');
  assert.equal(s.controllers?.kind, 'static-pod', 'moved aside by an earlier run: still a static pod');
  const u = parseControlPlane(out(UNITS));
  assert.deepEqual(u.etcd, { kind: 'systemd', component: 'etcd', unit: 'etcd.service' }, 'enabled, even while stopped');
  assert.deepEqual(parseControlPlane(out(NODE)), {});
  assert.throws(
    () => parseControlPlane({ exitCode: 255, stdout: '', stderr: 'ssh: connect refused' }),
    /could not read how the control plane runs \(exit 255\): ssh: connect refused/,
  );
});

test('commands per form: manifests moved, never deleted; units through systemctl', () => {
  const pod: Runtime = {
    kind: 'static-pod',
    component: 'etcd',
    manifest: '/etc/origin/node/pods/etcd.yaml',
    stopped: '/etc/origin/node/pods-stopped/etcd.yaml',
  };
  const unit: Runtime = { kind: 'systemd', component: 'etcd', unit: 'etcd.service' };
  assert.match(stopCommand(pod).script, /mv \/etc\/origin\/node\/pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped\/etcd\.yaml/);
  assert.doesNotMatch(stopCommand(pod).script + startCommand(pod).script, /\brm\b/);
  assert.equal(stopCommand(unit).script, 'systemctl stop etcd.service');
  assert.equal(restartCommand(pod).script, 'master-restart etcd');
  for (const r of [pod, unit]) execFileSync('sh', ['-n', '-c', etcdGonePredicate(r, "10.0.0.1';x").script]);
});

test('facts read from hosts: in inventory order, a host that cannot be read names itself', async () => {
  const hosts = [testHost('m0', ['master', 'etcd']), testHost('m1', ['master', 'etcd']), testHost('n0', ['node'])];
  const inventory: Inventory = { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
  const runner = new FakeRunner();
  runner.expect('m0', () => true).answers({ stdout: STATIC });
  runner.expect('m1', () => true).answers({ delayMs: 20, stdout: UNITS }); // answers last
  // n0 (a node) is not read at all: a command there would be unexpected
  const ctx: StepContext = { params: {}, inventory, captured: { get: () => '', has: () => false }, startedAt: new Date(), planning: false };
  const table = await gatherFacts([controlPlaneProbe], ctx, runner);
  runner.assertDone();
  assert.deepEqual(describeFacts([controlPlaneProbe], table), [
    'control-plane: m0: etcd static pod, api static pod, controllers static pod',
    'control-plane: m1: etcd etcd.service, api atomic-openshift-master-api.service, controllers ' +
      'atomic-openshift-master-controllers.service',
  ]);
  const withFacts = { ...ctx, facts: hostFacts(table) };
  assert.equal(runtimeOf(withFacts, hosts[1]!, 'etcd').kind, 'systemd');
  assert.throws(() => runtimeOf(withFacts, hosts[2]!, 'etcd'), /n0: .* not read from this host/);
  assert.throws(() => runtimeOf({ ...ctx, planning: true }, hosts[0]!, 'etcd'), /is read from the host when the run starts/);
});

test('stopped for good: a static pod by its manifest moved aside (kept), a unit disabled; and the verdict on both', () => {
  const pod: Runtime = {
    kind: 'static-pod',
    component: 'api',
    manifest: '/etc/origin/node/pods/apiserver.yaml',
    stopped: '/etc/origin/node/pods-stopped/apiserver.yaml',
  };
  const unit: Runtime = { kind: 'systemd', component: 'api', unit: 'atomic-openshift-master-api.service' };
  assert.equal(disableCommand(unit).script, 'systemctl disable --now atomic-openshift-master-api.service');
  assert.equal(disableCommand(pod).script, stopCommand(pod).script);
  assert.equal(enableCommand(unit).script, 'systemctl enable --now atomic-openshift-master-api.service');
  assert.equal(enableCommand(pod).script, startCommand(pod).script);
  for (const r of [pod, unit]) execFileSync('sh', ['-n', '-c', stateCommand(r).script]);
  assert.equal(disabledVerdict(out('stopped\ndisabled\n'), pod), true);
  assert.match(String(disabledVerdict(out('running\ndisabled\n'), pod)), /api still runs as its static pod/);
  assert.match(
    String(disabledVerdict(out('stopped\nenabled\n'), pod)),
    /pods\/apiserver\.yaml is still there: the kubelet starts it again/,
  );
  assert.match(String(disabledVerdict(out('stopped\nenabled\n'), unit)), /atomic-openshift-master-api\.service is still enabled/);
  assert.match(String(disabledVerdict(out(''), unit)), /could not tell/);
});

test(
  'a joining member runs etcd as a master already does there; any other host the RPM unit; a static-pod master ' +
    'without an etcd manifest is refused',
  () => {
    const m = testHost('m0', ['master', 'etcd']);
    const n = testHost('n0', ['node']);
    const ctx = (answer: string): StepContext => ({
      params: {},
      inventory: { source: { kind: 'demo' }, hosts: [m, n], groups: {}, groupVars: {}, warnings: [] },
      captured: { get: () => '', has: () => false },
      startedAt: new Date(),
      planning: false,
      facts: { get: () => parseControlPlane(out(answer)) },
    });
    assert.equal(joiningEtcdRuntime(ctx(STATIC), m).kind, 'static-pod', 'its manifest, in pods-stopped/ after a removal');
    assert.deepEqual(joiningEtcdRuntime(ctx(UNITS), m), { kind: 'systemd', component: 'etcd', unit: 'etcd.service' });
    assert.deepEqual(
      joiningEtcdRuntime(ctx(STATIC), n),
      { kind: 'systemd', component: 'etcd', unit: 'etcd.service' },
      'not a master: never a static pod',
    );
    const apiPodOnly = STATIC.replace(
      'etcd manifest=pods unit=etcd.service enabled=disabled',
      'etcd manifest=none unit=etcd.service enabled=disabled',
    );
    assert.throws(
      () => joiningEtcdRuntime(ctx(apiPodOnly), m),
      /m0 runs the API as a static pod but has no etcd manifest .* copy etcd\.yaml from another master/,
    );
  },
);

test('how the member’s running etcd was started: found by its client address, force-new-cluster in its arguments or environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-etcd-mode-'));
  const pids: number[] = [];
  try {
    // stand-ins named etcd: one with the flag in its arguments, one with it in its environment, one in cluster mode
    const bin = join(dir, 'etcd');
    writeFileSync(bin, '#!/bin/bash\nsleep 60\n', { mode: 0o755 });
    const start = (addr: string, args: string[], env: Record<string, string> = {}) => {
      const c = spawn(bin, args, { env: { ...process.env, ETCD_LISTEN_CLIENT_URLS: `https://${addr}:2379`, ...env }, stdio: 'ignore' });
      pids.push(c.pid!);
    };
    start('127.0.99.1', ['--name', 'a', '--force-new-cluster']);
    start('127.0.99.2', [], { ETCD_FORCE_NEW_CLUSTER: 'true' });
    start('127.0.99.3', ['--name', 'c']);
    const mode = (addr: string) => execFileSync('bash', ['-c', runningEtcdModeCommand(addr).script], { encoding: 'utf8' }).trim();
    const deadline = Date.now() + 20_000;
    while (mode('127.0.99.3') !== 'etcd: cluster' && Date.now() < deadline) execFileSync('sleep', ['0.1']);
    assert.equal(mode('127.0.99.1'), 'etcd: force-new-cluster');
    assert.equal(mode('127.0.99.2'), 'etcd: force-new-cluster');
    assert.equal(mode('127.0.99.3'), 'etcd: cluster');
    assert.equal(mode('127.0.99.30'), 'etcd: not running', '127.0.99.3:2379 is not 127.0.99.30:2379');
  } finally {
    for (const p of pids) {
      try {
        process.kill(p);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
