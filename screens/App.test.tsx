import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { ConnectivityMonitor } from '../src/model/connectivity.js';
import { App } from './App.js';
import { FakeRunner, settle, stripAnsi, testCatalogue, testInventory, until, untilFrame, waitFor } from './testing/fixtures.js';

const monitors: ConnectivityMonitor[] = [];
afterEach(() => {
  cleanup();
  for (const m of monitors.splice(0)) m.dispose();
});

const ESC = '\x1b';
const UP = '\x1b[A';
const DOWN = '\x1b[B';

function renderApp(quitBlocker?: () => string | undefined) {
  const inventory = testInventory();
  const runner = new FakeRunner().answerProbes(() => ({ state: 'ok' }));
  const monitor = new ConnectivityMonitor(inventory, runner);
  monitors.push(monitor);
  let quits = 0;
  const codes: number[] = [];
  const r = render(
    <App
      inventory={inventory}
      catalogue={testCatalogue()}
      monitor={monitor}
      version='0.1.0'
      columns={80}
      rows={24}
      quitBlocker={quitBlocker}
      onQuit={(code) => {
        quits++;
        codes.push(code);
      }}
    />,
  );
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  return { ...r, runner, frame, press, quits: () => quits, codes, ready: () => waitFor(() => frame().includes('HOSTS'), 'first frame') };
}

const selectedLines = (f: string) => f.split('\n').filter((l) => l.includes('›'));

test('j/k and arrows move the selection in the focused pane', async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  assert.match(selectedLines(frame()).join('\n'), /› master-0/);
  await press('j', 'j');
  assert.match(selectedLines(frame()).join('\n'), /› infra-0/);
  await press('k');
  assert.match(selectedLines(frame()).join('\n'), /› master-1/);
  await press(DOWN, DOWN, DOWN, DOWN, DOWN);
  assert.match(selectedLines(frame()).join('\n'), /› lb-0/, 'stops at the last host');
  await press(UP);
  assert.match(selectedLines(frame()).join('\n'), /› node-0/);
});

test('Tab switches the focused pane (▶ and a double border); Enter opens; Esc comes back', async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  assert.match(frame(), /▶ HOSTS/);
  assert.match(frame(), /╔/);
  await press('\t');
  assert.match(frame(), /▶ PROCEDURES/);
  assert.doesNotMatch(frame(), /▶ HOSTS/);
  await press('j', 'j', 'j', '\r');
  const f = frame();
  assert.match(f, /PROCEDURE etcd-backup/);
  assert.match(f, /Back up etcd/);
  assert.match(f, /Section: {2}4\.6/);
  assert.match(f, /Risk: {5}MEDIUM/);
  assert.match(f, /NOT BUILT YET/);
  assert.match(f, /Saves the etcd configuration/);
  assert.match(f, /host \(optional\): Member to back up — one of the inventory's etcd hosts/);
  assert.match(f, /backup-dir \(optional, default \/backup\/etcd-DATE\)/);
  assert.match(f, /Esc back/);
  await press(ESC);
  assert.match(frame(), /▶ PROCEDURES/);
  assert.match(selectedLines(frame()).join('\n'), /› §4\.6 etcd-backup/);
});

test('? shows the help, Esc (or ? again) goes back', async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press('?');
  assert.match(frame(), /▶ HELP/);
  await press(ESC);
  assert.match(frame(), /▶ HOSTS/);
  await press('?', '?');
  assert.match(frame(), /▶ HOSTS/);
});

test('Esc and q in one read (as tmux or a slow link sends them) go back from the help, then quit', async () => {
  const { frame, press, quits } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press('?');
  assert.match(frame(), /▶ HELP/);
  await press(`${ESC}q`);
  await waitFor(() => quits() === 1, 'the quit');
});

test("? on Home lists the Home keys first (with Home's footer words), then those of every screen", async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  assert.match(frame(), /Tab pane {2}h health {2}n nodes {2}u runs {2}\/ filter {2}: jump {2}r probe {2}\? help {2}q quit/);
  await press('?');
  const f = frame();
  assert.match(f, /HELP — Home/);
  assert.match(f, /KEYS HERE: HOME/);
  const at = (s: string) => f.indexOf(s);
  assert.ok(at('KEYS HERE: HOME') < at('Tab              switch between the hosts and procedures panes'));
  assert.ok(at('h                the Health matrix') < at('n                the Nodes screen'));
  assert.ok(at('n                the Nodes screen') < at('u                the Runs screen'));
  await press(ESC);
  assert.match(frame(), /▶ HOSTS/);
});

test("a host's detail: the footer as before; ? lists its keys first; the page scrolls with the common movement keys", async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press('\r');
  assert.match(frame(), /Esc back {2}r re-probe {2}jk scroll {2}: jump {2}\? help {2}q quit/);
  await press('?');
  const f = frame();
  assert.match(f, /HELP — A host's detail/);
  assert.ok(f.indexOf("KEYS HERE: A HOST'S DETAIL") >= 0 && f.indexOf('KEYS HERE') < f.indexOf('re-probe the host'));
  assert.match(f, /Esc back {2}jk scroll {2}q quit/, "the help's own footer");
  await press(ESC, ESC);
  assert.match(frame(), /▶ HOSTS/);
});

test('Home: g / G and PgDn move the selection to the ends of the focused list', async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press('G');
  assert.match(selectedLines(frame()).join('\n'), /› lb-0/);
  await press('g');
  assert.match(selectedLines(frame()).join('\n'), /› master-0/);
  await press('\x1b[6~');
  assert.match(selectedLines(frame()).join('\n'), /› lb-0/, 'a page down, at most to the last');
});

