import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { argv, awkVars, literal, quoteWord, sh } from './shell.js';

/** What sh really sees: each word on its own line. */
function words(script: string): string[] {
  const out = execFileSync('sh', ['-c', `for w in ${script}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('plain words stay readable', () => {
  assert.equal(quoteWord('https://10.0.0.1:2379,https://10.0.0.2:2379'), 'https://10.0.0.1:2379,https://10.0.0.2:2379');
  assert.equal(quoteWord('--endpoints=https://a:2379'), '--endpoints=https://a:2379');
  assert.equal(quoteWord(''), "''");
});

test('hostile values stay one word and never become shell syntax', () => {
  const hostile = ['a b', 'x;rm -rf /', '$(touch /tmp/pwned)', '`id`', "it's", '~root', '*', 'a\nb', '-n', '"q"', '\\'];
  for (const h of hostile) {
    assert.deepEqual(words(sh`${h}`.script), [h], `value ${JSON.stringify(h)}`);
  }
});

test('sh interpolates arrays as several words and commands as-is', () => {
  const inner = sh`echo ${'x y'}`;
  assert.equal(sh`${['a b', 'c']} && ${inner}`.script, "'a b' c && echo 'x y'");
  assert.equal(argv('cp', '-R', '/backup/etcd 1', '/var/lib/etcd').script, "cp -R '/backup/etcd 1' /var/lib/etcd");
  assert.equal(literal('ss -l4n | grep 2380').script, 'ss -l4n | grep 2380');
});

test('awkVars: a value reaches awk as written, backslashes and all', () => {
  const tricky = { add: 'https://10.0.0.1:2379\\n', drop: 'a\\tb \\\\ c\\', plain: 'x y' };
  const script = sh`awk ${awkVars(tricky)} 'BEGIN { printf "%s|%s|%s", add, drop, plain }'`.script;
  assert.equal(execFileSync('sh', ['-c', script], { encoding: 'utf8' }), `${tricky.add}|${tricky.drop}|${tricky.plain}`);
  // what a bare -v does to the same value: the reason for the helper
  const bare = sh`awk -v ${`v=${tricky.add}`} 'BEGIN { printf "%s", v }'`.script;
  assert.notEqual(execFileSync('sh', ['-c', bare], { encoding: 'utf8' }), tricky.add);
});

test('a command written over several source lines is one line: each break and its indent is one space', () => {
  const dir = "/var/lib/etcd it's";
  const c = sh`if test -d ${dir};
    then echo yes;
    else echo no; fi`;
  assert.equal(c.script, `if test -d "/var/lib/etcd it's"; then echo yes; else echo no; fi`);
  assert.equal(sh`printf '%s\n' a`.script, "printf '%s\n' a", 'a newline escape on one line stays a newline');
  assert.throws(
    () => sh`printf '%s\n'
    a`,
    /a part written over several lines has a \\n escape too/,
  );
});
