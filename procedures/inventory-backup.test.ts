// 4.4 inventory-backup on this machine's own shell (the bastion's local runner): the inventory the console
// loaded, its group_vars and host_vars, copied into a dated directory of mode 0700; an odd path stays one
// word; the DEMO (no file) skips with the reason; a backup-dir with <hostname> is refused.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startProcedureRun } from '../src/engine/run.js';
import { CannedOperator, runToEnd, tempStateDir, toyInventory } from '../src/engine/test-helpers.js';
import { LocalRunner } from '../src/transport/local.js';
import { dateStamp } from './backup-common.js';
import { inventoryBackup } from './inventory-backup.js';

test('copies the loaded inventory with group_vars and host_vars into a dated 0700 directory', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'inv backup '));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const dir = join(tmp, "my inventory; it's");
  mkdirSync(join(dir, 'group_vars'), { recursive: true });
  writeFileSync(join(dir, 'hosts'), '[masters]\nm0.example.com\n');
  writeFileSync(join(dir, 'group_vars', 'all.yml'), 'openshift_release: v3.10\n');
  const inventory = { ...toyInventory(), source: { kind: 'file' as const, path: join(dir, 'hosts') } };
  const status = await runToEnd(inventoryBackup, new LocalRunner(), { 'backup-dir': `${tmp}/backup/<YYYYMMDD>` }, inventory);
  assert.equal(status, 'ok');
  const out = join(tmp, 'backup', dateStamp(new Date()));
  assert.equal(readFileSync(join(out, 'hosts'), 'utf8'), '[masters]\nm0.example.com\n');
  assert.equal(readFileSync(join(out, 'group_vars', 'all.yml'), 'utf8'), 'openshift_release: v3.10\n');
  assert.equal(statSync(out).mode & 0o777, 0o700);
});

test('the DEMO has no inventory file: the copy is skipped with the reason', async () => {
  const run = startProcedureRun({
    procedure: inventoryBackup,
    params: {},
    inventory: { ...toyInventory(), source: { kind: 'demo' } },
    runner: new LocalRunner(),
    operator: new CannedOperator(),
    stateDir: tempStateDir(),
  });
  const result = await run.result();
  assert.equal(result.status, 'ok');
  assert.ok(result.snapshot.log.some((l) => /the DEMO has no inventory file/.test(l.text)));
});

test('backup-dir must be absolute and dated only', () => {
  const v = inventoryBackup.parameters[0]!.validate!;
  assert.match(v('/backup/<hostname>', toyInventory()) ?? '', /<hostname> has no meaning on the bastion/);
  assert.match(v('backup', toyInventory()) ?? '', /not an absolute path/);
  assert.equal(v('/backup/ansible/<YYYYMMDD>', toyInventory()), undefined);
});
