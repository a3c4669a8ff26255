import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { startProcedureRun } from '../src/engine/run.js';
import { tempStateDir, toyInventory, toyProcedure } from '../src/engine/test-helpers.js';
import { FakeRunner } from '../src/testing/fake-runner.js';
import { sh } from '../src/transport/shell.js';
import { RunView } from './RunView.js';
import { stripAnsi, until, untilFrame } from './testing/fixtures.js';
import { fits, openToy, renderRunApp } from './testing/run-app.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
});
const ESC = '\x1b';

async function started(o?: Parameters<typeof renderRunApp>[0]) {
  const a = renderRunApp(o);
  disposers.push(a.dispose);
  await openToy(a);
  await a.press('p', 'r', 'y');
  const s = a.sessions[0]!;
  assert.ok(s, 'a run started');
  return { ...a, s };
}

const H0 = 'master-0.example.com';
const H1 = 'master-1.example.com';

test('streams each line as it arrives, with the host when several, and follows the tail', async () => {
  const { frame, s } = await started();
  s.startStep('copy-config');
  s.command(H0, 'cp -a /etc/etcd /backup/x');
  for (let i = 0; i < 40; i++) s.line(i % 2 ? H1 : H0, `copied file-${i}`);
  const f = await untilFrame(frame, /copied file-39/);
  assert.match(f, /▶ running on master-0\.example\.com: cp -a \/etc\/etcd \/backup\/x/);
  assert.match(f, /1\. \S+ running Save the etcd configuration/);
  assert.match(f, /master-1 │ copied file-39/);
  assert.match(f, /● following/);
  assert.equal(fits(f), undefined, fits(f));
});

test('scrolling up stops following (new lines do not move the view); G follows again', async () => {
  const { frame, press, s } = await started();
  s.startStep('copy-config');
  for (let i = 0; i < 40; i++) s.line(H0, `line-${i}`);
  await untilFrame(frame, /line-39/);
  await press('k', 'k', 'k');
  let f = frame();
  assert.match(f, /‖ paused — \d+ newer lines below — G to follow/);
  assert.doesNotMatch(f, /line-39/);
  const before = f
    .split('\n')
    .filter((l) => l.includes('line-'))
    .join('\n');
  for (let i = 40; i < 45; i++) s.line(H0, `line-${i}`);
  f = await untilFrame(frame, /8 newer lines below/);
  assert.equal(
    f
      .split('\n')
      .filter((l) => l.includes('line-'))
      .join('\n'),
    before,
  );
  assert.match(f, /8 newer lines below — G to follow/);
  await press('G');
  assert.match(frame(), /line-44/);
  assert.match(frame(), /● following/);
});

test('/ searches the log: the match in inverse, its line marked ›, n/N move between matches', async () => {
  const { frame, press, s } = await started();
  s.startStep('copy-config');
  for (let i = 0; i < 60; i++) s.line(H0, i % 10 === 0 ? `ERROR number ${i}` : `fine ${i}`);
  await untilFrame(frame, /fine 59/);
  await press('/', 'error');
  assert.match(frame(), /\/error/);
  await press('\r');
  let f = frame();
  assert.match(f, /match 6\/6/);
  assert.match(f, /›master-0 │ ERROR number 50/);
  await press('N');
  f = frame();
  assert.match(f, /match 5\/6/);
  assert.match(f, /›master-0 │ ERROR number 40/);
  await press('n', 'n');
  assert.match(frame(), /match 1\/6/);
  await press(ESC);
  assert.doesNotMatch(frame(), /match \d/);
});

