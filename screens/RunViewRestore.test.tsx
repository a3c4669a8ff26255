// The run view of an etcd restore at 80×24 (the App gives it 21 rows) and wider: the step list, the
// cluster panel (one line per member + the quorum line), the journal pane while a start-up streams, the
// type-host gate with the exact name to type, and after a failure where the cluster stands. Drives a
// hand-made session whose snapshot the test sets; the real etcd-restore plan gives the steps.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { etcdRestore } from '../procedures/etcd-restore.js';
import { planProcedure } from '../src/engine/plan.js';
import type { LogLine, RunSession, RunSnapshot } from '../src/engine/session.js';
import type { FailureChoice, PanelSnapshot } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { RunView } from './RunView.js';
import { settle, stripAnsi } from './testing/fixtures.js';
import { ThemeProvider } from './theme.js';

afterEach(() => cleanup());

const M = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];
function inventory(): Inventory {
  const hosts: Host[] = M.map((name, i) => ({
    name,
    address: `127.0.10.${i + 1}`,
    port: 22,
    become: false,
    roles: ['master', 'etcd', 'node'],
    groups: ['masters', 'etcd', 'nodes'],
    vars: { openshift_ip: `127.0.10.${i + 1}` },
    file: 'hosts.ini',
    line: i + 1,
  }));
  return { source: { kind: 'file', path: '/lab/hosts.ini' }, hosts, groups: { etcd: M }, groupVars: {}, warnings: [] };
}
const PARAMS = { host: M[0]!, backup: '/backup/etcd-20240105' };
const PLAN = planProcedure(etcdRestore, PARAMS, inventory(), new Date(2024, 0, 5, 3, 4, 5));

class ManualSession implements RunSession {
  gateAnswers: boolean[] = [];
  failureAnswers: FailureChoice[] = [];
  private listeners = new Set<() => void>();
  snap: RunSnapshot = {
    runId: '20240105-030405-etcd-restore-ab12',
    procedure: 'etcd-restore',
    title: 'Restore etcd',
    params: PARAMS,
    steps: PLAN.map((p) => ({ id: p.id, title: p.title, hosts: p.hosts, status: 'pending', destructive: p.destructive })),
    status: 'running',
    log: [],
    logFirstSeq: 0,
    plan: PLAN,
  };
  private seq = 0;
  getSnapshot(): RunSnapshot {
    return this.snap;
  }
  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  answerGate(ok: boolean): void {
    this.gateAnswers.push(ok);
  }
  answerFailure(c: FailureChoice): void {
    this.failureAnswers.push(c);
  }
  cancel(): void {}
  finished(): Promise<RunSnapshot> {
    return new Promise(() => {});
  }
  set(patch: Partial<RunSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of [...this.listeners]) l();
  }
  /** Steps before `id` ok, `id` running. */
  at(id: string): void {
    const i = this.snap.steps.findIndex((s) => s.id === id);
    this.set({ current: id, steps: this.snap.steps.map((s, k) => ({ ...s, status: k < i ? 'ok' : k === i ? 'running' : 'pending' })) });
  }
  lines(...ls: Omit<LogLine, 'seq'>[]): void {
    this.set({ log: [...this.snap.log, ...ls.map((l) => ({ ...l, seq: this.seq++ }))] });
  }
}

