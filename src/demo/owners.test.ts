// Who owns a DEMO host's files: chown records it, stat -c %U/%G/%u/%g reports it, a mv keeps it, a new file is root's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Host } from '../inventory/types.js';
import { sh } from '../transport/shell.js';
import type { Target } from '../transport/types.js';
import { demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const inv = demoInventory();
const on = (short: string): Target => ({ kind: 'host', host: inv.hosts.find((h) => h.name.startsWith(`${short}.`)) as Host });
const fast = () => new DemoRunner({ lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });

test('the etcd data dir is etcd’s as installed; everything else is root’s', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const res = await r.run(on('master-0'), sh`stat -c '%U:%G %u:%g %n' /var/lib/etcd /var/lib/etcd/member/snap/db /etc/etcd/etcd.conf`);
  assert.equal(
    res.stdout,
    'etcd:etcd 997:997 /var/lib/etcd\netcd:etcd 997:997 /var/lib/etcd/member/snap/db\nroot:root 0:0 /etc/etcd/etcd.conf\n',
  );
});

test('chown -R records the owner of everything under a directory; a mv keeps it; a new file is root’s', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const script = sh`mkdir -p /srv/d/sub && touch /srv/d/sub/f && chown -R etcd.etcd /srv/d && mv /srv/d /srv/e && touch /srv/e/new && stat -c '%U %n' /srv/e/sub/f /srv/e/new`;
  assert.equal((await r.run(on('master-1'), script)).stdout, 'etcd /srv/e/sub/f\nroot /srv/e/new\n');
  const user = await r.run(on('master-1'), sh`touch /srv/x && chown etcd /srv/x && stat --format=%U:%G%% /srv/x`);
  assert.equal(user.stdout, 'etcd:root%\n', 'a user alone leaves the group; %% stays a percent sign');
});

test('chown refuses an unknown account and a missing file as coreutils does; stat without an owner is the real one', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const bad = await r.run(on('master-0'), sh`chown nobody1:nobody1 /etc/etcd/etcd.conf`);
  assert.deepEqual([bad.exitCode, bad.stderr.trim()], [1, 'chown: invalid user: ‘nobody1:nobody1’']);
  const gone = await r.run(on('master-0'), sh`chown etcd:etcd /etc/etcd/nope`);
  assert.deepEqual([gone.exitCode, gone.stderr.trim()], [1, 'chown: cannot access ‘/etc/etcd/nope’: No such file or directory']);
  const size = await r.run(on('master-0'), sh`printf abc > /tmp/s && stat -c %s /tmp/s`);
  assert.equal(size.stdout, '3\n');
});