test('confirm gate: what changes, where, y goes on', async () => {
  const { frame, press, s } = await started();
  s.startStep('snapshot');
  s.gate({
    step: 'snapshot',
    kind: 'confirm',
    what: 'Writes a snapshot to /backup/x.',
    hosts: [H0],
    protectedBy: 'nothing is changed on the data',
  });
  const f = await untilFrame(frame, /GATE {2}step 2\/4/);
  assert.match(f, /GATE {2}step 2\/4 Take an etcd snapshot/);
  assert.match(f, /What will change: Writes a snapshot to \/backup\/x\./);
  assert.match(f, /On: master-0\.example\.com/);
  assert.match(f, /Protected by: nothing is changed/);
  assert.match(f, /⏸ about to run on master-0\.example\.com: ETCDCTL_API=3 etcdctl snapshot save/);
  assert.equal(fits(f), undefined, fits(f));
  await press('y');
  assert.deepEqual(s.gateAnswers, [true]);
  assert.doesNotMatch(frame(), /What will change/);
});

test('type-host gate: only the exact name goes on; a wrong one stays; Esc declines and the screen says the run stopped there', async () => {
  const { frame, press, s } = await started();
  s.startStep('wipe');
  s.gate({
    step: 'wipe',
    kind: 'type-host',
    what: 'Moves /var/lib/etcd aside.',
    hosts: [H0],
    protectedBy: '/backup/x/snapshot.db on master-0',
    expect: H0,
  });
  let f = await untilFrame(frame, /DESTRUCTIVE GATE/);
  assert.match(f, /⚠ DESTRUCTIVE GATE/);
  assert.match(f, /type the host name exactly: master-0\.example\.com/);
  await press('master-0', '\r');
  f = frame();
  assert.deepEqual(s.gateAnswers, []);
  assert.match(f, /✗ "master-0" is not master-0\.example\.com: type it exactly/);
  await press('y', 'q');
  assert.deepEqual(s.gateAnswers, [], 'letters are typed, not keys');
  assert.equal(fits(frame()), undefined);
  await press(ESC);
  assert.deepEqual(s.gateAnswers, [false]);
  f = frame();
  assert.match(f, /STOPPED AT THE GATE of step 3\/4 \(declined\)/);
  assert.match(f, /Gate declined: this step and the ones after it did not run\. Esc: Home\./);
  assert.match(f, /3\. ■ stopped Move the old data directory aside/);
  await press(ESC);
  assert.match(frame(), /▶ HOSTS|PROCEDURES/, 'Esc from the finished run: Home');
  await press('k');
});

test('type-host gate: the exact name (typed in one burst with Enter, as over SSH) goes on', async () => {
  const { frame, press, s } = await started();
  s.startStep('wipe');
  s.gate({ step: 'wipe', kind: 'type-host', what: 'Moves /var/lib/etcd aside.', hosts: [H0], expect: H0 });
  await untilFrame(frame, /DESTRUCTIVE GATE/);
  await press(`${H0}\r`);
  assert.deepEqual(s.gateAnswers, [true]);
});

test('failure modal: step, command, exit code, output tail; no skip for a destructive step', async () => {
  const { frame, press, s } = await started();
  s.startStep('wipe');
  s.fail('wipe', 'mv /var/lib/etcd /var/lib/etcd.old', H0, 1, 'line a\nmv: cannot move: Device or resource busy\n');
  let f = await untilFrame(frame, /STEP FAILED/);
  assert.match(f, /✗ STEP FAILED {2}step 3\/4 Move the old data directory aside/);
  assert.match(f, /Command on master-0\.example\.com: mv \/var\/lib\/etcd/);
  assert.match(f, /Exit code: 1/);
  assert.match(f, /Device or resource busy/);
  assert.match(f, /Skip is not offered: this step is DESTRUCTIVE/);
  assert.doesNotMatch(f, / s {2}skip/);
  assert.equal(fits(f), undefined, fits(f));
  await press('s');
  assert.deepEqual(s.failureAnswers, []);
  await press('r');
  assert.deepEqual(s.failureAnswers, ['retry']);
  s.startStep('copy-config');
  s.fail('copy-config', 'cp', H0, 2, 'no space');
  f = await untilFrame(frame, / s {2}skip this step and go on/);
  assert.match(f, / s {2}skip this step and go on/);
  await press('s');
  assert.deepEqual(s.failureAnswers, ['retry', 'skip']);
});

