import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSnapshot } from '../engine/session.js';
import { failureChoices, formatDuration, quitReason, runHeadline, stepWindowStart, tailOf, typedHostMatches } from './run-view.js';

function snap(patch: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    runId: 'r1',
    procedure: 'etcd-restore',
    title: 'Restore etcd',
    params: {},
    steps: [
      { id: 'a', title: 'Stop etcd', hosts: ['m0'], status: 'ok', destructive: false },
      { id: 'b', title: 'Wipe data', hosts: ['m0'], status: 'running', destructive: true },
      { id: 'c', title: 'Start etcd', hosts: ['m0'], status: 'pending', destructive: false },
    ],
    current: 'b',
    status: 'running',
    log: [],
    logFirstSeq: 0,
    plan: [],
    ...patch,
  };
}

test('durations read at a glance', () => {
  assert.equal(formatDuration(400), '0.4s');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(185_000), '3m05s');
  assert.equal(formatDuration(3_720_000), '1h02m');
  assert.equal(formatDuration(undefined), '');
});

test('headline and quit reason follow the status', () => {
  assert.match(runHeadline(snap()).text, /RUNNING step 2\/3 Wipe data/);
  assert.match(runHeadline(snap({ status: 'waiting-gate' })).text, /GATE at step 2\/3/);
  assert.match(runHeadline(snap({ status: 'aborted' }), { declinedGate: 'Wipe data' }).text, /STOPPED AT THE GATE of step 2\/3/);
  assert.equal(quitReason(snap()), 'etcd-restore is running (step 2/3): quitting stops it');
  assert.equal(quitReason(snap({ status: 'ok' })), undefined);
});

test('failure choices: never skip for a destructive step', () => {
  const failure = { step: 'b', command: 'mv', host: 'm0', exitCode: 1, tail: '', choices: ['retry', 'skip', 'abort'] as const };
  assert.deepEqual(failureChoices(snap({ failure: { ...failure, choices: [...failure.choices] } })), ['retry', 'abort']);
  assert.deepEqual(failureChoices(snap({ failure: { ...failure, step: 'a', choices: [...failure.choices] } })), ['retry', 'skip', 'abort']);
});

test('type-host answers must be the exact name', () => {
  assert.equal(typedHostMatches('master-0.example.com', 'master-0.example.com'), true);
  assert.equal(typedHostMatches('master-0.example.com', ' master-0.example.com '), true);
  assert.equal(typedHostMatches('master-0.example.com', 'master-0'), false);
  assert.equal(typedHostMatches('master-0.example.com', 'MASTER-0.example.com'), false);
  assert.equal(typedHostMatches(undefined, ''), false);
});

test('step window keeps the current step in view; tails drop trailing blank lines', () => {
  const steps = Array.from({ length: 10 }, (_, i) => ({
    id: `s${i}`,
    title: `S${i}`,
    hosts: [],
    status: 'pending' as const,
    destructive: false,
  }));
  assert.equal(stepWindowStart(steps, 's7', 4), 6);
  assert.equal(stepWindowStart(steps, 's0', 4), 0);
  assert.deepEqual(tailOf('a\nb\nc\n\n', 2), ['b', 'c']);
});

// ---- panel, journal pane, where-it-stands, layout ------------------------------------------------------

import { expectLines, journalView, runLayout, standingLines } from './run-view.js';

test('layout at 80×24 (21 rows): steps, panel, log; a journal pane takes half of the log', () => {
  const base = { height: 21, side: false, stepCount: 27, panelRows: 4, modal: 0, standing: 0, journal: false, bottom: 0 };
  assert.deepEqual(runLayout(base), { steps: 5, panel: 4, modal: 0, standing: 0, log: 10, journal: 0 });
  assert.deepEqual(runLayout({ ...base, journal: true }), { steps: 5, panel: 4, modal: 0, standing: 0, log: 5, journal: 5 });
  assert.deepEqual(runLayout({ ...base, panelRows: 0 }), { steps: 6, panel: 0, modal: 0, standing: 0, log: 13, journal: 0 });
  // every row is given, none twice (title and command line: 1 each; the bottom line)
  const rows = (l: ReturnType<typeof runLayout>) => 1 + l.steps + l.panel + 1 + l.modal + l.standing + l.log + l.journal;
  assert.equal(rows(runLayout({ ...base, journal: true })), 21);
  assert.equal(rows(runLayout({ ...base, bottom: 1 })), 20);
});

