// Lab test of the console's drain (src/nodes/service.ts DrainSession) through the real `oc` of the lab:
// DIR/api/bin/oc hands `adm drain` / `adm manage-node` to the real kubectl 1.20, against the lab's cluster
// API (evictions, a PodDisruptionBudget that refuses the frontend's first eviction, a daemon set pod and a
// bare pod on node-0):
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/node-drain.test.ts
// - without force: the bare pod makes the drain refuse; nothing is evicted; the node is left cordoned.
// - with force: the PDB's refusal shows as "retrying" on the way, then every pod goes but the daemon set's;
//   "node drained"; uncordon makes it schedulable again.
// The cluster API state is reset after each test.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NodesService } from '../../src/nodes/service.js';
import { LocalRunner } from '../../src/transport/local.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CTL = join(ROOT, 'test', 'lab', 'api', 'ctl.sh');
const labDir = process.env.LAB_DIR ? resolve(process.env.LAB_DIR) : '';
const NODE0 = 'node-0.lab.example.com';

function sh(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) =>
    execFile(file, args, { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? 1 : 0, out: `${stdout}${stderr}` })),
  );
}
const service = () => new NodesService({ runner: new LocalRunner(), oc: join(labDir, 'api', 'bin', 'oc'), timeoutMs: 120_000 });
const base = (name: string) => name.replace(/-[a-z0-9]{5}$/, '').replace(/-\d+$/, '');

before(() => {
  assert.ok(
    labDir,
    'LAB_DIR is not set: run through bash scripts/with-lab.sh (or start a lab with test/lab/lab.sh up --dir DIR and export LAB_DIR=DIR)',
  );
  assert.ok(existsSync(join(labDir, 'api', 'bin', 'oc')), `the lab in ${labDir} has no cluster API (api/bin/oc missing)`);
});
afterEach(async () => {
  const r = await sh('bash', [CTL, join(labDir, 'api'), 'reset']);
  assert.equal(r.code, 0, r.out);
});

test('drain node-0 without force through the real kubectl: refused for its bare pod, nothing evicted, the node left cordoned', async () => {
  const nodes = service();
  const pods = await nodes.podsOn(NODE0);
  assert.ok(
    pods.some((p) => p.ownerKind === 'bare'),
    'node-0 has a bare pod',
  );
  assert.ok(
    pods.some((p) => p.ownerKind === 'DaemonSet'),
    'node-0 has a daemon set pod',
  );
  const end = await nodes
    .startDrain({ node: NODE0, ignoreDaemonsets: true, deleteLocalData: true, force: false, timeoutSeconds: 60 })
    .finished();
  assert.equal(end.progress.phase, 'refused', end.log.join('\n'));
  assert.match(end.log.join('\n'), /--force/);
  assert.ok(end.progress.pods.filter((p) => p.state === 'evicted').length === 0, 'nothing evicted');
  assert.equal(end.after?.podsLeft.length, pods.length, 'every pod still there');
  assert.equal(end.after?.node?.schedulable, false, 'the drain cordoned it before refusing');
  assert.match(end.summary ?? '', /cordoned/);
});

test(
  'drain node-0 with force through the real kubectl: the PDB retry is shown, every pod goes ' + 'but the daemon set’s, then uncordon',
  async () => {
    const nodes = service();
    const pods = await nodes.podsOn(NODE0);
    const session = nodes.startDrain(
      { node: NODE0, ignoreDaemonsets: true, deleteLocalData: true, force: true, timeoutSeconds: 90 },
      { pods },
    );
    const seen = new Set<string>();
    session.subscribe(() => {
      for (const p of session.getSnapshot().progress.pods) seen.add(`${base(p.name)}:${p.state}`);
    });
    const end = await session.finished();
    assert.equal(end.progress.phase, 'drained', `${end.summary}\n${end.log.join('\n')}`);
    assert.ok(seen.has('frontend:retrying'), `the PDB's refusal was shown as a retry: ${[...seen].join(' ')}`);
    const final = Object.fromEntries(end.progress.pods.map((p) => [base(p.name), p.state]));
    for (const [name, state] of Object.entries(final)) {
      const pod = pods.find((p) => base(p.name) === name)!;
      assert.equal(state, pod.ownerKind === 'DaemonSet' ? 'skipped' : 'evicted', `${name} (${pod.ownerKind})`);
    }
    assert.deepEqual(
      end.after?.podsLeft.map((p) => p.ownerKind),
      pods.filter((p) => p.ownerKind === 'DaemonSet').map(() => 'DaemonSet'),
      'only the daemon set pod is left',
    );
    assert.match(end.summary ?? '', /^Drained: /);
    assert.match(await nodes.setSchedulable(NODE0, true), /schedulable again/);
    assert.equal((await nodes.getNode(NODE0)).schedulable, true);
  },
);
