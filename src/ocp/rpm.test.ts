import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageListCommand, parseRpmQuery, rpmAtLeast } from './rpm.js';

test('packageListCommand: the sorted list in DIR/packages.txt, its line count printed', () => {
  assert.equal(
    packageListCommand('/backup/m0/20260101').script,
    'rpm -qa | sort > /backup/m0/20260101/packages.txt && test -s /backup/m0/20260101/packages.txt && wc -l ' +
      '/backup/m0/20260101/packages.txt',
  );
  assert.match(packageListCommand('/backup/a b').script, /sort > '\/backup\/a b\/packages.txt'/);
});

test('packageListCommand: an empty list (no rpm here) fails, never leaves an empty file unnoticed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-rpm-'));
  try {
    // a PATH where `rpm` prints nothing: the list is empty and the command fails
    const bin = join(dir, 'bin');
    execFileSync('sh', ['-c', `mkdir ${bin} && printf '#!/bin/sh\\n' > ${bin}/rpm && chmod +x ${bin}/rpm`]);
    const path = `${bin}:${process.env['PATH']}`;
    assert.throws(() => execFileSync('sh', ['-c', packageListCommand(dir).script], { env: { PATH: path }, stdio: 'pipe' }));
    assert.equal(readFileSync(join(dir, 'packages.txt'), 'utf8'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rpm -q: version and release of the package asked for; an older one is not enough', () => {
  const out = 'etcd-3.2.22-1.el7.x86_64\n';
  assert.deepEqual(parseRpmQuery(out, 'etcd'), { version: '3.2.22', release: '1.el7' });
  assert.equal(parseRpmQuery('package etcd is not installed\n', 'etcd'), undefined);
  assert.equal(parseRpmQuery(out, 'etcd3'), undefined);
  assert.ok(rpmAtLeast({ version: '3.2.22', release: '1.el7' }, { version: '2.3.7', release: '4' }));
  assert.ok(rpmAtLeast({ version: '2.3.7', release: '4.el7' }, { version: '2.3.7', release: '4' }));
  assert.ok(!rpmAtLeast({ version: '2.3.7', release: '3.el7' }, { version: '2.3.7', release: '4' }));
  assert.ok(!rpmAtLeast({ version: '2.3.10', release: '1' }, { version: '2.3.11', release: '1' }), 'numbers compare as numbers');
  assert.ok(rpmAtLeast({ version: '2.3.10', release: '1' }, { version: '2.3.9', release: '1' }));
});
