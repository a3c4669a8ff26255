// The health checks against a lab whose masters run etcd, the API and the controllers as static pods
// (OCP 3.10; lab.sh up --control-plane static): etcd-health, api-health and controllers-leader are ok; one
// etcd static pod stopped by hand (its manifest moved to pods-stopped/) makes etcd-health fail naming
// that member, while etcd.service, disabled and inactive on every master, says nothing about it.
//   LAB_UP_ARGS='--control-plane static' bash scripts/with-lab.sh node --import tsx --test test/lab/static-checks.test.ts

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  assertLabUp,
  type CheckCell,
  controlPlane,
  ensureHealthyEtcd,
  labArgs,
  labCheck,
  labDir,
  MAIN,
  MASTERS,
  run,
  show as showRun,
  ssh,
  stopEtcdByHand,
  waitHealthy,
} from '../procedures/lab-helpers.js';

const show = (cells: CheckCell[]) => cells.map((c) => `  ${c.check} ${c.host ?? '(cluster)'} ${c.status}: ${c.message}`).join('\n');
const cell = (cells: CheckCell[], id: string, host: string | null) => {
  const c = cells.find((x) => x.check === id && x.host === host);
  assert.ok(c, `no ${id} result for ${host ?? 'the cluster'}:\n${show(cells)}`);
  return c;
};

before(async () => {
  await assertLabUp();
  assert.equal(controlPlane(), 'static', 'this test needs a static-pod lab: lab.sh up --control-plane static');
  await ensureHealthyEtcd();
});

test('static-pod masters: etcd-health, api-health and controllers-leader are ok', async () => {
  const { cells } = await labCheck(['--only', 'etcd-health,api-health,controllers-leader']);
  for (const m of MASTERS) {
    assert.equal(cell(cells, 'etcd-health', m).status, 'ok', show(cells));
    assert.equal(cell(cells, 'api-health', m).status, 'ok', show(cells));
  }
  assert.equal(cell(cells, 'controllers-leader', null).status, 'ok', show(cells));
});

test('one etcd static pod stopped by hand: etcd-health fails naming that member', async () => {
  const victim = MASTERS[1]!;
  try {
    const stop = await ssh(victim, await stopEtcdByHand(victim));
    assert.equal(stop.code, 0, stop.stderr);
    const unit = await ssh(victim, 'systemctl is-active etcd.service; systemctl is-enabled etcd.service');
    assert.match(unit.stdout, /^inactive\ndisabled/, 'the RPM unit is installed, disabled and inactive (it is not the etcd that ran)');
    const { code, cells } = await labCheck(['--only', 'etcd-health']);
    assert.equal(code, 2, show(cells));
    const own = cell(cells, 'etcd-health', victim);
    assert.ok(['fail', 'error'].includes(own.status), show(cells));
    assert.match(own.message, /master-1|127\.0\.10\.2:2379/, show(cells));
  } finally {
    await ssh(victim, 'mv /etc/origin/node/pods-stopped/etcd.yaml /etc/origin/node/pods/');
    assert.ok(await waitHealthy(60), 'etcd did not come back on master-1 after its manifest was put back');
  }
});

test(
  'plan etcd-remove-member on static-pod masters: the etcd manifest moved aside, ' + 'master-restart and /healthz, no systemctl',
  async () => {
    const stateDir = join(labDir, 'state-plan-remove');
    const plan = await run(process.execPath, [
      '--import',
      'tsx',
      MAIN,
      'plan',
      'etcd-remove-member',
      '--param',
      `member=${MASTERS[2]}`,
      '--param',
      'allow-even=yes',
      ...labArgs(stateDir),
    ]);
    assert.equal(plan.code, 0, showRun(plan));
    assert.match(plan.stdout, /control-plane: master-0\.lab\.example\.com: etcd static pod, api static pod, controllers static pod/);
    assert.doesNotMatch(plan.stdout, /WOULD BE REFUSED/);
    assert.match(plan.stdout, /mv \/etc\/origin\/node\/pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped\/etcd\.yaml/);
    assert.match(plan.stdout, /master-restart api[\s\S]*curl -sk --max-time 5 https:\/\/127\.0\.10\.1:8443\/healthz/);
    // the commands only (a step's title names both forms): flanneld is a unit; etcd, the API and the controllers are not
    const commands = plan.stdout
      .split('\n')
      .filter((l) => /^\s+\[[^\]]+\] \$ /.test(l))
      .join('\n');
    assert.match(commands, /pods-stopped/);
    assert.doesNotMatch(commands, /systemctl (stop|disable|restart|enable)( --now)? (etcd|atomic-openshift-master)/);
    const audit = existsSync(join(stateDir, 'audit.log')) ? readFileSync(join(stateDir, 'audit.log'), 'utf8') : '';
    assert.doesNotMatch(audit, /"kind":"command"/, 'a plan runs nothing (the probes are not commands of a run)');
    assert.ok(await waitHealthy(10));
  },
);