function panel(members: 1 | 3, when = 'after step 8/24'): PanelSnapshot {
  const row = (i: number, leader: boolean) => ({
    label: M[i]!,
    text:
      `✓ healthy${leader ? '  ★ leader' : ''}  peer https://127.0.10.${i + 1}:2380  id ` +
      `${'8e9e05c52164694d'.slice(i)}${i}  client https://127.0.10.${i + 1}:2379`,
    tone: 'ok' as const,
  });
  return members === 1
    ? {
        title: 'etcd cluster',
        takenAt: new Date(2024, 0, 5, 3, 5, 0).toISOString(),
        host: M[0]!,
        when,
        view: {
          summary: { text: '1 member · 1 healthy · quorum 1 · tolerates 0 failures', tone: 'ok' },
          rows: [
            {
              label: M[0]!,
              text: '✓ healthy  ★ leader  peer http://localhost:2380 (localhost!)  id 8e9e05c52164694d  client https://127.0.10.1:2379',
              tone: 'warn',
            },
            { label: M[1]!, text: '– not in the member list', tone: 'warn' },
            { label: M[2]!, text: '– not in the member list', tone: 'warn' },
          ],
        },
      }
    : {
        title: 'etcd cluster',
        takenAt: new Date(2024, 0, 5, 3, 6, 0).toISOString(),
        host: M[0]!,
        when,
        view: {
          summary: { text: '3 members · 3 healthy · quorum 2 · tolerates 1 failure', tone: 'ok' },
          rows: [row(0, true), row(1, false), row(2, false)],
        },
      };
}

function show(s: ManualSession, o: { width?: number; height?: number; noColor?: boolean } = {}) {
  const width = o.width ?? 80;
  const height = o.height ?? 21;
  const r = render(
    <ThemeProvider color={!o.noColor}>
      <RunView session={s} width={width} height={height} active onHome={() => {}} onGlobal={() => {}} />
    </ThemeProvider>,
  );
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  return { ...r, frame, press, width, height };
}

/** No line wider than `width`, no more lines than `height`. */
function fits(frame: string, width: number, height: number): string | undefined {
  const lines = frame.split('\n');
  if (lines.length > height) return `${lines.length} lines:\n${frame}`;
  const wide = lines.find((l) => [...l].length > width);
  return wide === undefined ? undefined : `too wide (${[...wide].length}): ${wide}`;
}

const J = (text: string): Omit<LogLine, 'seq'> => ({ step: 'start-force-new-cluster', host: M[0]!, stream: 'journal', text });

test(
  'a start-up with --force-new-cluster at 80×21: steps, the panel (one line per member + ' +
    'quorum), the command, the journal pane apart from the log',
  async () => {
    const s = new ManualSession();
    const v = show(s);
    s.at('start-force-new-cluster');
    s.set({
      panel: panel(1),
      command: { host: M[0]!, text: 'systemctl restart etcd.service' },
      follow: [{ step: 'start-force-new-cluster', host: M[0]!, command: 'journalctl -f -n 0 -u etcd.service --no-pager' }],
    });
    s.lines(
      { step: 'start-force-new-cluster', host: M[0]!, stream: 'command', text: 'systemctl daemon-reload' },
      { step: 'start-force-new-cluster', host: M[0]!, stream: 'command', text: 'systemctl restart etcd.service' },
      J('Jan 05 03:05:01 master-0 etcd[4242]: etcdserver: forcing restart of member 8e9e05c52164694d in cluster (force-new-cluster)'),
      J('Jan 05 03:05:02 master-0 etcd[4242]: raft: 8e9e05c52164694d became leader at term 3'),
      J('Jan 05 03:05:02 master-0 etcd[4242]: etcdserver: published {Name:master-0.lab.example.com} to cluster'),
    );
    await settle(() => v.lastFrame());
    const f = v.frame();
    assert.equal(fits(f, 80, 21), undefined, fits(f, 80, 21));
    assert.match(f, /RUNNING step 8\/28 Start etcd, a new singl/);
    assert.match(f, /▶ 8\. \S+ running Start etcd, a new single-member cluster/, 'the step list, current step marked');
    assert.match(f, /◆ ETCD CLUSTER 1 member · 1 healthy · quorum 1 · tolerates 0 failures/);
    assert.match(
      f,
      /^ {2}master-0 {2}✓ healthy {2}★ leader {2}peer http:\/\/localhost:2380 \(localhost!\)/m,
      'members shortened by the common domain',
    );
    assert.match(f, /^ {2}master-1 {2}– not in the member list$/m);
    assert.match(f, /▶ running on master-0\.lab\.example\.com: systemctl restart etcd\.service/);
    assert.match(f, /┄ JOURNAL master-0: journalctl -f -n 0 -u etcd\.service --no-pager ┄+ ● streaming/);
    assert.match(f, /^┆ 03:05:02 etcd\[4242\]: raft: 8e9e05c52164694d became leader at term 3/m, 'journal lines without the date and host');
    const logPart = f.slice(f.indexOf('─ LOG'), f.indexOf('┄ JOURNAL'));
    assert.match(logPart, /\$ systemctl restart etcd\.service/);
    assert.doesNotMatch(logPart, /became leader/, 'journal lines are not in the log pane while the journal pane shows them');

    // the members rejoin: the panel follows the snapshot
    s.at('verify-membership');
    s.set({ panel: panel(3, 'after step 23/24'), follow: undefined, command: undefined });
    await settle(() => v.lastFrame());
    const g = v.frame();
    assert.match(g, /◆ ETCD CLUSTER 3 members · 3 healthy · quorum 2 · tolerates 1 failure/);
    assert.equal((g.match(/^ {2}master-\d {2}✓ healthy/gm) ?? []).length, 3);
    assert.doesNotMatch(g, /JOURNAL/, 'no journal pane once the step with the follow is over');
    assert.equal(fits(g, 80, 21), undefined, fits(g, 80, 21));
  },
);

