// Lab test of 5.4.2.2 etcd-snapshot-restore through the real CLI (`day2-tui run … --yes`) against the
// lab's 3-member TLS etcd 3.4:
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/etcd-snapshot-restore.test.ts
// The test takes a backup with etcd-backup (its v3 snapshot is <dir>/db), then:
// - `run` without the snapshot parameter fails with a sentence naming the snapshots found on the host;
// - a truncated snapshot and a corrupt one (same size, a byte changed) are refused with nothing stopped;
// - (the test, not the product) destroys the data of all three members; etcd-snapshot-restore must bring
//   back 3 healthy members with their names, https peer URLs and the same v3 keys (`lab.sh fingerprint
//   --v3`); the v2 keys are gone, as the procedure says (a v3 snapshot holds none).
// Leaves the lab as it found it: the v2 keys read before are written back (then the whole fingerprint is
// the one of the start); if the cluster is left broken, `after` restores it from the v2+v3 backup with
// etcd-restore.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  activeEverywhere,
  assertLabUp,
  clusterState,
  controlPlane,
  day2,
  ensureHealthyEtcd,
  fingerprint,
  labDir,
  MASTERS,
  membershipOk,
  show,
  ssh,
  stopEtcdByHand,
  takeEtcdBackup,
  waitHealthy,
} from './lab-helpers.js';

let tmp = '';
let backupDir = '';
let fp0 = '';
/** The v2 tree read before anything is destroyed, written back after (undefined: nothing to put back). */
let v2Saved: V2Node[] | undefined;
let v2Back = true;

// ---- the v2 keys, over the v2 HTTP API with the lab's client certificate (as lab.sh seed writes them) ----

interface V2Node {
  key: string;
  dir?: boolean;
  value?: string;
  nodes?: V2Node[];
}

function v2(method: 'GET' | 'PUT', path: string, form?: string): Promise<{ status: number; body: string }> {
  const pki = join(labDir, 'pki');
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.10.1',
        port: 2379,
        method,
        path,
        ca: readFileSync(join(pki, 'ca.crt')),
        cert: readFileSync(join(pki, 'client.crt')),
        key: readFileSync(join(pki, 'client.key')),
        headers:
          form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error(`v2 ${method} ${path}: timed out`)));
    if (form !== undefined) req.write(form);
    req.end();
  });
}

const keyPath = (key: string) => `/v2/keys${key.split('/').map(encodeURIComponent).join('/')}`;

/** Every v2 node (directories first, parents before children). */
async function readV2(): Promise<V2Node[]> {
  const r = await v2('GET', '/v2/keys/?recursive=true&sorted=true');
  assert.equal(r.status, 200, r.body);
  const out: V2Node[] = [];
  const walk = (n: V2Node) => {
    for (const c of n.nodes ?? []) {
      out.push(c.dir ? { key: c.key, dir: true } : { key: c.key, value: c.value ?? '' });
      if (c.dir) walk(c);
    }
  };
  walk((JSON.parse(r.body) as { node: V2Node }).node);
  return out;
}

async function writeV2(nodes: V2Node[]): Promise<void> {
  for (const n of nodes) {
    const r = n.dir
      ? await v2('PUT', `${keyPath(n.key)}?dir=true`, '')
      : await v2('PUT', keyPath(n.key), `value=${encodeURIComponent(n.value ?? '')}`);
    // a directory made already (by an earlier attempt) is fine
    if (!(r.status === 200 || r.status === 201 || (n.dir && /"errorCode":102/.test(r.body))))
      assert.fail(`v2 PUT ${n.key}: ${r.status} ${r.body}`);
  }
}

before(async () => {
  await assertLabUp();
  tmp = mkdtempSync(join(tmpdir(), 'day2-etcd-snapshot-restore-test-'));
  await ensureHealthyEtcd();
  // the backup every test uses, taken with the product: <dir>/db is its v3 snapshot
  backupDir = await takeEtcdBackup('snapshot', join(tmp, 'state-backup'));
  fp0 = await fingerprint();
});

