// Lab test of docker-storage-overlay2 (7.1.3) through the real CLI, `oc` being the lab's (the real kubectl
// 1.20 against the lab's cluster API) and node-1's docker on the devicemapper thin pool the lab gives it
// (VG docker_vol on /dev/xvdb1, see lab.sh write_docker_storage and shims/_lvm.sh):
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/docker-storage.test.ts
// - plan: drain first, then lvremove, vgremove, pvremove, the /var/lib/docker wipe and docker-storage-setup
//   in the guide's order, `docker info` before the node is made schedulable; nothing changes.
// - node-0 is on overlay2 already: the run changes nothing (not even a cordon).
// - node-1: `run --yes` ends with docker info saying overlay2 and the node schedulable again.
// - node-1 again (put back on devicemapper first): killed with kill -9 right after vgremove, then
//   `resume --yes` finishes it — the same end state.
// node-1 is put back on devicemapper after each run (its saved files; the test's own doing, not the
// product's), and the cluster API state is reset, so the lab is left as it was found.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PAUSE_ENV, PAUSE_MARKER } from '../../src/engine/run.js';
import { audited, BIN, CTL, LAB_SH, labArgs, labDir, run as labRun, oc, ocOnPath, ROOT, show, sleep, ssh } from './lab-helpers.js';

const NODE0 = 'node-0.lab.example.com';
const NODE1 = 'node-1.lab.example.com';
/** node-1's docker storage as the lab made it: the paths under its host root that the run changes. */
const SAVED = ['run/disks', 'run/lvm.state', 'etc/sysconfig/docker-storage', 'etc/sysconfig/docker-storage-setup', 'var/lib/docker'];

let tmp = '';
let n = 0;

/** FILE ARGS with the lab's `oc` first on PATH, within 300 s. */
const run = (file: string, args: string[]) => labRun(file, args, 300_000, ocOnPath());

function newState(name: string): string {
  return join(tmp, `state-${++n}-${name}`);
}

async function dockerDriver(host: string): Promise<string> {
  const r = await ssh(host, 'docker info 2>&1');
  return /^\s*Storage Driver:\s*(\S+)/m.exec(r.stdout)?.[1] ?? `none (${r.stdout.trim().split('\n')[0]})`;
}
async function unschedulable(node: string): Promise<boolean> {
  const r = await oc('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}');
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim() === 'true';
}
/** node-1 back on devicemapper, from the files saved before the test; the cluster API state reset. */
async function putNode1Back(): Promise<void> {
  const root = join(labDir, 'hosts', NODE1);
  const stop = await ssh(
    NODE1,
    'systemctl stop docker atomic-openshift-node; if mountpoint -q /var/lib/docker; then umount /var/lib/docker; fi; true',
  );
  assert.equal(stop.code, 0, show(stop));
  rmSync(join(root, 'var/lib/docker'), { recursive: true, force: true });
  for (const p of SAVED) if (p.startsWith('etc/') || p.startsWith('run/')) rmSync(join(root, p), { force: true });
  for (const f of readdirSync(join(root, 'etc/sysconfig')))
    if (f.startsWith('docker-storage-setup.bak-')) rmSync(join(root, 'etc/sysconfig', f));
  execFileSync('tar', ['-xpf', join(tmp, 'node-1-docker.tar'), '-C', root]);
  const start = await ssh(NODE1, 'systemctl start docker atomic-openshift-node && systemctl is-active docker atomic-openshift-node');
  assert.equal(start.code, 0, show(start));
  const reset = await run('bash', [CTL, join(labDir, 'api'), 'reset']);
  assert.equal(reset.code, 0, show(reset));
  assert.equal(await dockerDriver(NODE1), 'devicemapper', 'node-1 is back on devicemapper');
}

