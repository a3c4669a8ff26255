// The SSH runner's remote wrapper and kill script, run through a local shell exactly as sshd would
// (`$SHELL -c <text>` in a new session). The runner against real sshd: test/transport/ssh.test.ts.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { literal, quoteWord } from './shell.js';
import { authFailedHint, batchScript, killGroupScript, remoteCommandText, SshRunner, ssh2LoadFailure } from './ssh.js';
import { parseSshConfigText } from './ssh-config.js';
import { MarkerSplitter } from './stream.js';

describe('remoteCommandText', () => {
  it('prints the process group first on stderr, then runs the script with its exit code', () => {
    const script = `echo "it's out"; echo err >&2; exit 3`;
    const r = spawnSync('setsid', ['bash', '-c', remoteCommandText(script, false)], { encoding: 'utf8' });
    assert.equal(r.status, 3);
    assert.equal(r.stdout, "it's out\n");
    const m = /^@@day2-tui-pgid (\d+)\nerr\n$/.exec(r.stderr);
    assert.ok(m, r.stderr);
  });

  it('wraps the script in sudo -n when asked', () => {
    const text = remoteCommandText("echo 'a'", true);
    assert.ok(text.endsWith(`; exec sudo -n sh -c ${quoteWord("echo 'a'")}`), text);
  });

  it('runs as ansible_become_user with sudo -n -u USER (quoted), plain sudo -n for root', () => {
    assert.ok(remoteCommandText('id', true, "o'ps").endsWith(`; exec sudo -n -u ${quoteWord("o'ps")} sh -c id`));
    assert.ok(remoteCommandText('id', true, 'root').endsWith('; exec sudo -n sh -c id'));
    assert.ok(remoteCommandText('id', false, 'ops').endsWith('; exec sh -c id'));
  });
});

describe('killGroupScript', () => {
  it('ends every process of the group, SIGTERM-proof ones after the grace period', async () => {
    // a group like the one sshd makes: a session leader shell with a child that ignores TERM
    const child = spawn('setsid', ['sh', '-c', "trap '' TERM; sleep 300 & sleep 301"], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const pgid = Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(child.pid)], { encoding: 'utf8' }).trim());
    assert.ok(pgid > 1);
    const t0 = Date.now();
    execFileSync('sh', ['-c', killGroupScript(pgid, 500)]);
    assert.ok(Date.now() - t0 < 3000);
    // processes that are not zombies waiting to be reaped
    const alive = (): string =>
      spawnSync('ps', ['-o', 'stat=', '-g', String(pgid)], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((s) => s.trim() !== '' && !s.startsWith('Z'))
        .join(',');
    let left = alive();
    for (let i = 0; i < 20 && left !== ''; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = alive();
    }
    assert.equal(left, '', 'nothing is left in the group');
  });

  it('is harmless when the group is already gone', () => {
    execFileSync('sh', ['-c', killGroupScript(999_999, 100)]);
  });
});