test('the type-host gate of a step on every member: the whole name to type is on screen, the panel too; typing it goes on', async () => {
  const s = new ManualSession();
  const v = show(s);
  s.at('move-data-aside');
  const expect = M.join(',');
  const step = PLAN.find((p) => p.id === 'move-data-aside')!;
  s.set({
    panel: panel(3, 'after step 4/24'),
    status: 'waiting-gate',
    gate: { step: 'move-data-aside', kind: 'type-host', what: step.gate!.what, protectedBy: step.gate!.protectedBy!, hosts: M, expect },
  });
  await settle(() => v.lastFrame());
  const f = v.frame();
  assert.equal(fits(f, 80, 21), undefined, fits(f, 80, 21));
  assert.match(f, /⚠ DESTRUCTIVE GATE {2}step 5\/28/);
  assert.match(f, /What will change: the etcd data in \/var\/lib\/etcd on every member is moved to/);
  assert.match(f, /Protected by: nothing is deleted/);
  assert.match(
    f,
    /To go on, type the host name exactly:[ ║]*\n║ master-0\.lab\.example\.com,master-1\.lab\.example\.com,master-2\.lab\.example\.com/,
  );
  assert.match(f, /◆ ETCD CLUSTER 3 members/);
  await v.press(expect, '\r');
  assert.deepEqual(s.gateAnswers, [true]);
});

test('a gate that names another host than the one the step runs on (etcd-remove-member): On: the survivor, type: the member', async () => {
  const s = new ManualSession();
  const v = show(s);
  s.at('move-data-aside');
  s.set({
    status: 'waiting-gate',
    gate: {
      step: 'move-data-aside',
      kind: 'type-host',
      what: 'etcd member 3c29 (master-2.lab.example.com) is removed from the cluster.',
      hosts: [M[0]!],
      expect: M[2]!,
    },
  });
  await settle(() => v.lastFrame());
  const f = v.frame();
  assert.match(f, /On: master-0\.lab\.example\.com/);
  assert.match(f, /type the host name exactly: master-2\.lab\.example\.com/);
  await v.press(M[0]!, '\r');
  assert.deepEqual(s.gateAnswers, [], 'the host the step runs on is not the answer');
  await v.press('\x15', M[2]!, '\r');
  assert.deepEqual(s.gateAnswers, [true]);
});