before(async () => {
  assert.ok(
    labDir,
    'LAB_DIR is not set: run through bash scripts/with-lab.sh (or start a lab with test/lab/lab.sh up --dir DIR and export LAB_DIR=DIR)',
  );
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  assert.ok(existsSync(join(labDir, 'api', 'bin', 'oc')), `the lab in ${labDir} has no cluster API (api/bin/oc missing)`);
  assert.ok(existsSync(join(ROOT, 'dist', 'day2-tui.js')), 'the console is not built: npm run build (the test suite builds it first)');
  const st = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(st.code, 0, `the lab in ${labDir} is not up:\n${show(st)}`);
  tmp = mkdtempSync(join(tmpdir(), 'day2-docker-storage-test-'));
  assert.equal(await dockerDriver(NODE1), 'devicemapper', 'the lab starts node-1 on devicemapper');
  assert.equal(await dockerDriver(NODE0), 'overlay2', 'the lab starts node-0 on overlay2');
  execFileSync('tar', ['-cpf', join(tmp, 'node-1-docker.tar'), '-C', join(labDir, 'hosts', NODE1), ...SAVED]);
});

after(async () => {
  try {
    if (labDir && tmp && existsSync(join(tmp, 'node-1-docker.tar')) && (await dockerDriver(NODE1)) !== 'devicemapper') await putNode1Back();
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

/** What the node looks like after a finished switch: overlay2, the new setup file, schedulable, the old file kept. */
async function assertSwitched(): Promise<void> {
  assert.equal(await dockerDriver(NODE1), 'overlay2');
  assert.equal(await unschedulable(NODE1), false, 'node-1 is schedulable again');
  const setup = await ssh(NODE1, 'cat /etc/sysconfig/docker-storage-setup; ls /etc/sysconfig/ | grep docker-storage-setup.bak- | wc -l');
  assert.match(
    setup.stdout,
    new RegExp(
      String.raw`^DEVS=\/dev\/xvdb\nVG=docker_vol\nDATA_SIZE=95%VG\nSTORAGE_DRIVER=overlay2\n` +
        String.raw`CONTAINER_ROOT_LV_NAME=dockerlv\nCONTAINER_ROOT_LV_MOUNT_PATH=\/var\/lib\/docker\n` +
        String.raw`CONTAINER_ROOT_LV_SIZE=100%FREE\n[1-9]\d*\n$`,
    ),
    show(setup),
  ); // the old file kept as .bak-<time>
  const lvm = await ssh(NODE1, 'lvs --noheadings -o vg_name,lv_name; findmnt -rn -o SOURCE /var/lib/docker');
  assert.match(lvm.stdout, /docker_vol\s+dockerlv/, show(lvm));
  assert.doesNotMatch(lvm.stdout, /docker-pool/, 'the thin pool is gone');
  assert.match(lvm.stdout, /\/dev\/mapper\/docker_vol-dockerlv/, show(lvm));
}

test(
  'plan docker-storage-overlay2: drain first, then lvremove, vgremove, pvremove, the ' +
    '/var/lib/docker wipe and docker-storage-setup in the guide’s order; nothing changes',
  async () => {
    const state = newState('plan');
    const r = await run(BIN, ['plan', 'docker-storage-overlay2', '--param', `node=${NODE1}`, ...labArgs(state)]);
    assert.equal(r.code, 0, show(r));
    const at = (re: RegExp) => {
      const i = r.stdout.search(re);
      assert.ok(i >= 0, `the plan shows ${re}:\n${r.stdout}`);
      return i;
    };
    const order = [
      at(/oc adm manage-node node-1\.lab\.example\.com --schedulable=false/),
      at(/oc adm drain node-1\.lab\.example\.com --ignore-daemonsets/),
      at(/systemctl stop docker atomic-openshift-node/),
      at(/lvremove \/dev\/<vg>\/<lv> -y/),
      at(/vgremove <vg> -y/),
      at(/pvremove <pv> -y/),
      at(/rm -Rf \/var\/lib\/docker\/\*/),
      at(/STORAGE_DRIVER=overlay2/),
      at(/\$ docker-storage-setup\n/),
      at(/systemctl start docker atomic-openshift-node/),
      at(/\$ docker info\n\s+verify: docker info reports/),
      at(/--schedulable=true/),
    ];
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      'in the guide’s order',
    );
    assert.deepEqual(audited(state), [], 'plan ran nothing');
    assert.equal(await dockerDriver(NODE1), 'devicemapper');
    assert.equal(await unschedulable(NODE1), false);
  },
);

test('docker-storage-overlay2 on node-0 (overlay2 already): nothing changes, the node is not even cordoned', async () => {
  const state = newState('node-0');
  const r = await run(BIN, ['run', 'docker-storage-overlay2', '--param', `node=${NODE0}`, '--yes', ...labArgs(state)]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /already uses overlay2/);
  const cmds = audited(state);
  assert.deepEqual(cmds, [`${NODE0} docker info`], 'only docker info ran');
  assert.equal(await unschedulable(NODE0), false);
});

test('docker-storage-overlay2 --yes on node-1 (devicemapper): docker info says overlay2, the node schedulable again', {
  timeout: 600_000,
}, async () => {
  const state = newState('node-1');
  const r = await run(BIN, ['run', 'docker-storage-overlay2', '--param', `node=${NODE1}`, '--yes', ...labArgs(state)]);
  assert.equal(r.code, 0, show(r));
  await assertSwitched();
  const cmds = audited(state);
  const idx = (re: RegExp) => cmds.findIndex((c) => re.test(c));
  assert.ok(idx(/oc adm drain node-1/) < idx(/lvremove \/dev\/docker_vol\/docker-pool -y/), 'drained before the LV goes');
  assert.ok(
    idx(/lvremove/) < idx(/vgremove docker_vol -y/) && idx(/vgremove/) < idx(/pvremove \/dev\/xvdb1 -y/),
    'lvremove, vgremove, pvremove',
  );
  assert.ok(idx(/rm -Rf \/var\/lib\/docker\/\*/) < idx(/ docker-storage-setup$/), 'the wipe, then docker-storage-setup');
  assert.ok(
    idx(/ docker-storage-setup$/) < cmds.lastIndexOf(`${NODE1} docker info`) &&
      cmds.lastIndexOf(`${NODE1} docker info`) < idx(/--schedulable=true/),
    'docker info says overlay2 before the node is schedulable',
  );
  await putNode1Back();
});

test('docker-storage-overlay2 on node-1 killed with kill -9 right after vgremove, then resume --yes: the same end state', {
  timeout: 600_000,
}, async () => {
  const state = newState('node-1-killed');
  const child = spawn(BIN, ['run', 'docker-storage-overlay2', '--param', `node=${NODE1}`, '--yes', ...labArgs(state)], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', PATH: `${join(labDir, 'api', 'bin')}:${process.env.PATH ?? ''}`, [PAUSE_ENV]: 'vg-remove' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let exit: number | null | undefined;
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.on('exit', (code, signal) => {
      exit = code;
      done(signal);
    }),
  );
  const marker = join(state, PAUSE_MARKER);
  const deadline = Date.now() + 300_000;
  while (!existsSync(marker)) {
    assert.equal(exit, undefined, `the run ended before vgremove was done:\n${out.slice(-4000)}`);
    assert.ok(Date.now() < deadline, `the run did not reach the end of vg-remove:\n${out.slice(-4000)}`);
    await sleep(50);
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  // half-way: the VG is gone, its PV label is still there, docker is stopped, the node cordoned
  const mid = await ssh(
    NODE1,
    'vgs docker_vol >/dev/null 2>&1 && echo vg-present || echo vg-gone; pvs /dev/xvdb1 ' +
      '>/dev/null 2>&1 && echo pv-present || echo pv-gone; systemctl is-active docker || true',
  );
  assert.match(mid.stdout, /vg-gone\npv-present\ninactive/, show(mid));
  assert.equal(await unschedulable(NODE1), true);

  const runs = readdirSync(join(state, 'runs')).filter((f) => f.endsWith('.json'));
  assert.equal(runs.length, 1, `one journal in ${state}/runs`);
  const runId = runs[0]!.replace(/\.json$/, '');
  const listed = await run(BIN, ['runs', ...labArgs(state)]);
  assert.match(listed.stdout, new RegExp(`${runId}.*interrupted`, 's'), show(listed));
  const resumed = await run(BIN, ['resume', runId, '--yes', ...labArgs(state)]);
  assert.equal(resumed.code, 0, show(resumed));
  await assertSwitched();
  const cmds = audited(state);
  assert.equal(cmds.filter((c) => /vgremove docker_vol -y/.test(c)).length, 1, 'vgremove ran once: the resume did not repeat it');
  await putNode1Back();
});

// ---- docker-storage-expand (7.1.2), both variants, on node-1's devicemapper thin pool ----------------------

/** The size in bytes of docker_vol (vgs) on node-1, and the PVs in it. */
async function dockerVg(): Promise<{ bytes: number; pvs: string[] }> {
  const r = await ssh(NODE1, 'vgs --noheadings --units b --nosuffix -o vg_size docker_vol; pvs --noheadings -o pv_name,vg_name');
  assert.equal(r.code, 0, show(r));
  const [size = '0', ...rest] = r.stdout.trim().split('\n');
  return {
    bytes: Number(size.trim()),
    pvs: rest
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === 'docker_vol')
      .map((f) => f[0]!),
  };
}
/** What the test does to the lab host's block devices (the run/disks of shims/_lvm.sh): attach or grow a disk. */
function editDisks(edit: (lines: string[]) => string[]): void {
  const f = join(labDir, 'hosts', NODE1, 'run', 'disks');
  const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
  writeFileSync(f, `${edit(lines).join('\n')}\n`);
}

test('docker-storage-expand new-disk on node-1: /dev/xvdd added to DEVS and to the volume group, still devicemapper, schedulable again', {
  timeout: 600_000,
}, async () => {
  const before = await dockerVg();
  editDisks((l) => [...l, '/dev/xvdd disk 10737418240 -']); // the operator attached a 10 GiB disk
  const state = newState('expand-new');
  const r = await run(BIN, [
    'run',
    'docker-storage-expand',
    '--param',
    `node=${NODE1}`,
    '--param',
    'variant=new-disk',
    '--param',
    'device=/dev/xvdd',
    '--yes',
    ...labArgs(state),
  ]);
  assert.equal(r.code, 0, show(r));
  const after = await dockerVg();
  assert.ok(after.bytes > before.bytes, `the volume group grew: ${before.bytes} → ${after.bytes}`);
  assert.ok(
    after.pvs.some((p) => p.startsWith('/dev/xvdd')),
    `a PV on /dev/xvdd in docker_vol: ${after.pvs.join(' ')}`,
  );
  const setup = await ssh(NODE1, 'grep ^DEVS= /etc/sysconfig/docker-storage-setup');
  assert.match(setup.stdout, /^DEVS="\/dev\/xvdb \/dev\/xvdd"$/m, show(setup));
  assert.equal(await dockerDriver(NODE1), 'devicemapper', 'the same driver as before');
  assert.equal(await unschedulable(NODE1), false);
  const cmds = audited(state);
  assert.ok(
    cmds.findIndex((c) => /oc adm drain node-1/.test(c)) < cmds.findIndex((c) => / docker-storage-setup$/.test(c)),
    'evacuated first',
  );
  assert.ok(!cmds.some((c) => /lvremove|vgremove|pvremove/.test(c)), 'nothing removed for a new disk');
  await putNode1Back();
});

test('docker-storage-expand resized-disk on node-1: the grown /dev/xvdb set up afresh, a larger ' +
  'volume group, still devicemapper, schedulable again', {
  timeout: 600_000,
}, async () => {
  const before = await dockerVg();
  editDisks((l) => l.map((x) => (x.startsWith('/dev/xvdb disk ') ? '/dev/xvdb disk 42949672960 -' : x))); // grown to 40 GiB
  const state = newState('expand-resized');
  const r = await run(BIN, [
    'run',
    'docker-storage-expand',
    '--param',
    `node=${NODE1}`,
    '--param',
    'variant=resized-disk',
    '--yes',
    ...labArgs(state),
  ]);
  assert.equal(r.code, 0, show(r));
  const after = await dockerVg();
  assert.ok(after.bytes > before.bytes, `the volume group grew: ${before.bytes} → ${after.bytes}`);
  assert.equal(await dockerDriver(NODE1), 'devicemapper', 'the same driver as before');
  assert.equal(await unschedulable(NODE1), false);
  const cmds = audited(state);
  const idx = (re: RegExp) => cmds.findIndex((c) => re.test(c));
  assert.ok(
    idx(/oc adm drain node-1/) < idx(/lvremove .* -y/) &&
      idx(/lvremove/) < idx(/vgremove docker_vol -y/) &&
      idx(/vgremove/) < idx(/pvremove .* -y/),
    'drain, lvremove, vgremove, pvremove',
  );
  assert.ok(idx(/pvremove/) < idx(/ docker-storage-setup$/), 'then docker-storage-setup');
  await putNode1Back();
});