test('a failed precondition is named by what it wanted, not "Exit code: 0"; its command wraps to at most 3 rows', async () => {
  const { frame, s } = await started();
  s.startStep('copy-config');
  const command =
    'command -v etcdctl > /dev/null 2>&1 || echo "missing: etcdctl"; test -r /etc/etcd/peer.crt || echo "missing: peer.crt"; ' +
    'timeout 5 bash -c "</dev/tcp/127.0.0.1/2379" || echo "missing: 2379/tcp"; ' +
    'x'.repeat(300);
  s.fail('copy-config', command, H0, 0, 'precondition failed: etcdctl is installed: missing: etcdctl', ['retry', 'abort'], {
    check: 'precondition',
    describe: 'etcdctl is installed, the peer certificates are readable and port 2379/tcp accepts connections',
  });
  const f = await untilFrame(frame, /STEP FAILED/);
  assert.doesNotMatch(f, /Exit code/);
  assert.match(f, /Precondition not met on master-0\.example\.com: etcdctl is installed/);
  assert.match(f, /Checked with: command -v etcdctl/);
  const rows = f.split('\n');
  const at = rows.findIndex((l) => /Checked with:/.test(l));
  assert.match(rows[at + 1]!, /║ {3}\S/, 'the command goes on, indented, on the next row');
  assert.match(rows[at + 2]!, /…/, 'cut at its third row, with …');
  assert.doesNotMatch(rows[at + 3]!, /x{10}/);
  assert.match(f, /missing: etcdctl/);
  assert.equal(fits(f), undefined, fits(f));
});

test('q during a run asks first; y quits and stops the run', async () => {
  const { frame, press, s, quits } = await started();
  s.startStep('copy-config');
  await untilFrame(frame, /running Save the etcd configuration/);
  await press('q');
  assert.equal(quits(), 0);
  assert.match(frame(), /etcd-backup is running \(step 1\/4\): quitting stops it\. Quit anyway\?/);
  await press('n');
  assert.equal(quits(), 0);
  assert.equal(s.cancelled, 0);
  await press('q', 'y');
  await until(() => quits() === 1, 'the quit');
  assert.equal(quits(), 1);
  assert.equal(s.cancelled, 1);
});

test('Esc while the run is active does not leave it; x asks before stopping', async () => {
  const { frame, press, s } = await started();
  s.startStep('copy-config');
  await untilFrame(frame, /running Save the etcd configuration/);
  await press(ESC);
  assert.match(frame(), /The run is active: x stops it/);
  assert.match(frame(), /RUN etcd-backup/);
  await press('x');
  assert.match(frame(), /Stop the run at the next safe point/);
  await press('y');
  assert.equal(s.cancelled, 1);
  await press('k');
});

test('the footer says the keys of each mode, as before (now from the one keymap); ? on a run lists the Run keys first', async () => {
  const { frame, press, s } = await started();
  const footer = () => frame().split('\n').at(-1) ?? '';
  // The footer follows a change one render later (the screen hands it to the App): wait for it.
  const footerMatches = async (re: RegExp) => {
    await untilFrame(frame, () => re.test(footer()), `the footer ${re}`);
    assert.match(footer(), re);
  };
  s.startStep('copy-config');
  for (let i = 0; i < 30; i++) s.line(H0, `line-${i}`);
  await untilFrame(frame, /line-29/);
  await footerMatches(/^jk scroll {2}G follow {2}\/ search {2}x stop {2}\? help {2}q quit/);
  await press('/');
  await footerMatches(/Enter find {2}Esc cancel/);
  await press('line-2', '\r');
  await footerMatches(/^jk scroll {2}G follow {2}\/ search {2}n N match {2}x stop {2}\? help {2}q quit/);
  await press(ESC, 'x');
  await footerMatches(/y stop the run {2}any other key go on/);
  await press('n');
  assert.match(frame(), /The run goes on\./);
  assert.equal(s.cancelled, 0);
  s.gate({ step: 'copy-config', kind: 'confirm', what: 'Copies.', hosts: [H0] });
  await footerMatches(/y go on {2}n Esc decline: stop here {2}q quit {2}\? help/);
  await press('y');
  s.fail('copy-config', 'cp', H0, 2, 'no space');
  await footerMatches(/r retry {2}s skip {2}a abort {2}q quit/);
  await press('r');
  assert.deepEqual(s.failureAnswers, ['retry']);
  s.startStep('wipe');
  s.gate({ step: 'wipe', kind: 'type-host', what: 'Moves /var/lib/etcd aside.', hosts: [H0], expect: H0 });
  await footerMatches(/type the host name {2}Enter confirm {2}Esc decline: stop here/);
  await press(ESC);
  await footerMatches(/^Esc Home {2}jk scroll {2}G follow {2}\/ search {2}\? help {2}q quit/);
  await press('?');
  const f = frame();
  assert.match(f, /HELP — Run/);
  const at = (x: string) => f.indexOf(x);
  assert.ok(at('KEYS HERE: RUN') >= 0 && at('KEYS HERE: RUN') < at('destructive gate: type the host name exactly'));
  assert.equal(fits(f), undefined);
  await press('?');
  assert.match(frame(), /RUN etcd-backup run-1/, 'back on the run');
});

