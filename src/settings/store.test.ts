import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { readSettings, removeSetting, SettingsError, settingsPath, writeSetting } from './store.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempHome(): { HOME: string } {
  const dir = mkdtempSync(join(tmpdir(), 'day2-settings-'));
  dirs.push(dir);
  return { HOME: dir };
}
function writeFile(env: { HOME: string }, text: string): string {
  const path = settingsPath(env);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

test('the file: $XDG_CONFIG_HOME/day2-tui/config.json, else ~/.config/day2-tui/config.json (no -nodejs suffix)', () => {
  assert.equal(settingsPath({ HOME: '/home/op' }), '/home/op/.config/day2-tui/config.json');
  assert.equal(settingsPath({ HOME: '/home/op', XDG_CONFIG_HOME: '/xdg' }), '/xdg/day2-tui/config.json');
  assert.equal(settingsPath({ HOME: '/home/op', XDG_CONFIG_HOME: '' }), '/home/op/.config/day2-tui/config.json');
});

test('no file: no settings, and nothing is created by reading', () => {
  const env = tempHome();
  assert.deepEqual(readSettings(env), { path: settingsPath(env), values: {} });
  assert.throws(() => readFileSync(dirname(settingsPath(env))), /ENOENT/);
});

test('set: typed values, paths made absolute, oc without a slash kept as a command name; unset removes', () => {
  const env = tempHome();
  assert.equal(writeSetting(env, 'concurrency', '5', '/work'), 5);
  assert.equal(writeSetting(env, 'color', 'false', '/work'), false);
  assert.equal(writeSetting(env, 'inventory', 'hosts.ini', '/work'), '/work/hosts.ini');
  assert.equal(writeSetting(env, 'oc', 'oc4', '/work'), 'oc4');
  assert.equal(writeSetting(env, 'oc', 'bin/oc', '/work'), '/work/bin/oc');
  assert.equal(writeSetting(env, 'kubeconfig', '/etc/origin/master/admin.kubeconfig', '/work'), '/etc/origin/master/admin.kubeconfig');
  const values = {
    concurrency: 5,
    color: false,
    inventory: '/work/hosts.ini',
    oc: '/work/bin/oc',
    kubeconfig: '/etc/origin/master/admin.kubeconfig',
  };
  assert.deepEqual(readSettings(env).values, values);
  assert.deepEqual(JSON.parse(readFileSync(settingsPath(env), 'utf8')), values);
  removeSetting(env, 'color');
  removeSetting(env, 'identity'); // not there: nothing to do
  assert.equal(readSettings(env).values.color, undefined);
  assert.equal(readSettings(env).values.concurrency, 5);
});

test('set refuses before writing: an unknown key lists the keys, a bad value says what is expected', () => {
  const env = tempHome();
  writeSetting(env, 'concurrency', '3', '/');
  const before = readFileSync(settingsPath(env), 'utf8');
  assert.throws(
    () => writeSetting(env, 'colour', 'true', '/'),
    /unknown setting 'colour' \(the keys: inventory, known-hosts, identity, oc, kubeconfig, concurrency, color\)/,
  );
  assert.throws(() => writeSetting(env, 'concurrency', '0', '/'), /concurrency must be a positive integer .*not '0'/);
  assert.throws(() => writeSetting(env, 'concurrency', 'abc', '/'), /concurrency must be a positive integer/);
  assert.throws(() => writeSetting(env, 'color', 'yes', '/'), /color must be true or false, not 'yes'/);
  assert.throws(() => writeSetting(env, 'identity', ' ', '/'), /identity must be the path of an SSH private key/);
  assert.throws(() => removeSetting(env, 'nope'), SettingsError);
  assert.equal(readFileSync(settingsPath(env), 'utf8'), before);
});

test('a broken file: one line naming the file, the key and what to do; never cleared', () => {
  const env = tempHome();
  const cases: [string, RegExp][] = [
    ['{not json', /is not valid JSON .*: correct it, or remove it to start again$/],
    ['{"concurrency": 0}', /wrong value for "concurrency" \(must be >= 1\): it must be a positive integer/],
    ['{"concurrency": "8"}', /wrong value for "concurrency" \(must be integer\)/],
    ['{"color": "no"}', /wrong value for "color" \(must be boolean\): it must be true or false/],
    ['{"oc": ""}', /wrong value for "oc"/],
    ['{"concurency": 3}', /unknown key "concurency" \(the keys: .*\): remove it there/],
  ];
  for (const [text, message] of cases) {
    const path = writeFile(env, text);
    const err = (() => {
      try {
        readSettings(env);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert.ok(err instanceof SettingsError, text);
    assert.ok(err.message.includes(path), `${text}: ${err.message}`);
    assert.match(err.message, message);
    assert.equal(err.message.includes('\n'), false);
    assert.throws(() => writeSetting(env, 'identity', '/k', '/'), SettingsError, 'set does not overwrite a broken file');
    assert.equal(readFileSync(path, 'utf8'), text, 'the file is left as it was');
  }
});
