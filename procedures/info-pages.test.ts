// The guide's info pages: one for each info entry of the catalogue, commands in them copyable as shown,
// nothing from the inventory path turned into shell syntax, and pruning offered as a procedure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infoCommands, infoPageLines, lineOfCommand } from '../src/model/info-page.js';
import { quoteWord } from '../src/transport/shell.js';
import { CATALOGUE } from './catalogue.js';
import { findProcedure } from './index.js';
import { findInfoPage, INFO_PAGES } from './info-pages.js';

test('every info entry of the catalogue has a page, and every page an info entry', () => {
  const infos = CATALOGUE.filter((e) => e.kind === 'info').map((e) => e.id);
  assert.deepEqual(
    infos.filter((id) => !findInfoPage(id)),
    [],
  );
  for (const p of INFO_PAGES) assert.equal(CATALOGUE.find((e) => e.id === p.id)?.kind, 'info', p.id);
});

test('a procedure a page offers is built', () => {
  for (const p of INFO_PAGES) if (p.procedure) assert.ok(findProcedure(p.procedure.id), p.procedure.id);
  assert.equal(findInfoPage('info-pruning')?.procedure?.id, 'prune');
});

test('pruning: dry runs come before the --confirm runs, and the page says images need a token user and the route', () => {
  const page = findInfoPage('info-pruning')!;
  const cmds = infoCommands(page, {}).map((c) => c.command);
  const firstConfirm = cmds.findIndex((c) => c.includes('--confirm'));
  for (const kind of ['builds', 'deployments', 'images']) {
    const dry = cmds.findIndex((c) => c.startsWith(`oc adm prune ${kind}`) && !c.includes('--confirm'));
    assert.ok(dry >= 0 && dry < firstConfirm, kind);
    assert.ok(
      cmds.some((c) => c.startsWith(`oc adm prune ${kind}`) && c.endsWith('--confirm')),
      kind,
    );
  }
  const words = infoPageLines(page, {}, 0)
    .map((l) => l.text)
    .join(' ');
  assert.match(words, /system:admin/);
  assert.match(words, /route/);
  assert.match(words, /--keep-complete|keep-\*/);
});

test('prometheus: a technology preview, its inventory variables and what to look at', () => {
  const text = infoPageLines(findInfoPage('info-prometheus')!, {}, 0)
    .map((l) => l.text)
    .join('\n');
  assert.match(text, /technology preview/i);
  assert.match(text, /openshift_hosted_prometheus_deploy=true/);
  assert.match(text, /oc get pods -n openshift-metrics/);
});

const path = "/home/op/it's; rm -rf ~/hosts";

test('inventory backup copies the inventory the console loaded, quoted, with group_vars, host_vars and ansible.cfg', () => {
  const cmds = infoCommands(findInfoPage('info-inventory-backup')!, { inventoryPath: path }).map((c) => c.command);
  assert.ok(cmds.includes(`cp -p ${quoteWord(path)} ~/inventory-backup-$(date +%Y%m%d)/`), cmds.join('\n'));
  assert.ok(!cmds.some((c) => c.includes('cp -p /home/op/it')), 'the path is quoted');
  assert.ok(cmds.some((c) => c.includes('group_vars') && c.includes('host_vars')));
  assert.ok(cmds.some((c) => c.includes('/etc/ansible/ansible.cfg')));
  const demo = infoCommands(findInfoPage('info-inventory-backup')!, {}).map((c) => c.command);
  assert.ok(demo.some((c) => c.startsWith('cp -p /etc/ansible/hosts ')));
});

test('the selected command is marked, and its line can be found to scroll to', () => {
  const page = findInfoPage('info-pruning')!;
  const lines = infoPageLines(page, {}, 2);
  const at = lineOfCommand(lines, 2);
  assert.match(lines[at]!.text, /^▶ \$ /);
  assert.equal(lines.filter((l) => l.text.startsWith('▶')).length, 1);
  assert.equal(lines.filter((l) => l.command !== undefined).length, infoCommands(page, {}).length);
});