test('/ filters the focused list as typed; Enter keeps it; Esc clears it', async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press('/');
  assert.match(frame(), /\/ filter hosts: █/);
  await press('inf');
  let f = frame();
  assert.match(f, /\/ filter hosts: inf█/);
  assert.match(f, /HOSTS \*\.example\.com \/inf/);
  assert.match(f, /infra-0/);
  assert.doesNotMatch(f, /master-0/);
  await press('\r');
  assert.match(frame(), /Tab pane/, 'back to the normal footer');
  assert.match(frame(), /\/inf/, 'filter kept');
  await press(ESC);
  f = frame();
  assert.match(f, /master-0/);
  assert.match(f, /Filter cleared/);
});

test(': jumps to a procedure by id and shows its detail', async () => {
  const { frame, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press(':', 'etcd-r');
  assert.match(frame(), /: procedure id: etcd-r█/);
  assert.match(frame(), /Enter opens etcd-restore — Restore etcd/);
  await press('\r');
  assert.match(frame(), /PROCEDURE etcd-restore/);
  assert.match(frame(), /DESTRUCTIVE/);
  await press(ESC);
  assert.match(frame(), /▶ PROCEDURES/);
  assert.match(selectedLines(frame()).join('\n'), /› §5\.4\.2\.1 etcd-restore/);
  await press(':', 'etcd', '\r');
  assert.match(frame(), /"etcd" matches 3: etcd-health, etcd-backup, etcd-restore/);
  await press(ESC, ':', 'nothing', '\r');
  assert.match(frame(), /No procedure "nothing"/);
});

test('q quits at once, or asks first while something (a run) is active', async () => {
  const a = renderApp();
  await untilFrame(a.frame, /▶ HOSTS/);
  await a.press('q');
  await waitFor(() => a.quits() === 1, 'quit');
  assert.deepEqual(a.codes, [0], 'q quits with 0');
  a.unmount();

  let active: string | undefined = 'Run etcd-backup is still running';
  const b = renderApp(() => active);
  await untilFrame(b.frame, /▶ HOSTS/);
  await b.press('q');
  assert.equal(b.quits(), 0);
  assert.match(b.frame(), /Run etcd-backup is still running\. Quit anyway\?/);
  await b.press('n');
  assert.equal(b.quits(), 0);
  assert.match(b.frame(), /Not quitting/);
  await b.press('q', 'y');
  await waitFor(() => b.quits() === 1, 'quit after y');
  active = undefined;
});

test('Ctrl-C goes through the same quit path', async () => {
  const a = renderApp();
  await untilFrame(a.frame, /▶ HOSTS/);
  await a.press('\x03');
  await waitFor(() => a.quits() === 1, 'quit on Ctrl-C');
  assert.deepEqual(a.codes, [130], 'Ctrl-C quits with 130');
});

test('typing in a prompt never triggers a key (q, ?, j)', async () => {
  const { frame, press, quits } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await press('/', 'q?j');
  assert.equal(quits(), 0);
  assert.match(frame(), /\/ filter hosts: q\?j█/);
  assert.match(frame(), /no host matches the filter/);
});

test('r re-probes the selected host, R every host', async () => {
  const { frame, press, runner } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  await until(() => runner.probes.length >= 5, 'the first probes');
  assert.equal(runner.probes.length, 5);
  await press('r');
  assert.deepEqual(runner.probes.slice(5), ['master-0.example.com']);
  assert.match(frame(), /Re-probing master-0\.example\.com/);
  await press('R');
  assert.equal(runner.probes.length, 11);
});

test('keys not read (not the foreground process): the notice, how to stop it, and under it the key list (dim)', async () => {
  const inventory = testInventory();
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  monitors.push(monitor);
  const r = render(
    <App
      inventory={inventory}
      catalogue={testCatalogue()}
      monitor={monitor}
      version='0.1.0'
      columns={80}
      rows={24}
      notice="Keys are not read: day2-tui is not the terminal's foreground process."
      keysNotRead='Started with & or timeout? Stop it: kill 4242; start it in the foreground.'
    />,
  );
  await waitFor(() => stripAnsi(r.lastFrame()).includes('HOSTS'), 'first frame');
  const lines = stripAnsi(r.lastFrame()).split('\n');
  assert.equal(lines.at(-3), "⚠ Keys are not read: day2-tui is not the terminal's foreground process.");
  assert.equal(lines.at(-2)?.trimEnd(), 'Started with & or timeout? Stop it: kill 4242; start it in the foreground.');
  assert.match(lines.at(-1) ?? '', /^Tab pane {2}h health .*\? help {2}q quit/, 'under it, what the console can do (dim)');
  assert.ok(lines.length <= 23, `${lines.length} lines`);
  // brought to the foreground: the console renders again without keysNotRead
  r.rerender(
    <App
      inventory={inventory}
      catalogue={testCatalogue()}
      monitor={monitor}
      version='0.1.0'
      columns={80}
      rows={24}
      notice="Keys are not read: day2-tui is not the terminal's foreground process."
    />,
  );
  await waitFor(() => /In the foreground now: keys are read\./.test(stripAnsi(r.lastFrame())), 'the note that keys are read');
  const after = stripAnsi(r.lastFrame()).split('\n');
  assert.match(after.at(-1) ?? '', /\? help +q quit/);
  assert.ok(!after.some((l) => /Keys are not read/.test(l)));
});