test(
  'after a failure: where the cluster stands and the next safe action above the log, the ' + 'panel still there; NO_COLOR, 80×21',
  async () => {
    const s = new ManualSession();
    const v = show(s, { noColor: true });
    s.at('join-2');
    s.set({
      status: 'failed',
      panel: panel(1, 'after the failure of step 21/24'),
      steps: s.snap.steps.map((x) => (x.id === 'join-2' ? { ...x, status: 'failed' } : x)),
      whereItStands: {
        state: [
          'The data of master-0.lab.example.com, master-1.lab.example.com and ' +
            'master-2.lab.example.com was moved to /var/lib/etcd.old-20240105030405 (nothing deleted).',
          "master-0.lab.example.com runs etcd in cluster mode with the backup's data (the drop-in is removed).",
          'master-2.lab.example.com was added to the member list but has not joined (its start did ' +
            'not finish): the run starts it; do not run `member add` for it again.',
          'Rejoined: master-1.lab.example.com.',
        ],
        next: '`day2-tui resume 20240105-030405-etcd-restore-ab12` goes on from "On member 3: …" (it checks that step first).',
        cautions: [
          'The backup /backup/etcd-20240105 on master-0.lab.example.com is untouched.',
          'Do not delete /var/lib/etcd.old-20240105030405 on any member until the cluster is healthy ' +
            'with all 3 members and its data is checked.',
        ],
      },
    });
    s.lines({ step: 'join-2', host: M[2]!, stream: 'stderr', text: 'master-2 did not become healthy within 90 s' });
    await settle(() => v.lastFrame());
    const raw = v.lastFrame() ?? '';
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(raw, /\x1b\[(3\d|9\d)m/, 'no colour under NO_COLOR');
    const f = v.frame();
    assert.equal(fits(f, 80, 21), undefined, fits(f, 80, 21));
    assert.match(f, /✗ FAILED at step 18\/28/);
    assert.match(f, /^ WHERE THE CLUSTER STANDS NOW/m);
    assert.match(
      f,
      /^• The data of master-0, master-1 and master-2 was moved to\s+\/var\/lib\/etcd\.old-20240105030405/m,
      'host names shortened',
    );
    // the log keeps its rule and 6 lines after the end (it had 2): the box says what it left out
    assert.match(f, /^\(\+3 more: a taller terminal shows them; `day2-tui run` prints them too\)$/m);
    const rows = f.split('\n');
    assert.equal(rows.length - 1 - rows.findIndex((l) => l.startsWith('─ LOG')), 6, 'six rows of log under its rule');
    assert.match(f, /^Next: `day2-tui resume 20240105-030405-etcd-restore-ab12` goes on from/m, 'the next safe action is always shown');
    assert.match(f, /◆ ETCD CLUSTER 1 member/);
    assert.match(f, /─ LOG/);
  },
);

test('wide terminal (120×40): steps on the left; panel, command, log and journal on the right; nothing overflows', async () => {
  const s = new ManualSession();
  const v = show(s, { width: 120, height: 40 });
  s.at('join-1');
  s.set({
    panel: panel(3),
    command: { host: M[1]!, text: 'systemctl start etcd.service' },
    follow: [{ step: 'join-1', host: M[1]!, command: 'journalctl -f -n 0 -u etcd.service --no-pager' }],
  });
  s.lines({
    step: 'join-1',
    host: M[1]!,
    stream: 'journal',
    text: 'Jan 05 03:06:01 master-1 etcd[77]: etcdserver: published {Name:master-1.lab.example.com} to cluster',
  });
  await settle(() => v.lastFrame());
  const f = v.frame();
  assert.equal(fits(f, 120, 40), undefined, fits(f, 120, 40));
  assert.match(f, /◆ ETCD CLUSTER 3 members/);
  assert.match(
    f,
    /^ {2}\d+\. .*│? {2}master-0 {2}✓ healthy {2}★ leader {2}peer https:\/\/127\.0\.10\.1:2380 {2}id 8e9e/m,
    'the panel beside the steps',
  );
  assert.match(f, /─ LOG 0 lines/);
  assert.match(f, /┆ 03:06:01 etcd\[77\]: etcdserver: published/);
  // the step list shows more of the procedure beside the panel
  assert.ok((f.match(/^ *▶?\s*\d+\. /gm) ?? []).length >= 20, f);
});
