import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkHostKey,
  entryMatchesName,
  fingerprintSha256,
  hashHostName,
  hostLookupName,
  KnownHostsError,
  keyTypeOfBlob,
  knownKeyTypes,
  loadKnownHosts,
  loadKnownHostsFiles,
  parseKnownHosts,
} from './known-hosts.js';

let dir: string;
/** Public keys (type + base64 blob) made by ssh-keygen, so the blobs are real. */
const keys: Record<'ed1' | 'ed2' | 'ecdsa' | 'rsa', { type: string; b64: string; blob: Buffer }> = {} as never;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-test-'));
  const make = (name: keyof typeof keys, type: string, bits?: string): void => {
    const f = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-f', f]);
    const [t, b64] = readFileSync(`${f}.pub`, 'utf8').trim().split(' ');
    keys[name] = { type: t!, b64: b64!, blob: Buffer.from(b64!, 'base64') };
  };
  make('ed1', 'ed25519');
  make('ed2', 'ed25519');
  make('ecdsa', 'ecdsa');
  make('rsa', 'rsa', '2048');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const master = { names: ['master-0.lab.example.com', '127.0.10.1'], port: 22 };

describe('parseKnownHosts', () => {
  it('reads plain, comma-list, port-form, marker, comment and blank lines', () => {
    const { entries, invalid } = parseKnownHosts(
      [
        '# a comment',
        '',
        `master-0.lab.example.com,127.0.10.1 ${keys.ed1.type} ${keys.ed1.b64} root@master-0`,
        `[127.0.9.1]:2222 ${keys.ecdsa.type} ${keys.ecdsa.b64}`,
        `@revoked * ${keys.rsa.type} ${keys.rsa.b64}`,
        `@cert-authority *.lab.example.com ${keys.ed2.type} ${keys.ed2.b64}`,
        '   # indented comment',
        'garbage-line-with-no-key',
        `host ssh-ed25519 not*base64`,
        `@bogus host ${keys.ed1.type} ${keys.ed1.b64}`,
      ].join('\r\n'),
    );
    assert.equal(entries.length, 4);
    assert.deepEqual(entries[0]!.patterns, ['master-0.lab.example.com', '127.0.10.1']);
    assert.equal(entries[0]!.line, 3);
    assert.equal(entries[0]!.comment, 'root@master-0');
    assert.ok(entries[0]!.key.equals(keys.ed1.blob));
    assert.deepEqual(entries[1]!.patterns, ['[127.0.9.1]:2222']);
    assert.equal(entries[2]!.marker, 'revoked');
    assert.equal(entries[3]!.marker, 'cert-authority');
    assert.deepEqual(
      invalid.map((i) => i.line),
      [8, 9, 10],
    );
  });

  it('reads the key type inside the blob', () => {
    assert.equal(keyTypeOfBlob(keys.ed1.blob), 'ssh-ed25519');
    assert.equal(keyTypeOfBlob(keys.rsa.blob), 'ssh-rsa');
    assert.equal(keyTypeOfBlob(Buffer.from([0, 0])), undefined);
  });

  it('computes the OpenSSH SHA256 fingerprint', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'ed1.pub')], { encoding: 'utf8' });
    assert.equal(fingerprintSha256(keys.ed1.blob), out.split(' ')[1]);
  });
});