test('layout: a modal is shown whole — the steps give rows first, then the panel; the box after a failure keeps Next', () => {
  const base = { height: 21, side: false, stepCount: 27, panelRows: 4, modal: 0, standing: 0, journal: false, bottom: 0 };
  const gate = runLayout({ ...base, modal: 16 });
  assert.equal(gate.modal, 16);
  assert.equal(1 + gate.steps + gate.panel + 1 + gate.modal + gate.log, 21);
  assert.ok(gate.panel >= 1, 'the quorum line stays');
  // a modal that leaves the log fewer than 4 rows takes them all
  assert.deepEqual(runLayout({ ...base, modal: 10 }), { steps: 5, panel: 4, modal: 10, standing: 0, log: 0, journal: 0 });
  assert.deepEqual(runLayout({ ...base, modal: 6 }), { steps: 5, panel: 4, modal: 6, standing: 0, log: 4, journal: 0 });
  // the where-it-stands box: the steps down to the failed one (the headline names it), the panel's summary; the log
  // keeps its rule and 6 lines (it showed 2), the box is cut to what is left (Next is never cut)
  assert.deepEqual(runLayout({ ...base, standing: 14 }), { steps: 1, panel: 1, modal: 0, standing: 10, log: 7, journal: 0 });
  assert.deepEqual(runLayout({ ...base, standing: 6 }), { steps: 3, panel: 3, modal: 0, standing: 6, log: 7, journal: 0 });
  // side by side: the steps have their own column
  const side = runLayout({ ...base, side: true, height: 40, journal: true });
  assert.equal(side.steps, 39);
  assert.equal(1 + side.panel + 1 + side.log + side.journal, 40);
  // very short terminal: the panel is reduced to its summary
  assert.equal(runLayout({ ...base, height: 12 }).panel, 1);
});

test('standingLines: title, state, Next, cautions; when cut, Next stays and the rest is counted', () => {
  const w = { state: ['one '.repeat(30).trim(), 'two'], next: 'resume it', cautions: ['keep the backup'] };
  const all = standingLines(w, 40);
  assert.deepEqual(
    all.map((l) => l.kind),
    ['title', 'state', 'state', 'state', 'state', 'state', 'next', 'caution'],
  );
  assert.equal(all[1]!.text.slice(0, 6), '• one ');
  assert.equal(all[2]!.text.slice(0, 2), '  ');
  assert.ok(all.every((l) => [...l.text].length <= 40));
  const cut = standingLines(w, 40, 4);
  assert.deepEqual(
    cut.map((l) => l.text),
    ['WHERE THE CLUSTER STANDS NOW', 'Next: resume it', '(+3 more: a taller terminal shows them;…'],
  );
  const some = standingLines({ ...w, state: ['short', ...w.state] }, 40, 5);
  assert.deepEqual(
    some.map((l) => l.text),
    ['WHERE THE CLUSTER STANDS NOW', '• short', 'Next: resume it', '(+3 more: a taller terminal shows them;…'],
  );
});

test('expectLines: beside its label when it fits, else broken after the commas', () => {
  assert.deepEqual(expectLines('Type:', 'master-0.example.com', 40), { label: 'Type: ', names: ['master-0.example.com'] });
  const three = 'master-0.lab.example.com,master-1.lab.example.com,master-2.lab.example.com';
  assert.deepEqual(expectLines('Type:', three, 76), { label: 'Type:', names: [three] });
  assert.deepEqual(expectLines('Type:', three, 50), {
    label: 'Type:',
    names: ['master-0.lab.example.com,master-1.lab.example.com,', 'master-2.lab.example.com'],
  });
  assert.equal(expectLines('Type:', three, 50).names.join(''), three, 'what is shown is exactly what is typed');
});

test('journalView: the follow of the running step, live while it streams, its lines only', () => {
  const s = snap({
    current: 'b',
    follow: [{ step: 'b', host: 'm0', command: 'journalctl -f -n 0 -u etcd.service --no-pager' }],
    log: [
      { seq: 0, step: 'a', host: 'm0', stream: 'journal', text: 'old' },
      { seq: 1, step: 'b', host: 'm0', stream: 'stdout', text: 'out' },
      { seq: 2, step: 'b', host: 'm0', stream: 'journal', text: 'new' },
    ],
  });
  const v = journalView(s);
  assert.equal(v.show, true);
  assert.equal(v.live, true);
  assert.deepEqual(v.hosts, ['m0']);
  assert.equal(v.command, 'journalctl -f -n 0 -u etcd.service --no-pager');
  assert.deepEqual(
    v.lines.map((l) => l.text),
    ['new'],
  );
  // the follow ended, the step still runs: the lines stay, not live
  assert.deepEqual([journalView({ ...s, follow: undefined }).show, journalView({ ...s, follow: undefined }).live], [true, false]);
  // the run ended, or no journal line for this step: no pane
  assert.equal(journalView({ ...s, follow: undefined, status: 'ok' }).show, false);
  assert.equal(journalView(snap()).show, false);
});