after(async () => {
  try {
    if (labDir && backupDir && !(await waitHealthy(5))) {
      // never leave the lab broken: stop etcd, move whatever is left aside, restore v2+v3 from the backup
      for (const m of MASTERS)
        await ssh(
          m,
          `${await stopEtcdByHand(m)}; rm -f /etc/systemd/system/etcd.service.d/temp.conf; systemctl ` +
            `daemon-reload; T=/var/lib/etcd.broken-$(date +%s); mkdir -p $T; mv /var/lib/etcd/* $T/ ` +
            `2>/dev/null; true`,
        );
      const r = await day2('etcd-restore', { host: MASTERS[0]!, backup: backupDir }, join(tmp, 'state-repair'));
      if (!(await waitHealthy(30))) console.error(`after: the lab could not be repaired; run lab.sh down/up\n${show(r)}`);
      v2Back = true;
    }
    if (labDir && !v2Back && v2Saved) {
      await writeV2(v2Saved);
      v2Back = true;
    }
  } finally {
    if (labDir && backupDir) await ssh(MASTERS[0]!, `rm -rf ${backupDir}`).catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('etcd-snapshot-restore without the snapshot parameter: the error names the snapshots found on the host, newest first', async () => {
  const r = await day2('etcd-snapshot-restore', { host: MASTERS[0]! }, join(tmp, 'state-missing'));
  assert.equal(r.code, 2, show(r));
  const err = r.stderr.trim();
  assert.match(
    err,
    /^day2-tui: parameter 'snapshot' is required \(.*\): give --param snapshot=…; found on master-0\.lab\.example\.com \(newest first\): /,
    show(r),
  );
  assert.ok(err.includes(`${backupDir}/db, `), show(r));
  // the v2 backup's member/snap/db holds no v3 data (etcdctl2 backup without --with-v3): never offered
  assert.ok(!err.includes(`${backupDir}/member/snap/db`), show(r));
  assert.equal(err.split('\n').length, 1, 'one line');
  const b = await day2('etcd-restore', { host: MASTERS[0]! }, join(tmp, 'state-missing-backup'));
  assert.equal(b.code, 2, show(b));
  assert.match(
    b.stderr,
    new RegExp(
      `parameter 'backup' is required .*found on master-0\\.lab\\.example\\.com \\(newest ` +
        `first\\): ${backupDir}, [^;]*v3 snapshot \\+ v2 backup`,
    ),
    show(b),
  );
  assert.deepEqual(await activeEverywhere(), ['active', 'active', 'active']);
});

for (const kind of ['truncated', 'corrupt'] as const) {
  test(`etcd-snapshot-restore: a ${kind} snapshot is refused before anything stops`, async () => {
    const bad = `/backup/etcd-${kind}-${process.pid}`;
    const damage =
      kind === 'truncated'
        ? `truncate -s $(( $(stat -c %s ${bad}/db) / 2 )) ${bad}/db`
        : // one byte in the middle changed, the size kept: only the integrity hash can tell
          `s=$(stat -c %s ${bad}/db); o=$((s / 2)); b=$(od -An -tu1 -j $o -N1 ${bad}/db | tr -d ' ` +
          `'); printf "\\\\$(printf %o $(( (b + 1) % 256 )))" | dd of=${bad}/db bs=1 seek=$o ` +
          `conv=notrunc status=none; test $(stat -c %s ${bad}/db) = $s`;
    const prep = await ssh(
      MASTERS[0]!,
      `rm -rf ${bad} && mkdir -p ${bad} && cp -a ${backupDir}/db ${bad}/db && ${damage} && ! cmp ` +
        `-s ${backupDir}/db ${bad}/db && ls -l ${bad}/db`,
    );
    assert.equal(prep.code, 0, show(prep));
    const state = join(tmp, `state-${kind}`);
    try {
      const r = await day2('etcd-snapshot-restore', { host: MASTERS[0]!, snapshot: `${bad}/db` }, state);
      assert.notEqual(r.code, 0, show(r));
      console.log(`${kind} snapshot: ${/-- failed: [^\n]*/.exec(r.stdout)?.[0] ?? '(no failed step line)'}`);
      assert.match(
        r.stdout + r.stderr,
        kind === 'truncated'
          ? /failed: Verify the snapshot before anything stops/
          : /failed: (Verify the snapshot|Restore the snapshot into a new directory)/,
        show(r),
      );
      if (kind === 'truncated') assert.match(r.stdout + r.stderr, /truncated|refuses the snapshot/, show(r));
      assert.deepEqual(await activeEverywhere(), ['active', 'active', 'active']);
      assert.ok(await waitHealthy(5), 'the cluster is not healthy after the refused restore');
      const audit = readFileSync(join(state, 'audit.log'), 'utf8');
      assert.ok(!audit.includes('systemctl stop') && !audit.includes('pods-stopped/etcd.yaml'), 'nothing was stopped');
      assert.equal(await fingerprint(), fp0, 'the data did not change');
    } finally {
      await ssh(MASTERS[0]!, `rm -rf ${bad} /var/lib/etcd.restored-*`);
    }
  });
}

test(
  'etcd-snapshot-restore: all three data dirs lost → 3 healthy members, original names, ' +
    'https peer URLs, the same v3 keys; v2 keys gone',
  async () => {
    const fp3 = await fingerprint('--v3');
    assert.notEqual(fp3, fp0, 'the lab has v2 keys (the full fingerprint differs from the v3 one)');
    v2Saved = await readV2();
    assert.ok(
      v2Saved.some((n) => n.key.startsWith('/lab/v2/')),
      'the seeded v2 keys are there before',
    );
    // the test destroys the data (not the product)
    v2Back = false;
    for (const m of MASTERS) {
      const r = await ssh(m, `${await stopEtcdByHand(m)}; rm -rf /var/lib/etcd/*; ls -A /var/lib/etcd | wc -l`);
      assert.equal(r.stdout.trim(), '0', `${m}: ${show(r)}`);
    }
    const state = join(tmp, 'state-restore');
    const t0 = Date.now();
    const r = await day2('etcd-snapshot-restore', { host: MASTERS[0]!, snapshot: `${backupDir}/db` }, state);
    assert.equal(r.code, 0, show(r));
    console.log(`snapshot restore took ${Math.round((Date.now() - t0) / 1000)} s`);
    const s = await clusterState();
    assert.ok(s.healthy, `not healthy:\n${s.list}`);
    assert.ok(membershipOk(s.list), `membership:\n${s.list}`);
    assert.equal(await fingerprint('--v3'), fp3, 'the v3 keys differ after the restore');
    // a v3 snapshot holds no v2 keys: the procedure said so, and they are gone
    assert.match(r.stdout, /A v3 snapshot holds no v2 keys/);
    const lab = await v2('GET', '/v2/keys/lab');
    assert.equal(lab.status, 404, lab.body);

    // the data dirs were moved aside (not deleted), the restore dir was emptied into place, joiners' etcd.conf kept a .bak
    for (const m of MASTERS) {
      const a = await ssh(m, 'ls -d /var/lib/etcd.old-* && ! ls -d /var/lib/etcd.restored-* 2>/dev/null && echo OK');
      assert.match(a.stdout, /OK/, `${m}: ${show(a)}`);
    }
    for (const m of MASTERS.slice(1)) {
      const c = await ssh(m, "ls /etc/etcd/etcd.conf.bak-* && grep -x 'ETCD_INITIAL_CLUSTER_STATE=existing' /etc/etcd/etcd.conf");
      assert.equal(c.code, 0, `${m}: ${show(c)}`);
    }
    const owner = await ssh(MASTERS[0]!, 'stat -c %U /var/lib/etcd/member /var/lib/etcd/member/snap/db');
    assert.deepEqual(owner.stdout.trim().split('\n'), ['etcd', 'etcd'], show(owner));
    // the audit log has the guide's commands, with the values of etcd.conf
    const lines = readFileSync(join(state, 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; host: string | null; command?: string });
    const cmds = lines.filter((l) => l.kind === 'command').map((l) => `${l.host} ${l.command}`);
    const has = (re: RegExp) =>
      assert.ok(
        cmds.some((c) => re.test(c)),
        `${re} not in:\n${cmds.join('\n')}`,
      );
    has(
      new RegExp(
        `^master-0\\S* ETCDCTL_API=3 etcdctl snapshot restore ${backupDir}/db --data-dir ` +
          `/var/lib/etcd\\.restored-\\d{14} --name master-0\\.lab\\.example\\.com --initial-cluster ` +
          `master-0\\.lab\\.example\\.com=https://127\\.0\\.10\\.1:2380 --initial-cluster-token \\S+ ` +
          `--initial-advertise-peer-urls https://127\\.0\\.10\\.1:2380$`,
      ),
    );
    // moved in, not copied (in an idempotent if-form: a resumed run finds it moved already)
    has(
      new RegExp(
        String.raw`^master-0\S* if test -d \/var\/lib\/etcd\.restored-\d{14}\/member; then mv ` +
          String.raw`\/var\/lib\/etcd\.restored-\d{14}\/member \/var\/lib\/etcd\/member; `,
      ),
    );
    has(/^master-0\S* .*member add master-1\.lab\.example\.com https:\/\/127\.0\.10\.2:2380/);
    // the others started the way the lab runs etcd: the unit, or the static pod's manifest moved back
    if (controlPlane() === 'systemd') has(/^master-2\S* systemctl start etcd.service/);
    else has(/^master-2\S* if test -e \/etc\/origin\/node\/pods-stopped\/etcd.yaml; then mv /);
    const restoreAt = cmds.findIndex((c) => / snapshot restore /.test(c));
    const stopAt = cmds.findIndex((c) => / systemctl stop etcd|pods\/etcd\.yaml \/etc\/origin\/node\/pods-stopped/.test(c));
    assert.ok(restoreAt >= 0 && stopAt > restoreAt, 'the snapshot was restored (and its hash checked) before anything stopped');
    assert.ok(!cmds.some((c) => /skip-hash-check/.test(c)), 'a snapshot save file is restored with its hash checked');
    assert.match(r.stdout, /captured conf-token = etcd-cluster-1/, 'the token was read from etcd.conf');

    // leave the lab as it was: the v2 keys back, then the whole fingerprint is the one of the start
    await writeV2(v2Saved);
    v2Back = true;
    assert.equal(await fingerprint(), fp0, 'the fingerprint after writing the v2 keys back');
  },
);

test(
  'etcd-snapshot-restore on another member from a data dir copy (…/member/snap/db): ' +
    '--skip-hash-check, 3 healthy members, the same v3 keys',
  async () => {
    const fp3 = await fingerprint('--v3');
    v2Saved = await readV2();
    // a copy of master-0's data dir db (etcd stopped first, so the file is consistent), put on master-1 through
    // the lab's own files; the v2 backup's member/snap/db would not do: it holds no v3 data
    const rel = `backup/etcd-copy-${process.pid}/member/snap/db`;
    const to = join(labDir, 'hosts', MASTERS[1]!, rel);
    mkdirSync(dirname(to), { recursive: true });
    try {
      v2Back = false;
      for (const m of MASTERS) assert.equal((await ssh(m, await stopEtcdByHand(m))).code, 0);
      copyFileSync(join(labDir, 'hosts', MASTERS[0]!, 'var', 'lib', 'etcd', 'member', 'snap', 'db'), to);
      for (const m of MASTERS) {
        const r = await ssh(m, `${await stopEtcdByHand(m)}; rm -rf /var/lib/etcd/*; ls -A /var/lib/etcd | wc -l`);
        assert.equal(r.stdout.trim(), '0', `${m}: ${show(r)}`);
      }
      const state = join(tmp, 'state-copy');
      const r = await day2('etcd-snapshot-restore', { host: MASTERS[1]!, snapshot: `/${rel}` }, state);
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /no integrity hash, so it is restored with --skip-hash-check=true/);
      const s = await clusterState();
      assert.ok(s.healthy && membershipOk(s.list), `membership:\n${s.list}`);
      assert.equal(await fingerprint('--v3'), fp3, 'the v3 keys differ after the restore');
      const cmds = readFileSync(join(state, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { kind: string; host: string | null; command?: string });
      const restore = cmds.find((c) => c.kind === 'command' && / snapshot restore /.test(` ${c.command}`));
      assert.equal(restore?.host, MASTERS[1]);
      assert.match(
        restore?.command ?? '',
        new RegExp(
          String.raw`--name master-1\.lab\.example\.com --initial-cluster ` +
            String.raw`master-1\.lab\.example\.com=https:\/\/127\.0\.10\.2:2380 .* --skip-hash-check=true$`,
        ),
      );
      assert.ok(
        cmds.some(
          (c) => c.host === MASTERS[1] && /member add master-0\.lab\.example\.com https:\/\/127\.0\.10\.1:2380/.test(c.command ?? ''),
        ),
        'master-0 rejoins through master-1',
      );
      await writeV2(v2Saved);
      v2Back = true;
      assert.equal(await fingerprint(), fp0, 'the fingerprint after writing the v2 keys back');
    } finally {
      rmSync(dirname(dirname(dirname(to))), { recursive: true, force: true });
    }
  },
);
