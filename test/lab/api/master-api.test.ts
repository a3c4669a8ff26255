// masterApi (master-api.ts) on made-up host directories, no lab needed: the unit decides when one exists, else
// the static pod's api container record (alive by pid and start time), else the API counts as running.
//   node --import tsx --test test/lab/api/master-api.test.ts

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { alive, apiReady, masterApi, NOT_READY_MS } from './master-api.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'master-api-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A fresh host root with `files` (path → content) written under it. */
function host(files: Record<string, string>): string {
  const root = path.join(base, `h${++n}`);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return root;
}
const UNIT = 'usr/lib/systemd/system/atomic-openshift-master-api.service';
const STATE = 'run/units/atomic-openshift-master-api.service.state';
const STATIC = { 'run/host.env': "LAB_ADDR='127.0.10.2'\nLAB_CONTROL_PLANE=static\n" };
const myStart = () => readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]!;

/** A container record as kubelet.pl writes it (this process as its pid unless said otherwise). */
function record(over: Record<string, unknown> = {}, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    state: 'running',
    pid: process.pid,
    pstart: myStart(),
    started: Date.now() / 1000 - 60,
    labels: { 'io.kubernetes.container.name': 'api', 'io.kubernetes.pod.namespace': 'kube-system', ...labels },
    ...over,
  });
}

test('a unit decides when one exists: active runs, inactive or no state does not', () => {
  assert.equal(masterApi(host({ [UNIT]: '', [STATE]: 'active\n' })).runs, true);
  assert.equal(masterApi(host({ [UNIT]: '', [STATE]: 'inactive\n' })).runs, false);
  assert.equal(masterApi(host({ [UNIT]: '' })).runs, false);
  assert.equal(
    masterApi(host({ 'etc/systemd/system/origin-master-api.service': '', 'run/units/origin-master-api.service.state': 'failed\n' })).runs,
    false,
  );
  // a unit wins over a static pod, as with master-restart
  assert.equal(masterApi(host({ ...STATIC, [UNIT]: '', [STATE]: 'inactive\n', 'run/containers/a.json': record() })).runs, false);
});

test('a static-pod master: a running kube-system api container whose pid lives with its start time', () => {
  assert.equal(masterApi(host({ ...STATIC, 'run/containers/a.json': record() })).runs, true);
  assert.equal(masterApi(host({ ...STATIC })).runs, false, 'no records');
  assert.equal(masterApi(host({ ...STATIC, 'run/containers/a.json': record({ state: 'exited' }) })).runs, false);
  assert.equal(masterApi(host({ ...STATIC, 'run/containers/a.json': record({ pstart: '1' }) })).runs, false, 'a reused pid');
  assert.equal(
    masterApi(host({ ...STATIC, 'run/containers/a.json': record({}, { 'io.kubernetes.container.name': 'controllers' }) })).runs,
    false,
  );
  assert.equal(
    masterApi(host({ ...STATIC, 'run/containers/a.json': record({}, { 'io.kubernetes.pod.namespace': 'default' }) })).runs,
    false,
  );
});

test('a host with neither a unit nor static pods counts as running', () => {
  assert.deepEqual(masterApi(host({ 'run/host.env': "LAB_ADDR='127.0.10.2'\n" })), { runs: true });
  assert.equal(apiReady({ runs: true }), true);
});

test('not ready for a moment after it started', () => {
  const started = Date.now() / 1000;
  const api = masterApi(host({ ...STATIC, 'run/containers/a.json': record({ started }) }));
  assert.equal(api.since, started * 1000);
  assert.equal(apiReady(api, started * 1000 + 10), false);
  assert.equal(apiReady(api, started * 1000 + NOT_READY_MS), true);
  assert.equal(apiReady({ runs: false }), false);
});

test('alive: this process with its start time; not with another, not a pid that is not there', () => {
  assert.equal(alive(process.pid, myStart()), true);
  assert.equal(alive(process.pid, '1'), false);
  assert.equal(alive(undefined, myStart()), false);
  assert.equal(alive(2 ** 22 + 1, '1'), false);
});
