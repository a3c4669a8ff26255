import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { delay, untilFrame } from './testing/fixtures.js';
import { fits, renderRunApp } from './testing/run-app.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
});
const app = (o?: Parameters<typeof renderRunApp>[0]) => {
  const a = renderRunApp(o);
  disposers.push(a.dispose);
  return a;
};
const INTERRUPTED = {
  runId: '20240430-221500-cd34',
  procedure: 'etcd-restore',
  startedAt: new Date('2024-04-30T22:15:00'),
  step: 'Stop etcd on every member',
};

test('start-up resume offer: names the run and its step; r resumes into the run view', async () => {
  const { frame, press, resumed } = app({ interrupted: [INTERRUPTED] });
  const f = await untilFrame(frame, /A run was interrupted/);
  const text = f.replace(/[║\n]/g, ' ').replace(/\s+/g, ' ');
  assert.match(text, /A run was interrupted: etcd-restore 20240430-221500-cd34 at step Stop etcd on every member — r resume, Esc ignore/);
  assert.equal(fits(f), undefined);
  await press('r');
  assert.deepEqual(resumed, ['20240430-221500-cd34']);
  assert.match(frame(), /RUN etcd-restore 20240430-221500-cd34/);
});

test(
  'start-up resume offer with several interrupted runs: ● marks the one chosen (↓ j ↑ k, ' + 'stopping at the ends); r resumes that one',
  async () => {
    const second = {
      runId: '20240501-080000-ef56',
      procedure: 'master-backup',
      startedAt: new Date('2024-05-01T08:00:00'),
      step: 'Copy /etc/origin',
    };
    const { frame, press, resumed } = app({ interrupted: [INTERRUPTED, second] });
    await untilFrame(frame, /2 interrupted runs/);
    assert.match(frame(), /2 interrupted runs \(↑↓ choose\):/);
    assert.match(frame(), /^● etcd-restore 20240430-221500-cd34 at Stop etcd on every member/m);
    assert.match(frame(), /^○ master-backup 20240501-080000-ef56 at Copy \/etc\/origin/m);
    assert.equal(fits(frame()), undefined);
    await press('j', 'j');
    assert.match(frame(), /^● master-backup 20240501-080000-ef56/m);
    assert.match(
      frame().replace(/[║\n]/g, ' ').replace(/\s+/g, ' '),
      /A run was interrupted: master-backup 20240501-080000-ef56 at step Copy \/etc\/origin/,
    );
    await press('k', 'k', '\x1b[B');
    assert.match(frame(), /^● master-backup/m, 'k k went back to the first, ↓ down again (no going round)');
    await press('r');
    assert.deepEqual(resumed, ['20240501-080000-ef56']);
  },
);

test('start-up resume offer: Esc ignores it (Home); no offer without an interrupted run', async () => {
  const a = app({ interrupted: [INTERRUPTED] });
  await untilFrame(a.frame, /A run was interrupted/);
  await a.press('\x1b', 'k');
  assert.match(a.frame(), /▶ HOSTS/);
  assert.deepEqual(a.resumed, []);
  const b = app();
  await untilFrame(b.frame, /▶ HOSTS/);
  await delay(); // what is asserted is an absence: give an offer a moment to show
  assert.doesNotMatch(b.frame(), /interrupted/);
});

test('u opens the Runs screen: newest first; Enter on an interrupted run asks, y resumes; on a finished one says why not', async () => {
  const { frame, press, resumed } = app({
    runs: [
      { runId: 'old-ok', procedure: 'etcd-backup', startedAt: '2024-04-29T10:10:00', status: 'ok' },
      { ...INTERRUPTED, status: 'interrupted' },
    ],
  });
  await untilFrame(frame, /▶ HOSTS/);
  await press('u');
  let f = frame();
  assert.match(f, /RUNS — 2 journals, newest first/);
  assert.match(f, /› ! INTERRUPTED +2024-04-30 22:15 +etcd-restore +20240430-221500-cd34$/m);
  assert.match(f, /✓ ok +2024-04-29 10:10 +etcd-backup +old-ok/);
  assert.equal(fits(f), undefined);
  await press('j', '\r');
  assert.match(frame(), /old-ok ok: only an interrupted run can be resumed/);
  await press('k', '\r');
  assert.match(frame(), /Resume etcd-restore 20240430-221500-cd34\?/);
  await press('y');
  assert.deepEqual(resumed, ['20240430-221500-cd34']);
  f = frame();
  assert.match(f, /RUN etcd-restore/);
});

test('Runs: the footer says the keys of the list, then of the question; G / g move to the ends; ? lists the Runs keys first', async () => {
  const { frame, press } = app({
    runs: [
      { runId: 'old-ok', procedure: 'etcd-backup', startedAt: '2024-04-29T10:10:00', status: 'ok' },
      { runId: 'older-failed', procedure: 'etcd-backup', startedAt: '2024-04-28T10:10:00', status: 'failed' },
      { ...INTERRUPTED, status: 'interrupted' },
    ],
  });
  await untilFrame(frame, /▶ HOSTS/);
  await press('u');
  await untilFrame(frame, /↑↓ move {2}Enter open {2}Esc back {2}\? help {2}q quit/);
  assert.match(frame(), /↑↓ move {2}Enter open {2}Esc back {2}\? help {2}q quit/);
  await press('G');
  assert.match(frame(), /› ✗ failed +2024-04-28 10:10 +etcd-backup +older-failed/);
  await press('g', '\r');
  assert.match(frame(), /Resume etcd-restore 20240430-221500-cd34\?/);
  await untilFrame(frame, /y resume {2}any other key not now/);
  assert.match(frame(), /y resume {2}any other key not now/);
  await press('n');
  assert.match(frame(), /Not resumed\./);
  await untilFrame(frame, /↑↓ move {2}Enter open/);
  assert.match(frame(), /↑↓ move {2}Enter open/);
  await press('?');
  const f = frame();
  assert.match(f, /HELP — Runs/);
  assert.match(f, /KEYS HERE: RUNS/);
  assert.ok(f.indexOf('KEYS HERE: RUNS') < f.indexOf('Enter            an interrupted run'), 'the Runs keys open the page');
  assert.equal(fits(f), undefined);
});

