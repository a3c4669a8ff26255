// The look at an etcd member when a run stopped: the probe's output as a real host prints it → MemberNow.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeMemberNow, parseMemberNow } from './etcd-member-now.js';

const out = (stdout: string, exitCode = 0) => ({ exitCode, stdout, stderr: '' });

test('a member the restore stopped and moved aside: stopped, empty data dir, the copy, the manifest kept in pods-stopped/', () => {
  const m = parseMemberNow(out('stopped\ndata=exists\naside=/var/lib/etcd.old-20261207-064751\nmanifest=stopped\netcd: not running\n'));
  assert.deepEqual(m, {
    etcd: 'stopped',
    data: 'empty',
    aside: ['/var/lib/etcd.old-20261207-064751'],
    manifest: 'stopped',
    forceNewCluster: [],
  });
  assert.equal(
    describeMemberNow(m),
    'etcd not running; /var/lib/etcd is empty; moved aside: /var/lib/etcd.old-20261207-064751; etcd manifest in ' +
      '/etc/origin/node/pods-stopped/',
  );
});

test('the restored member running alone with --force-new-cluster still set (a unit: the drop-in)', () => {
  const m = parseMemberNow(
    out(
      'running\ndata=member\ndata=exists\ndata=entries\naside=/var/lib/etcd.old-2\n' +
        'aside=/var/lib/etcd.old-1\nmanifest=none\nforce=drop-in\netcd: force-new-cluster\n',
    ),
  );
  assert.deepEqual(m, {
    etcd: 'running',
    mode: 'force-new-cluster',
    data: 'member',
    aside: ['/var/lib/etcd.old-1', '/var/lib/etcd.old-2'],
    manifest: 'none',
    forceNewCluster: ['drop-in'],
  });
  assert.match(
    describeMemberNow(m),
    new RegExp(
      String.raw`^etcd running, started with --force-new-cluster; \/var\/lib\/etcd holds a member's ` +
        String.raw`data; .*drop-in \/etc\/systemd\/system\/etcd.service.d\/temp.conf in place$`,
    ),
  );
});

test('many copies from earlier restores: the count and the newest, not every name', () => {
  const aside = ['/var/lib/etcd.old-20261207064510', '/var/lib/etcd.old-20261207065820', '/var/lib/etcd.old-20261207065016'];
  const m = parseMemberNow(out(`running\ndata=member\ndata=exists\n${aside.map((a) => `aside=${a}`).join('\n')}\netcd: cluster\n`));
  assert.equal(
    describeMemberNow(m),
    "etcd running; /var/lib/etcd holds a member's data; 3 copies moved aside, the newest /var/lib/etcd.old-20261207065820",
  );
});

test('no data dir, files without member/, a glob that matched nothing; the runtime unknown: /proc tells', () => {
  assert.equal(parseMemberNow(out('etcd: not running\naside=/var/lib/etcd.old-*\n')).data, 'missing');
  assert.deepEqual(parseMemberNow(out('etcd: not running\naside=/var/lib/etcd.old-*\n')).aside, []);
  assert.equal(parseMemberNow(out('stopped\ndata=exists\ndata=entries\n')).data, 'other');
  assert.equal(parseMemberNow(out('etcd: cluster\nforce=etcd.conf\n')).etcd, 'running');
});

test('an answer that says nothing about etcd is no answer: the sentence names the output', () => {
  assert.throws(
    () => parseMemberNow({ exitCode: 2, stdout: '', stderr: 'bash: line 1: syntax error' }),
    /could not tell whether etcd runs \(exit 2\): bash: line 1: syntax error/,
  );
});
