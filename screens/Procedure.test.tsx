import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { fits, openToy, renderRunApp } from './testing/run-app.js';

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
const ESC = '\x1b';
const BACKSPACE = '\x7f';

test("Enter on a built procedure opens its form: a select list of the role's hosts, text with its default, a masked secret", async () => {
  const { frame, press } = app();
  await openToy({ frame, press });
  const f = frame();
  assert.match(f, /PROCEDURE etcd-backup — Back up etcd/);
  assert.match(f, /› host \(required\) — Member to restore on/);
  assert.match(f, /● master-0\.example\.com/);
  assert.match(f, /○ master-1\.example\.com/);
  assert.match(f, /\[ default \/backup\/etcd-20240501 \]/);
  assert.match(f, /token \(optional, secret, masked\)/);
  assert.equal(fits(f), undefined);
  await press('j', '\t', '\t', 'abc');
  assert.match(frame(), /\[ ••• /, 'secret masked');
  assert.doesNotMatch(frame(), /abc/);
  await press(ESC);
  assert.match(frame(), /▶ PROCEDURES/);
  // A last key after Esc: a lone Esc at unmount leaks into the next test's input (Ink's escape parsing).
  await press('k');
});

test('a choice list in the form takes its keys from the App: "jj" or "j⏎" in one read (SSH) count, the ends stop', async () => {
  const { frame, press, sessions } = app();
  await openToy({ frame, press });
  await press('jj');
  assert.match(frame(), /● master-1\.example\.com/);
  await press('kkk');
  assert.match(frame(), /● master-0\.example\.com/, 'stops at the first (does not go round to the last)');
  await press('j\r');
  assert.match(frame(), /› backup-dir/);
  assert.match(frame(), /^ {4}master-1\.example\.com/m, 'the move made before Enter is kept');
  await press('\t', '\r', 'r', 'y');
  assert.equal(sessions[0]?.getSnapshot().params['host'], 'master-1.example.com');
});

test('not-built procedures keep their detail page', async () => {
  const { frame, press } = app();
  await press(':', 'etcd-restore', '\r');
  assert.match(frame(), /PROCEDURE etcd-restore/);
  assert.match(frame(), /NOT BUILT YET/);
});

test('validation: errors inline, naming the field and what to do; the plan waits until they are fixed', async () => {
  const { frame, press } = app();
  await openToy({ frame, press });
  await press('\t');
  for (let i = 0; i < 25; i++) await press(BACKSPACE);
  await press('relative', '\r', '\r');
  const f = frame();
  assert.match(f, /✗ backup-dir: "relative" is not an absolute path: start it with \//);
  assert.match(f, /Fix the field marked ✗/);
  assert.doesNotMatch(f, /PLAN/);
  assert.match(f, /› backup-dir/, 'focus on the field in error');
  await press('x');
  assert.match(frame(), /✗ backup-dir: "relativex" is not an absolute path/, 'errors follow each change');
  for (let i = 0; i < 9; i++) await press(BACKSPACE);
  await press('/srv/b');
  assert.doesNotMatch(frame(), /✗/);
});

test('plan view: steps, destructive marker and gate kind, exact commands per host; Esc back to the form; r asks first', async () => {
  const { frame, press, sessions } = app();
  await openToy({ frame, press });
  await press('p');
  let f = frame();
  assert.match(f, /PLAN etcd-backup — 4 steps, 1 DESTRUCTIVE, 2 gates/);
  assert.match(f, /master-0\$ mkdir -p \/backup\/etcd-20240501 && cp -a \/etc\/etcd/);
  assert.match(f, /master-1\$ mkdir -p/);
  assert.match(f, /gate: you confirm y\/N/);
  assert.equal(fits(f), undefined);
  await press('G');
  f = frame();
  assert.match(f, /3\. ⚠ DESTRUCTIVE Move the old data directory aside/);
  assert.match(f, /gate: you type the host name/);
  assert.match(f, /master-0\$ mv \/var\/lib\/etcd/);
  await press(ESC);
  assert.match(frame(), /PARAMETERS/);
  await press('p', 'r');
  assert.match(frame(), /Run it now on 2 hosts\? \(1 DESTRUCTIVE: its gate asks again\) y\/N/);
  await press('n');
  assert.equal(sessions.length, 0);
  assert.match(frame(), /Not started/);
  await press('r', 'y');
  assert.equal(sessions.length, 1);
  assert.match(frame(), /RUN etcd-backup run-1/);
});

test(
  'the footer says the keys of each phase, as before (now from the one keymap); ? on the ' + 'form lists the Procedure keys first',
  async () => {
    const { frame, press } = app();
    const footer = () => frame().split('\n').at(-1) ?? '';
    // The footer follows a change one render later (the screen hands it to the App): wait for it.
    const footerMatches = async (re: RegExp) => {
      await waitFor(() => re.test(footer()), String(re)).catch(() => undefined);
      assert.match(footer(), re);
    };
    await openToy({ frame, press });
    await footerMatches(/^↑↓ choose {2}Tab next field {2}Enter next \/ plan {2}p plan {2}Esc back {2}\? help/);
    await press('?');
    let f = frame();
    assert.match(f, /HELP — Procedure/);
    assert.ok(f.indexOf('KEYS HERE: PROCEDURE') >= 0 && f.indexOf('KEYS HERE: PROCEDURE') < f.indexOf('form: the next field'));
    assert.equal(fits(f), undefined);
    await press('?', '\t');
    await footerMatches(/^Tab ↓ next field {2}↑ previous {2}Enter next \/ plan {2}Esc back/);
    await press('\x1b[A', 'p');
    await footerMatches(/^r Enter run… {2}jk PgDn scroll {2}Esc form {2}\? help {2}q quit/);
    await press('\r');
    await footerMatches(/^y run it now {2}n Esc not now/);
    await press(ESC);
    assert.match(frame(), /Not started/);
    await press(ESC, ESC, ':', 'etcd-restore', '\r', '?');
    f = frame();
    assert.match(f, /▶ HELP/);
    assert.doesNotMatch(f, /KEYS HERE/, 'a procedure not built yet: its detail has no keys of its own');
    await press(ESC);
  },
);

// ---- values found on the host (ParameterSpec.discover): the screen asks through `discover`, never a host ----

import { render } from 'ink-testing-library';
import type { Procedure } from '../src/engine/types.js';
import { etcdBackupDiscovery } from '../src/model/backups.js';
import type { DiscoveryResult } from '../src/model/discovery.js';
import { ProcedureScreen } from './Procedure.js';
import { settle, stripAnsi, testInventory, waitFor } from './testing/fixtures.js';

function restoreLike(title = 'Restore etcd'): Procedure {
  return {
    entry: {
      id: 'etcd-restore',
      kind: 'procedure',
      title,
      chapter: 5,
      chapterTitle: 'Host tasks',
      section: '5.4.2.1',
      guideLine: 1100,
      risk: 'destructive',
      built: true,
      summary: 'Restores a backup on one member.',
      parameters: [],
    },
    parameters: [
      { name: 'host', description: 'Member to restore on', required: true, choices: { fromRole: 'etcd' } },
      { name: 'backup', description: 'Backup directory on that member', required: true, discover: etcdBackupDiscovery },
    ],
    steps: [],
  };
}

const FOUND = (host: string): DiscoveryResult => ({
  host,
  describe: etcdBackupDiscovery.describe,
  choices: [
    { value: '/backup/etcd-20240502', label: '/backup/etcd-20240502  2024-05-02 10:00  2.9 MiB  v3 snapshot + v2 backup' },
    { value: '/backup/etcd-20240501', label: '/backup/etcd-20240501  2024-05-01 10:00  2.4 MiB  v3 snapshot + v2 backup' },
  ],
});

function screen(discover?: (p: Procedure, param: string, params: Record<string, string>) => Promise<DiscoveryResult>) {
  const asked: string[] = [];
  const planned: Record<string, string>[] = [];
  const r = render(
    <ProcedureScreen
      procedure={restoreLike()}
      inventory={testInventory()}
      planProcedure={(_p, params) => {
        planned.push({ ...params });
        return [];
      }}
      discover={
        discover &&
        ((p, param, params) => {
          asked.push(`${param}@${params['host']}`);
          return discover(p, param, params);
        })
      }
      onBack={() => {}}
      onGlobal={() => {}}
      width={80}
      height={22}
      active
    />,
  );
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  return { ...r, frame, press, asked, planned };
}

const DOWN = '\x1b[B';
const UP = '\x1b[A';

test('found backups: listed newest first with date and size on the chosen host; ↑↓ pick one; it is what gets planned', async () => {
  const s = screen(async (_p, _param, params) => FOUND(params['host']!));
  await waitFor(() => s.asked.length === 1, 'the discovery was asked');
  assert.deepEqual(s.asked, ['backup@master-0.example.com'], 'asked at once for the host chosen first');
  await s.press('\t');
  await waitFor(() => /2 found on master-0/.test(s.frame()), 'the found list');
  let f = s.frame();
  assert.match(f, /› backup \(required\) — Backup directory on that member/);
  assert.match(f, /○ \/backup\/etcd-20240502 {2}2024-05-02 10:00 {2}2\.9 MiB {2}v3 snapshot \+ v2 backup/);
  assert.match(f, /○ \/backup\/etcd-20240501 {2}2024-05-01 10:00/);
  assert.ok(f.indexOf('etcd-20240502') < f.indexOf('etcd-20240501'), 'newest first');
  assert.match(f, /2 found on master-0\.example\.com, newest first: ↑↓ pick one, or type a path/);
  assert.equal(fits(f, 80, 23), undefined);
  await s.press(DOWN);
  f = s.frame();
  assert.match(f, /● \/backup\/etcd-20240502/);
  assert.match(f, /\[ \/backup\/etcd-20240502/, 'the picked path is the field’s value');
  await s.press(DOWN);
  assert.match(s.frame(), /● \/backup\/etcd-20240501/);
  await s.press(UP);
  assert.match(s.frame(), /● \/backup\/etcd-20240502/);
  await s.press('\r');
  assert.deepEqual(s.planned, [{ host: 'master-0.example.com', backup: '/backup/etcd-20240502' }]);
});

test('typing a path still works beside the found ones; another host is asked again; a host asked before is not', async () => {
  const s = screen(async (_p, _param, params) => FOUND(params['host']!));
  await waitFor(() => s.asked.length === 1, 'the first discovery');
  await s.press(DOWN); // the host field: master-1
  await waitFor(() => s.asked.length === 2, 'asked for the new host');
  assert.deepEqual(s.asked, ['backup@master-0.example.com', 'backup@master-1.example.com']);
  await s.press(UP);
  assert.equal(s.asked.length, 2, 'master-0 answered before: not asked again');
  await s.press('\t');
  await waitFor(() => /2 found on master-0/.test(s.frame()), 'the found list');
  await s.press('/srv/mine');
  assert.match(s.frame(), /\[ \/srv\/mine/);
  assert.doesNotMatch(s.frame(), /●/, 'a typed path is none of the found ones');
  await s.press('\r');
  assert.deepEqual(s.planned, [{ host: 'master-0.example.com', backup: '/srv/mine' }]);
});

test('looking, nothing found, and a failed look-up say so under the field (type a path); no discover: a plain text field', async () => {
  let answer: (r: DiscoveryResult) => void = () => {};
  const slow = screen(() => new Promise<DiscoveryResult>((r) => (answer = r)));
  await waitFor(() => slow.asked.length === 1, 'asked');
  await slow.press('\t');
  assert.match(slow.frame(), /looking on master-0\.example\.com for etcd backups \(db \+ member\/snap\/db/);
  answer({ ...FOUND('master-0.example.com'), choices: [] });
  await waitFor(() => /none found on master-0/.test(slow.frame()), 'none found');
  assert.match(slow.frame(), /none found on master-0\.example\.com: type a path \(looked for etcd backups/);
  cleanup();

  const failing = screen(async () => {
    throw new Error('could not look for etcd backups on master-0.example.com: host key changed');
  });
  await failing.press('\t');
  await waitFor(() => /host key changed/.test(failing.frame()), 'the failure');
  assert.match(failing.frame(), /! could not look for etcd backups on master-0\.example\.com: host key changed\s+— type a path/);
  assert.equal(fits(failing.frame(), 80, 23), undefined);
  await failing.press(DOWN);
  assert.doesNotMatch(failing.frame(), /●/);
  cleanup();

  const plain = screen(undefined);
  await plain.press('\t');
  assert.match(plain.frame(), /› backup \(required\)/);
  assert.doesNotMatch(plain.frame(), /found|looking/);
});

test('the App hands its discover to the procedure form (the console builds it from its runner)', async () => {
  const { App } = await import('./App.js');
  const { ConnectivityMonitor } = await import('../src/model/connectivity.js');
  const { FakeRunner, testCatalogue } = await import('./testing/fixtures.js');
  const inventory = testInventory();
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  disposers.push(() => monitor.dispose());
  const asked: string[] = [];
  const catalogue = testCatalogue().map((e) => (e.id === 'etcd-restore' ? { ...restoreLike().entry } : e));
  const r = render(
    <App
      inventory={inventory}
      catalogue={catalogue}
      monitor={monitor}
      version='0.1.0'
      columns={80}
      rows={24}
      procedures={[restoreLike()]}
      planProcedure={() => []}
      discover={async (_p, param, params) => {
        asked.push(`${param}@${params['host']}`);
        return FOUND(params['host']!);
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
  await press(':', 'etcd-restore', '\r');
  await waitFor(() => asked.length === 1, 'the App’s discover was asked');
  await press('\t');
  await waitFor(() => /2 found on master-0/.test(frame()), 'the found list in the App');
  assert.deepEqual(asked, ['backup@master-0.example.com']);
});

test('at 80 columns the header keeps the § section and the risk word whole; the title is what gets cut', async () => {
  const r = render(
    <ProcedureScreen
      procedure={restoreLike('Restore etcd from backup (v2 + v3) on one member, then the others rejoin')}
      inventory={testInventory()}
      onBack={() => {}}
      onGlobal={() => {}}
      width={80}
      height={22}
      active
    />,
  );
  const head = stripAnsi(r.lastFrame()).split('\n')[0]!;
  assert.match(head, /^PROCEDURE etcd-restore — Restore etcd from backup.*… {2}§ 5\.4\.2\.1 {2}risk DESTRUCTIVE$/);
  assert.ok([...head].length <= 80, head);
  r.unmount();
});
