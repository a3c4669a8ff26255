import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUILT_CHECK_IDS, CATALOGUE, CHAPTER_TITLES, entriesByChapter, findEntry } from './catalogue.js';
import { PROCEDURES } from './index.js';
import { findInfoPage, OFFERED_BY_INFO_PAGES } from './info-pages.js';

// The catalogue's spec is ../shared/PROCEDURES.md beside the repository; the repository keeps a copy
// (test/fixtures/PROCEDURES.md) so that a clone on its own runs every test. The copy is what is
// checked; when the spec is there too, the copy must be the same text.
const PROCEDURES_COPY = fileURLToPath(new URL('../test/fixtures/PROCEDURES.md', import.meta.url));
const PROCEDURES_SPEC = fileURLToPath(new URL('../../shared/PROCEDURES.md', import.meta.url));
const md = readFileSync(PROCEDURES_COPY, 'utf8');

test('test/fixtures/PROCEDURES.md is the same text as ../shared/PROCEDURES.md (when the spec is beside the clone)', (t) => {
  if (!existsSync(PROCEDURES_SPEC)) {
    t.diagnostic(`${PROCEDURES_SPEC} is not there (a clone on its own): the catalogue is checked against the repository's copy only`);
    return;
  }
  assert.equal(
    md,
    readFileSync(PROCEDURES_SPEC, 'utf8'),
    'the spec changed: copy ../shared/PROCEDURES.md to test/fixtures/PROCEDURES.md and make the catalogue follow',
  );
});

/** Ids the guide's catalogue names: the first column of every table row, plus "procedure `x`" in the text. */
function idsInProceduresMd(): Set<string> {
  const ids = new Set<string>();
  for (const line of md.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const cells = line.split('|');
    const first = cells[1] ?? '';
    if (/^\s*(id|line)\s*$/.test(first)) continue; // header rows
    for (const m of first.matchAll(/`([a-z0-9-]+)`/g)) ids.add(m[1]!);
    for (const m of line.matchAll(/procedure `([a-z0-9-]+)`/g)) ids.add(m[1]!);
  }
  return ids;
}

test('PROCEDURES.md parsing finds the ids it should (sanity)', () => {
  const ids = idsInProceduresMd();
  for (const id of ['ntp', 'fix-ntp', 'validate-app', 'validate-sdn', 'etcd-members', 'fix-mtu', 'reencrypt-route']) {
    assert.ok(ids.has(id), `parser missed ${id}`);
  }
  assert.ok(ids.size >= 50, `only ${ids.size} ids parsed`);
  // the errata table's first column is line numbers, not ids
  assert.ok(![...ids].some((id) => /^L\d/.test(id)));
});

test('every id of PROCEDURES.md is in the catalogue', () => {
  const missing = [...idsInProceduresMd()].filter((id) => !findEntry(id));
  assert.deepEqual(missing, []);
});

test('every non-info id of the catalogue is named in PROCEDURES.md (or offered by an info page)', () => {
  const named = new Set([...md.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]));
  const invented = CATALOGUE.filter((e) => e.kind !== 'info' && !named.has(e.id) && !OFFERED_BY_INFO_PAGES.has(e.id)).map((e) => e.id);
  assert.deepEqual(invented, []);
});

test('the info sections have entries', () => {
  for (const [id, section] of [
    ['info-prometheus', '3.2'],
    ['info-inventory-backup', '4.4'],
    ['info-pruning', '6.5'],
  ] as const) {
    const e = findEntry(id);
    assert.ok(e, id);
    assert.equal(e.kind, 'info');
    assert.equal(e.section, section);
  }
});

test('ids are unique and well formed', () => {
  const ids = CATALOGUE.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
});

test('chapters are ordered and match the sections', () => {
  let last = 0;
  for (const e of CATALOGUE) {
    assert.ok(e.chapter >= last, `${e.id}: chapter ${e.chapter} after ${last}`);
    last = e.chapter;
    assert.equal(Number(e.section.split('.')[0]), e.chapter, e.id);
    assert.equal(e.chapterTitle, CHAPTER_TITLES[e.chapter]);
  }
});

test('entries are complete', () => {
  const lines = md.split('\n').length;
  for (const e of CATALOGUE) {
    assert.ok(e.title.length > 3, e.id);
    assert.ok(e.summary.length > 10 && !e.summary.includes('\n'), e.id);
    assert.ok(Number.isInteger(e.guideLine) && e.guideLine > 0 && e.guideLine < 2000, e.id);
    assert.equal(e.built, PROCEDURES.some((p) => p.entry.id === e.id) || BUILT_CHECK_IDS.has(e.id) || !!findInfoPage(e.id), e.id);
    if (e.kind !== 'procedure') assert.equal(e.risk, 'read-only', e.id);
    const names = e.parameters.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, `${e.id}: duplicate parameter`);
    for (const p of e.parameters) {
      assert.match(p.name, /^[a-z][a-z0-9-]*$/, `${e.id}.${p.name}`);
      assert.ok(p.description.length > 3, `${e.id}.${p.name}`);
      if (p.choices && 'values' in p.choices && p.default !== undefined) {
        assert.ok(p.choices.values.includes(p.default), `${e.id}.${p.name}: default not a choice`);
      }
    }
  }
  assert.ok(lines > 0);
});

test('guide lines match the L-numbers of PROCEDURES.md where it gives one', () => {
  // e.g. "| `etcd-restore` | 5.4.2.1 L1100 |": the first L-number on the row of the id.
  for (const line of md.split('\n')) {
    const id = /^\|\s*`([a-z0-9-]+)`/.exec(line)?.[1];
    const l = /\bL(\d+)\b/.exec(line.split('|')[2] ?? '')?.[1];
    if (!id || !l) continue;
    const e = findEntry(id);
    assert.ok(e, id);
    assert.equal(e.guideLine, Number(l), id);
  }
});

test('selected parameters', () => {
  const restore = findEntry('etcd-restore')!;
  assert.deepEqual(restore.parameters.find((p) => p.name === 'host')?.choices, { fromRole: 'etcd' });
  assert.equal(restore.parameters.find((p) => p.name === 'backup')?.required, true);
  assert.deepEqual(findEntry('node-decommission')!.parameters[0]?.choices, { fromRole: 'node' });
  assert.equal(findEntry('registry-auth-secret')!.parameters.find((p) => p.name === 'password')?.secret, true);
});

test('entriesByChapter groups in chapter order', () => {
  const groups = entriesByChapter();
  assert.deepEqual(
    groups.map((g) => g.chapter),
    [2, 3, 4, 5, 6, 7, 8],
  );
  assert.equal(
    groups.reduce((n, g) => n + g.entries.length, 0),
    CATALOGUE.length,
  );
  assert.equal(groups[0]!.chapterTitle, 'Run-once tasks');
  assert.equal(findEntry('nope'), undefined);
});

test('the health checks of src/checks are the built checks, in the guide order the catalogue sorts them in', async () => {
  const { ALL_CHECKS } = await import('../src/checks/index.js');
  // `day2-tui check` and the Health screen show them in ALL_CHECKS' order
  const built = CATALOGUE.filter((e) => e.kind === 'check' && e.built).map((e) => e.id);
  assert.deepEqual(
    ALL_CHECKS.map((c) => c.id),
    built,
  );
  for (const e of CATALOGUE) if (e.kind === 'check') assert.equal(e.built, BUILT_CHECK_IDS.has(e.id), e.id);
});
