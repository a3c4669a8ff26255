import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE } from '../../procedures/catalogue.js';
import { describeParameter, formatList, listJson, runList } from './list.js';

const KEYS = ['id', 'kind', 'title', 'chapter', 'section', 'guideLine', 'risk', 'built', 'summary', 'parameters'];

test('list --json: one object per catalogue entry, with the documented fields', () => {
  let text = '';
  assert.equal(
    runList({ json: true }, (s) => void (text += s)),
    0,
  );
  const doc = JSON.parse(text) as { procedures: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(doc), ['procedures']);
  assert.equal(doc.procedures.length, CATALOGUE.length);
  assert.deepEqual(
    doc.procedures.map((p) => p.id),
    CATALOGUE.map((e) => e.id),
  );
  for (const p of doc.procedures) {
    assert.deepEqual(Object.keys(p), KEYS);
    assert.equal(typeof p.title, 'string');
    assert.equal(typeof p.chapter, 'number');
    assert.equal(typeof p.guideLine, 'number');
    assert.equal(typeof p.built, 'boolean');
    assert.ok(Array.isArray(p.parameters));
    for (const param of p.parameters as Record<string, unknown>[]) {
      assert.equal(typeof param.name, 'string');
      assert.equal(typeof param.description, 'string');
      assert.equal(typeof param.required, 'boolean');
    }
  }
  const restore = doc.procedures.find((p) => p.id === 'etcd-restore')!;
  assert.deepEqual(restore.parameters, [
    {
      name: 'host',
      description: 'Member that gets the backup data; the others rejoin empty',
      required: true,
      choices: { fromRole: 'etcd' },
    },
    { name: 'backup', description: 'Backup directory on that member, e.g. /backup/etcd-<YYYYMMDD>', required: true },
  ]);
});

test('listJson copies: editing the output does not touch the catalogue', () => {
  const doc = listJson();
  doc.procedures[0]!.title = 'changed';
  const first = doc.procedures.find((p) => p.parameters.length > 0)!;
  first.parameters[0]!.name = 'changed';
  assert.notEqual(CATALOGUE[0]!.title, 'changed');
  assert.ok(!CATALOGUE.some((e) => e.parameters.some((p) => p.name === 'changed')));
});

test('the table: grouped by chapter, every id, status and parameters', () => {
  const text = formatList();
  for (const e of CATALOGUE)
    assert.match(
      text,
      new RegExp(
        `^  ${e.id} +\\S+ +${e.kind} +${e.built ? (e.kind === 'info' ? 'page' : 'built') : 'not built'} +${e.title.replace(/[()+]/g, '\\$&')}$`,
        'm',
      ),
    );
  assert.match(text, /^ {2}info-pruning +6\.5 +info +page +/m, 'a guide info page is a page, not something to run');
  assert.match(text, /^ {2}prune +6\.5 +procedure +built +/m);
  assert.match(text, /, 3 guide pages \(open them in the console\)\./);
  const chapters = [...text.matchAll(/^Chapter (\d+) — (.+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(chapters, [2, 3, 4, 5, 6, 7, 8]);
  assert.match(text, /^ {6}parameters: host\*=<etcd host> {2}backup\*=<text>$/m);
  assert.match(text, /password\*=<secret>/);
  // parameter lines fit in 80 columns unless one parameter alone is longer
  for (const line of text.split('\n').filter((l) => l.startsWith('      '))) {
    assert.ok(
      line.length <= 80 ||
        !line
          .replace(/^ *parameters: /, '')
          .trim()
          .includes('  '),
      line,
    );
  }
});

test('describeParameter', () => {
  assert.equal(
    describeParameter({ name: 'method', description: '', required: false, choices: { values: ['a', 'b'] }, default: 'a' }),
    'method=a|b (a)',
  );
  assert.equal(describeParameter({ name: 'node', description: '', required: true, choices: { fromRole: 'node' } }), 'node*=<node host>');
  assert.equal(describeParameter({ name: 'pw', description: '', required: true, secret: true, default: 'x' }), 'pw*=<secret>');
});