describe('SshRunner without a network', () => {
  it('refuses bastion targets', async () => {
    const r = new SshRunner({ agentSocket: null });
    await assert.rejects(r.run({ kind: 'bastion' }, literal('true')));
    await r.close();
  });

  it('user: the host, then the default user option, then the operator', () => {
    const host = { name: 'h', address: 'h', port: 22, become: true, roles: [], groups: [], vars: {}, file: 'f', line: 1 };
    const r = new SshRunner({ agentSocket: null, defaultUser: 'cloud-user' });
    assert.equal(r.userFor({ ...host, user: 'admin' }), 'admin');
    assert.equal(r.userFor(host), 'cloud-user');
    assert.ok(r.needsSudo(host, 'cloud-user'));
    assert.ok(!r.needsSudo(host, 'root'));
    assert.ok(!r.needsSudo({ ...host, become: false }, 'cloud-user'));
    assert.ok(r.needsSudo({ ...host, becomeUser: 'etcd' }, 'root'), 'root becoming another user needs sudo -u');
    assert.ok(!r.needsSudo({ ...host, becomeUser: 'root' }, 'root'));
    assert.ok(new SshRunner({ agentSocket: null }).userFor(host).length > 0);
  });

  it('takes what the ssh config says, with --known-hosts replacing its user files, and refuses a host it cannot resolve', async () => {
    const host = { name: 'h', address: '10.0.0.9', port: 22, become: false, roles: [], groups: [], vars: {}, file: 'f', line: 1 };
    const sshConfig = {
      files: [
        parseSshConfigText(
          '~/.ssh/config',
          'Host 10.0.0.*\n  User cfg\n  UserKnownHostsFile /kh/mine\nHost bad\n  ProxyCommand nc %h %p\n',
        ),
      ],
      included: new Map(),
      home: '/home/op',
      localUser: 'op',
    };
    const r = new SshRunner({ agentSocket: null, defaultUser: 'cloud-user', sshConfig });
    assert.equal(r.userFor(host), 'cfg');
    assert.deepEqual(r.settingsFor(host).userKnownHostsFiles, { value: ['/kh/mine'], from: '~/.ssh/config:3' });
    const k = new SshRunner({ agentSocket: null, sshConfig, knownHostsPath: '/tmp/kh' });
    assert.deepEqual(k.settingsFor(host).userKnownHostsFiles, { value: ['/tmp/kh'], from: '--known-hosts' });
    const c = await r.probe({ ...host, name: 'bad', address: 'bad' });
    assert.equal(c.state, 'unreachable');
    assert.match(c.reason ?? '', /^bad: ~\/\.ssh\/config:5: ProxyCommand is not supported/);
    await Promise.all([r.close(), k.close()]);
  });
});

describe('batchScript', () => {
  it('runs each command in its own sh, with markers that split both streams and carry each exit status', () => {
    const nonce = '0123456789abcdef';
    const scripts = [
      `echo "it's out"; echo err >&2; exit 3`,
      `printf 'no newline'`,
      'exit 0',
      `echo '@@day2-tui-end-feedface 9 9'; cat; echo "$$" >/dev/null`,
    ];
    const r = spawnSync('setsid', ['bash', '-c', remoteCommandText(batchScript(scripts, nonce), false)], {
      input: 'stdin is not for them',
    });
    assert.equal(r.status, 0);
    const cut = (buf: Buffer) => {
      const parts: string[] = [];
      const markers: string[] = [];
      let cur = '';
      const s = new MarkerSplitter(
        `@@day2-tui-end-${nonce} `,
        (c) => (cur += c.toString()),
        (p) => {
          markers.push(p);
          parts.push(cur);
          cur = '';
        },
      );
      s.push(buf);
      s.end();
      return { parts, markers, rest: cur };
    };
    const out = cut(r.stdout);
    assert.deepEqual(out.markers, ['0 3', '1 0', '2 0', '3 0']);
    assert.deepEqual(out.parts, ["it's out\n", 'no newline', '', '@@day2-tui-end-feedface 9 9\n']);
    assert.equal(out.rest, '');
    const err = cut(Buffer.from(r.stderr.toString().replace(/^@@day2-tui-pgid \d+\n/, '')));
    assert.deepEqual(err.markers, ['0', '1', '2', '3']);
    assert.deepEqual(err.parts, ['err\n', '', '', '']);
  });
});

describe('authFailedHint', () => {
  it('quotes the user@address of the ssh-copy-id it suggests', () => {
    const hint = authFailedHint("o'p er", { name: 'm0', address: '10.0.0.1', port: 2222 });
    const args = /ssh-copy-id (.*)\)/.exec(hint)![1]!;
    const words = execFileSync('sh', ['-c', `for w in ${args}; do printf '%s\\n' "$w"; done`], { encoding: 'utf8' });
    assert.deepEqual(words.trim().split('\n'), ['-i', 'KEY.pub', '-p', '2222', "o'p er@10.0.0.1"], 'one word for user@address');
  });
});

describe('ssh2LoadFailure', () => {
  it('names the dependency and the two ways to have it, with the first line of why', () => {
    const err = new Error("Cannot find package 'ssh2' imported from /tmp/x/day2-tui.js\nDid you mean …");
    assert.equal(
      ssh2LoadFailure(err),
      "ssh2 could not be loaded (Cannot find package 'ssh2' imported from /tmp/x/day2-tui.js): run from the release file dist/day2-tui or `npm install`",
    );
  });
});