test('start-up resume offer: the footer as before; ? lists its keys first, ? again is back on the offer', async () => {
  const { frame, press, resumed } = app({ interrupted: [INTERRUPTED] });
  await untilFrame(
    frame,
    (f) => /^r resume {2}↑↓ choose {2}Esc ignore {2}u all runs {2}q quit/.test(f.split('\n').at(-1) ?? ''),
    'the footer',
  );
  assert.match(frame().split('\n').at(-1) ?? '', /^r resume {2}↑↓ choose {2}Esc ignore {2}u all runs {2}q quit/);
  await press('?');
  const f = frame();
  assert.match(f, /HELP — A run was interrupted/);
  assert.ok(f.indexOf('KEYS HERE: A RUN WAS INTERRUPTED') >= 0 && f.indexOf('KEYS HERE') < f.indexOf('resume the interrupted run'));
  assert.equal(fits(f), undefined);
  await press('?');
  assert.match(frame(), /RUN INTERRUPTED/);
  assert.deepEqual(resumed, []);
});

test('at 80 columns the run ids are whole: the procedure column goes (the ids name it), then the start time', async () => {
  const long = '20261125-042150-etcd-snapshot-restore-unjo';
  const { frame, press } = app({
    runs: [
      { runId: long, procedure: 'etcd-snapshot-restore', startedAt: '2026-11-25T04:21:50', status: 'interrupted', step: 'Stop etcd' },
      { runId: '20261124-101000-etcd-backup-ab12', procedure: 'etcd-backup', startedAt: '2026-11-24T10:10:00', status: 'ok' },
    ],
  });
  await untilFrame(frame, /▶ HOSTS/);
  await press('u');
  const f = frame();
  assert.match(f, /^ {2}status {10}started {11}run id \/ step/m);
  assert.match(f, /^› ! INTERRUPTED +2026-11-25 04:21 {2}20261125-042150-etcd-snapshot-restore-unjo$/m, 'no step cut to a few letters');
  assert.match(f, /^ {2}✓ ok +2026-11-24 10:10 {2}20261124-101000-etcd-backup-ab12$/m);
  assert.doesNotMatch(f, /procedure/);
  assert.equal(fits(f), undefined, fits(f));
});

test('the resume offer names a run by its id alone when the id names the procedure; several: each id whole', async () => {
  const a = {
    runId: '20261125-042150-etcd-snapshot-restore-unjo',
    procedure: 'etcd-snapshot-restore',
    startedAt: new Date(),
    step: 'Stop etcd',
  };
  const b = {
    runId: '20261124-101000-master-decommission-ab12',
    procedure: 'master-decommission',
    startedAt: new Date(),
    step: 'x'.repeat(60),
  };
  const { frame } = app({ interrupted: [a, b] });
  const f = await untilFrame(frame, /2 interrupted runs/);
  const text = f.replace(/[║\n]/g, ' ').replace(/\s+/g, ' ');
  assert.match(text, /A run was interrupted: 20261125-042150-etcd-snapshot-restore-unjo at step Stop etcd — r resume/);
  assert.match(f, /^● 20261125-042150-etcd-snapshot-restore-unjo at Stop etcd/m);
  assert.match(f, /^○ 20261124-101000-master-decommission-ab12 at x+…/m);
  assert.equal(fits(f), undefined, fits(f));
});

test('Runs: Enter on a finished run, o on any, shows its record; w writes it and says where; Esc back to the list', async () => {
  const written: string[] = [];
  const runReport = {
    read: (id: string) => `# etcd-backup run ${id}\n\n| Result | ok |\n\n## Steps\n\n$ etcdctl snapshot save /backup/x/db\n`,
    write: (id: string) => {
      written.push(id);
      return `/state/reports/${id}.md`;
    },
  };
  const { frame, press } = app({
    runs: [
      { runId: 'old-ok', procedure: 'etcd-backup', startedAt: '2024-04-29T10:10:00', status: 'ok' },
      { ...INTERRUPTED, status: 'interrupted' },
    ],
    runReport,
  });
  await untilFrame(frame, /▶ HOSTS/);
  await press('u');
  await untilFrame(frame, /o record/);
  await press('j', '\r');
  let f = await untilFrame(frame, /RECORD old-ok/);
  assert.match(f, /# etcd-backup run old-ok/);
  assert.match(f, /\$ etcdctl snapshot save \/backup\/x\/db/);
  assert.match(f, /w write to a file/);
  assert.equal(fits(f), undefined);
  await press('w');
  assert.deepEqual(written, ['old-ok']);
  assert.match(frame(), /Record of old-ok written: \/state\/reports\/old-ok\.md/);
  await press('\x1b');
  await untilFrame(frame, /RUNS — 2 journals/);
  await press('k', 'o');
  f = await untilFrame(frame, /RECORD 20240430-221500-cd34/);
  assert.match(f, /# etcd-backup run 20240430-221500-cd34/);
});
