// Which value of a setting wins: flag > environment > settings file > default (args.ts globalOptions).
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SettingsFile, StoredSettings } from '../settings/store.js';
import { type GlobalOptions, type ParseExit, parseCommandLine } from './args.js';

const FILE = '/home/op/.config/day2-tui/config.json';
const noDefault = '/nonexistent/day2-tui/hosts';

function options(
  argv: string[],
  env: Record<string, string>,
  values: StoredSettings = {},
  defaultInventoryPath = noDefault,
): GlobalOptions {
  const file: SettingsFile = { path: FILE, values };
  const r = parseCommandLine([...argv, 'list'], { HOME: '/home/op', ...env }, { defaultInventoryPath, settings: () => file });
  assert.notEqual(r.kind, 'exit', JSON.stringify(r));
  return (r as Exclude<typeof r, ParseExit>).options;
}

const inFile: StoredSettings = {
  'known-hosts': '/file/known_hosts',
  identity: '/file/id',
  oc: '/file/oc',
  kubeconfig: '/file/kubeconfig',
  concurrency: 3,
  color: false,
};
const inEnv = {
  DAY2_KNOWN_HOSTS: '/env/known_hosts',
  DAY2_IDENTITY: '/env/id',
  DAY2_OC: '/env/oc',
  KUBECONFIG: '/env/kubeconfig',
  DAY2_CONCURRENCY: '5',
  NO_COLOR: '1',
};
const flags = [
  '--known-hosts',
  '/flag/kh',
  '--identity',
  '/flag/id',
  '--oc',
  '/flag/oc',
  '--kubeconfig',
  '/flag/kc',
  '--concurrency',
  '7',
  '--no-color',
];

test('the default, when nothing names a setting', () => {
  const o = options([], {});
  assert.equal(o.ocPath, 'oc');
  assert.equal(o.concurrency, 20);
  assert.equal(o.color, true);
  assert.equal(o.knownHostsFile, undefined);
  assert.equal(o.identityFile, undefined);
  assert.equal(o.kubeconfig, undefined);
  for (const s of Object.values(o.settings)) assert.deepEqual(s.origin, { from: 'default' });
  assert.equal(o.settings.inventory.value, 'DEMO');
});

test('the settings file wins over the default', () => {
  const o = options([], {}, inFile);
  assert.deepEqual(
    [o.knownHostsFile, o.identityFile, o.ocPath, o.kubeconfig, o.concurrency, o.color],
    ['/file/known_hosts', '/file/id', '/file/oc', '/file/kubeconfig', 3, false],
  );
  assert.deepEqual(o.settings.oc, { value: '/file/oc', origin: { from: 'file', name: FILE } });
  assert.deepEqual(o.settings.color, { value: false, origin: { from: 'file', name: FILE } });
});

test('the environment wins over the settings file', () => {
  const o = options([], inEnv, inFile);
  assert.deepEqual(
    [o.knownHostsFile, o.identityFile, o.ocPath, o.kubeconfig, o.concurrency, o.color],
    ['/env/known_hosts', '/env/id', '/env/oc', '/env/kubeconfig', 5, false],
  );
  assert.deepEqual(o.settings.concurrency, { value: 5, origin: { from: 'env', name: 'DAY2_CONCURRENCY' } });
  assert.deepEqual(o.settings.kubeconfig.origin, { from: 'env', name: 'KUBECONFIG' });
  assert.deepEqual(o.settings.color.origin, { from: 'env', name: 'NO_COLOR' });
  // an empty variable is not set
  assert.equal(options([], { DAY2_OC: '', NO_COLOR: '' }, inFile).ocPath, '/file/oc');
  assert.equal(options([], { NO_COLOR: '' }, {}).color, true);
});

test('a flag wins over everything', () => {
  const o = options(flags, inEnv, inFile);
  assert.deepEqual(
    [o.knownHostsFile, o.identityFile, o.ocPath, o.kubeconfig, o.concurrency, o.color],
    ['/flag/kh', '/flag/id', '/flag/oc', '/flag/kc', 7, false],
  );
  assert.deepEqual(o.settings.oc.origin, { from: 'flag', name: '--oc' });
  assert.deepEqual(o.settings.color.origin, { from: 'flag', name: '--no-color' });
  assert.deepEqual(o.settings.concurrency.origin, { from: 'flag', name: '--concurrency' });
});

test('inventory: -i > $DAY2_INVENTORY > the settings file > /etc/ansible/hosts > DEMO', () => {
  const existing = fileURLToPath(import.meta.url);
  const file = { inventory: '/file/hosts' };
  const env = { DAY2_INVENTORY: '/env/hosts' };
  assert.deepEqual(options(['-i', 'x.ini'], env, file, existing).inventory, { kind: 'file', path: resolve('x.ini'), from: 'flag' });
  assert.deepEqual(options([], env, file, existing).inventory, { kind: 'file', path: '/env/hosts', from: 'env' });
  const fromFile = options([], {}, file, existing);
  assert.deepEqual(fromFile.inventory, { kind: 'file', path: '/file/hosts', from: 'config' });
  assert.deepEqual(fromFile.settings.inventory, { value: '/file/hosts', origin: { from: 'file', name: FILE } });
  assert.deepEqual(options([], {}, {}, existing).inventory, { kind: 'file', path: existing, from: 'default' });
  assert.deepEqual(options(['--demo'], env, file, existing).settings.inventory, {
    value: 'DEMO',
    origin: { from: 'flag', name: '--demo' },
  });
});

test('a bad environment value names the variable: one line, exit 2', () => {
  for (const value of ['abc', '0', '-1', '2.5']) {
    const r = parseCommandLine(['list'], { HOME: '/h', DAY2_CONCURRENCY: value }, {}) as ParseExit;
    assert.equal(r.kind, 'exit');
    assert.equal(r.code, 2);
    assert.match(r.stderr ?? '', new RegExp(`^day2-tui: \\$DAY2_CONCURRENCY must be a positive integer .*not '${value}'`));
    assert.equal(r.stderr?.trimEnd().split('\n').length, 1);
  }
});

test('config path does not read the settings file (it must work when the file is broken)', () => {
  const broken = () => {
    throw new Error('read');
  };
  const r = parseCommandLine(['config', 'path'], { HOME: '/h' }, { settings: broken });
  assert.ok(r.kind === 'config' && r.config.action === 'path');
  assert.throws(() => parseCommandLine(['config', 'list'], { HOME: '/h' }, { settings: broken }), /read/);
});

test('config actions: the key checked on the command line, an unknown one lists the keys', () => {
  const parse = (...argv: string[]) => parseCommandLine(argv, { HOME: '/h' }, {});
  assert.deepEqual((parse('config', 'set', 'oc', '/x') as { config: unknown }).config, { action: 'set', key: 'oc', value: '/x' });
  assert.deepEqual((parse('config', 'get', 'color') as { config: unknown }).config, { action: 'get', key: 'color' });
  assert.deepEqual((parse('config', 'list', '--json') as { config: unknown }).config, { action: 'list', json: true });
  const bad = parse('config', 'get', 'colour') as ParseExit;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr ?? '', /unknown setting 'colour' \(the keys: inventory, known-hosts, .*\) \(see day2-tui config --help\)/);
  assert.equal((parse('config', 'set', 'oc') as ParseExit).code, 2);
});
