// Lab test of the oc login verdict Home shows (src/ocp/oc-login.ts + src/model/oc-login.ts): through the lab's
// oc (the real kubectl 1.20 against the lab's cluster API, `oc auth can-i` a real SelfSubjectAccessReview), the
// admin login is "oc: system:admin on https://…", and the limited login `viewer` (DIR/api/bin/oc-viewer: it
// cannot read nodes) is a warning naming nodes-ready and what to do.
//   LAB_UP_ARGS='--control-plane systemd' bash scripts/with-lab.sh node --import tsx --test test/lab/oc-login.test.ts
// Fails (never skips) when LAB_DIR is unset or the lab's cluster API is not there.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ocLoginLine, ocLoginVerdict } from '../../src/model/oc-login.js';
import { readOcLogin } from '../../src/ocp/oc-login.js';
import { LocalRunner } from '../../src/transport/local.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const labDir = process.env['LAB_DIR'] ?? '';
let runner: LocalRunner;

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: start a lab (scripts/with-lab.sh) first');
  assert.ok(
    existsSync(join(labDir, 'api', 'bin', 'oc-viewer')),
    `the lab's cluster API is not there (${labDir}/api/bin/oc-viewer missing)`,
  );
  let kubectl = process.env['LAB_KUBECTL'];
  if (!kubectl) {
    kubectl = await new Promise<string>((res, rej) =>
      execFile('bash', [join(HERE, 'kubectl.sh')], (e, out) =>
        e ? rej(new Error(`test/lab/kubectl.sh failed: ${e.message}`)) : res(out.trim()),
      ),
    );
  }
  runner = new LocalRunner({ env: { LAB_KUBECTL: kubectl, LAB_KUBECONFIG: '' } });
});

test('the admin login: who and on which server, every read of the checks allowed', async () => {
  const oc = join(labDir, 'api', 'bin', 'oc');
  const facts = await readOcLogin({ runner, oc });
  const v = ocLoginVerdict(facts, oc);
  assert.equal(v.state, 'ok', v.lines[0]);
  assert.equal(v.user, 'system:admin');
  assert.match(v.server ?? '', /^https:\/\/127\.0\.[\d.]+:\d+$/);
  assert.equal(ocLoginLine(v, 200), `oc: system:admin on ${v.server}`);
  assert.ok(
    facts.canI.every((c) => c.out.stdout.trim() === 'yes'),
    JSON.stringify(facts.canI),
  );
});

test('a login that cannot list nodes: a warning naming the read, nodes-ready, and what to do', async () => {
  const oc = join(labDir, 'api', 'bin', 'oc-viewer');
  const v = ocLoginVerdict(await readOcLogin({ runner, oc }), oc);
  assert.equal(v.state, 'limited', v.lines[0]);
  assert.equal(v.user, 'viewer');
  assert.deepEqual(
    v.cannot.map((r) => r.resource),
    ['nodes'],
  );
  assert.match(v.lines[0]!, /^oc: viewer on https:\S+ cannot list nodes — nodes-ready will fail; oc login as a cluster-admin/);
  assert.match(ocLoginLine(v, 78), /^oc: viewer cannot list nodes — nodes-ready fail; oc login as a cluster-admin$/);
});