describe('checkHostKey', () => {
  it('matches on the inventory name or on the address', () => {
    for (const pattern of ['master-0.lab.example.com', '127.0.10.1', 'other,127.0.10.1', 'MASTER-0.lab.example.com']) {
      const { entries } = parseKnownHosts(`${pattern} ${keys.ed1.type} ${keys.ed1.b64}\n`);
      assert.equal(checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob).status, 'match', pattern);
    }
  });

  it('is unknown when no entry names the host (empty file too)', () => {
    assert.equal(checkHostKey([], master, keys.ed1.type, keys.ed1.blob).status, 'unknown');
    const { entries } = parseKnownHosts(`master-1.lab.example.com,127.0.10.2 ${keys.ed1.type} ${keys.ed1.b64}\n`);
    assert.equal(checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob).status, 'unknown');
  });

  it('reports a changed key and the line holding the old one', () => {
    const { entries } = parseKnownHosts(
      [`# x`, `other ${keys.ed1.type} ${keys.ed1.b64}`, `127.0.10.1 ${keys.ed2.type} ${keys.ed2.b64}`].join('\n'),
    );
    const v = checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob);
    assert.equal(v.status, 'changed');
    assert.equal(v.entry?.line, 3);
  });

  it('prefers the entry of the same key type when reporting a change', () => {
    const { entries } = parseKnownHosts(
      [`127.0.10.1 ${keys.ecdsa.type} ${keys.ecdsa.b64}`, `127.0.10.1 ${keys.ed2.type} ${keys.ed2.b64}`].join('\n'),
    );
    const v = checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob);
    assert.equal(v.status, 'changed');
    assert.equal(v.entry?.line, 2);
    // a host known only by another key type: OpenSSH also refuses that (as changed)
    const only = parseKnownHosts(`127.0.10.1 ${keys.ecdsa.type} ${keys.ecdsa.b64}`).entries;
    assert.equal(checkHostKey(only, master, keys.ed1.type, keys.ed1.blob).status, 'changed');
  });

  it('matches when one of several keys for the host is presented', () => {
    const { entries } = parseKnownHosts(
      [`127.0.10.1 ${keys.ecdsa.type} ${keys.ecdsa.b64}`, `127.0.10.1 ${keys.ed1.type} ${keys.ed1.b64}`].join('\n'),
    );
    assert.equal(checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob).status, 'match');
    assert.deepEqual(knownKeyTypes(entries, master), ['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  });

  it('uses the [host]:port form when the port is not 22', () => {
    const onPort = { names: ['lb', '127.0.9.1'], port: 2222 };
    const { entries } = parseKnownHosts(`[127.0.9.1]:2222 ${keys.ed1.type} ${keys.ed1.b64}\n`);
    assert.equal(checkHostKey(entries, onPort, keys.ed1.type, keys.ed1.blob).status, 'match');
    // the same address on port 22 is another host for known_hosts
    assert.equal(checkHostKey(entries, { names: ['127.0.9.1'], port: 22 }, keys.ed1.type, keys.ed1.blob).status, 'unknown');
    // a plain entry does not cover port 2222
    const plain = parseKnownHosts(`127.0.9.1 ${keys.ed1.type} ${keys.ed1.b64}\n`).entries;
    assert.equal(checkHostKey(plain, onPort, keys.ed1.type, keys.ed1.blob).status, 'unknown');
    assert.equal(hostLookupName('a', 22), 'a');
    assert.equal(hostLookupName('a', 2222), '[a]:2222');
  });

  it('matches hashed entries written by ssh-keygen -H (port form included)', () => {
    const f = join(dir, 'known_hosts_hashed');
    writeFileSync(
      f,
      [
        `master-0.lab.example.com ${keys.ed1.type} ${keys.ed1.b64}`,
        `[127.0.9.1]:2222 ${keys.ecdsa.type} ${keys.ecdsa.b64}`,
        `127.0.10.2 ${keys.ed2.type} ${keys.ed2.b64}`,
        '',
      ].join('\n'),
    );
    execFileSync('ssh-keygen', ['-q', '-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /master-0|127\.0\./);
    const { entries } = parseKnownHosts(text);
    assert.equal(entries.length, 3);
    assert.ok(entries.every((e) => e.patterns[0]!.startsWith('|1|')));
    assert.equal(checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob).status, 'match');
    assert.equal(checkHostKey(entries, { names: ['x', '127.0.9.1'], port: 2222 }, keys.ecdsa.type, keys.ecdsa.blob).status, 'match');
    const v = checkHostKey(entries, { names: ['master-1', '127.0.10.2'], port: 22 }, keys.ed1.type, keys.ed1.blob);
    assert.equal(v.status, 'changed');
    assert.equal(v.entry?.line, 3);
    assert.equal(checkHostKey(entries, { names: ['nope'], port: 22 }, keys.ed1.type, keys.ed1.blob).status, 'unknown');
  });

  it('hashHostName agrees with HMAC-SHA1 as OpenSSH computes it', () => {
    const salt = Buffer.alloc(20, 7);
    const { entries } = parseKnownHosts(`${hashHostName('[10.0.0.1]:2200', salt)} ${keys.ed1.type} ${keys.ed1.b64}`);
    assert.ok(entryMatchesName(entries[0]!, '[10.0.0.1]:2200'));
    assert.ok(!entryMatchesName(entries[0]!, '10.0.0.1'));
  });

  it('honours wildcards and negation', () => {
    const { entries } = parseKnownHosts(`*.lab.example.com,!master-0.lab.example.com ${keys.ed1.type} ${keys.ed1.b64}`);
    assert.ok(entryMatchesName(entries[0]!, 'node-0.lab.example.com'));
    assert.ok(!entryMatchesName(entries[0]!, 'master-0.lab.example.com'));
    assert.equal(checkHostKey(entries, { names: ['node-1.lab.example.com'], port: 22 }, keys.ed1.type, keys.ed1.blob).status, 'match');
  });

  it('refuses a key on a @revoked line even when another line accepts it', () => {
    const { entries } = parseKnownHosts(
      [`127.0.10.1 ${keys.ed1.type} ${keys.ed1.b64}`, `@revoked * ${keys.ed1.type} ${keys.ed1.b64}`].join('\n'),
    );
    const v = checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob);
    assert.equal(v.status, 'revoked');
    assert.equal(v.entry?.line, 2);
  });

  it('ignores @cert-authority lines', () => {
    const { entries } = parseKnownHosts(`@cert-authority 127.0.10.1 ${keys.ed1.type} ${keys.ed1.b64}`);
    assert.equal(checkHostKey(entries, master, keys.ed1.type, keys.ed1.blob).status, 'unknown');
    assert.equal(checkHostKey(entries, master, keys.ed2.type, keys.ed2.blob).status, 'unknown');
  });

  it('treats a missing file as empty', async () => {
    assert.deepEqual(await loadKnownHosts(join(dir, 'does-not-exist')), { entries: [], invalid: [] });
  });
});

describe('loadKnownHosts of a file that cannot be used', () => {
  it('refuses a directory or a FIFO as such, naming the path, at once; a missing file is an empty one', async () => {
    const base = mkdtempSync(join(tmpdir(), 'day2-kh-bad-'));
    const isDir = (e: unknown) => e instanceof KnownHostsError && e.message === `known_hosts ${base} is a directory`;
    await assert.rejects(loadKnownHosts(base), isDir);
    const fifo = join(base, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    await assert.rejects(loadKnownHosts(fifo), /known_hosts .*fifo is a FIFO \(named pipe\), not a regular file/);
    assert.ok(Date.now() - started < 2000, 'no wait for a writer');
    assert.deepEqual(await loadKnownHosts(join(base, 'missing')), { entries: [], invalid: [] });
    rmSync(base, { recursive: true, force: true });
  });
});

describe('loadKnownHostsFiles (the user file and the system file)', () => {
  it('a match in either file is a match; a changed key in either is changed, at its file and line', async () => {
    const user = join(dir, 'kh-user');
    const system = join(dir, 'kh-system');
    writeFileSync(user, `other.example.com ${keys.ed1.type} ${keys.ed1.b64}\n`);
    writeFileSync(system, `# fleet keys\nmaster-0.lab.example.com ${keys.ed1.type} ${keys.ed1.b64}\n`);
    const both = await loadKnownHostsFiles([user, system, join(dir, 'kh-missing')]);
    assert.equal(checkHostKey(both.entries, master, keys.ed1.type, keys.ed1.blob).status, 'match');
    const changed = checkHostKey(both.entries, master, keys.ed2.type, keys.ed2.blob);
    assert.deepEqual([changed.status, changed.entry?.file, changed.entry?.line], ['changed', system, 2]);
    writeFileSync(user, `127.0.10.1 ${keys.ed2.type} ${keys.ed2.b64}\n`);
    const again = await loadKnownHostsFiles([user, system]);
    assert.equal(checkHostKey(again.entries, master, keys.ed2.type, keys.ed2.blob).status, 'match');
  });
});