test('a command shows with exactly one "$ " in the log (the engine keeps it bare, the view adds the prompt)', async () => {
  const run = startProcedureRun({
    procedure: toyProcedure('toy', [
      {
        id: 'health',
        title: 'Check cluster health',
        where: { on: 'bastion' },
        commands: () => [sh`ETCDCTL_API=2 etcdctl cluster-health`],
      },
    ]),
    params: {},
    inventory: toyInventory(),
    runner: FakeRunner.answering({ stdout: 'cluster is healthy\n' }),
    operator: 'session',
    stateDir: tempStateDir(),
  });
  const r = render(<RunView session={run} width={80} height={24} active onHome={() => {}} onGlobal={() => {}} />);
  await run.result();
  const f = await untilFrame(() => stripAnsi(r.lastFrame()), /cluster is healthy/);
  assert.match(f, /(^|[^$])\$ ETCDCTL_API=2 etcdctl cluster-health/m);
  assert.doesNotMatch(f, /\$ \$/);
  assert.ok(run.getSnapshot().log.some((l) => l.stream === 'command' && l.text === 'ETCDCTL_API=2 etcdctl cluster-health'));
  r.unmount();
});

test('w writes the run’s record for the ticket and says where (while it runs, and in the footer once it ended)', async () => {
  const written: string[] = [];
  const runReport = {
    read: () => '',
    write: (id: string) => {
      written.push(id);
      return `/state/reports/${id}.md`;
    },
  };
  const { frame, press, s } = await started({ runReport });
  s.startStep('copy-config');
  await press('w');
  assert.deepEqual(written, ['run-1']);
  await untilFrame(frame, /Record written: \/state\/reports\/run-1\.md/);
  s.finish('ok');
  const f = await untilFrame(frame, /w record/);
  assert.equal(fits(f), undefined, fits(f));
});

test('y copies the command under the cursor to the clipboard (OSC 52); t shows and hides the time of each line', async () => {
  const copied: string[] = [];
  const { frame, press, s } = await started({ copy: (t) => copied.push(t) });
  s.startStep('copy-config');
  s.command(H0, 'cp -a /etc/etcd /backup/x');
  s.line(H0, 'copied file-1');
  await untilFrame(frame, /copied file-1/);
  await press('y');
  assert.deepEqual(copied, ['cp -a /etc/etcd /backup/x']);
  await untilFrame(frame, /Copied \(OSC 52; your terminal must allow it\): cp -a/);
  await press('t');
  const f = await untilFrame(frame, /\d\d:\d\d:\d\d master-0 │ copied file-1/);
  assert.equal(fits(f), undefined, fits(f));
  await press('t');
  await untilFrame(frame, /Timestamps hidden/);
  assert.doesNotMatch(frame(), /\d\d:\d\d:\d\d master-0 │ copied file-1/);
});
