import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { testHost } from '../testing/builders.js';
import {
  loadSshConfig,
  parseJumpSpec,
  parseSshConfigText,
  resolveSshHost,
  type SshClientConfig,
  SshConfigError,
  sshSettingRows,
  strictHostKeyCheckingOff,
} from './ssh-config.js';

const defaults = { user: 'operator', identityFiles: ['/home/op/.ssh/id_ed25519'] };

function configOf(user: string, system = ''): SshClientConfig {
  return {
    files: [parseSshConfigText('~/.ssh/config', user), parseSshConfigText('/etc/ssh/ssh_config', system)],
    included: new Map(),
    home: '/home/op',
    localUser: 'op',
  };
}

describe('resolveSshHost', () => {
  it('matches Host patterns against the address, first value winning, with file:line origins', () => {
    const config = configOf(
      ['# mine', 'Host 10.0.0.*', '  User cloud-user', '  HostName %h.example.com', '', 'Host *', '  User other', '  Port 2222'].join('\n'),
      'Host *\n  Port 22\n  IdentityFile ~/.ssh/id_%u_%r\n',
    );
    const host = testHost('master-0', ['master'], { vars: { ansible_host: '10.0.0.5' } });
    const r = resolveSshHost(config, host, defaults);
    assert.deepEqual(r.user, { value: 'cloud-user', from: '~/.ssh/config:3' });
    assert.deepEqual(r.hostName, { value: '10.0.0.5.example.com', from: '~/.ssh/config:4' });
    assert.deepEqual(r.port, { value: 2222, from: '~/.ssh/config:8' });
    assert.deepEqual(r.identityFiles, { value: ['/home/op/.ssh/id_op_cloud-user'], from: '/etc/ssh/ssh_config:3' });
    assert.deepEqual(r.jumps, []);
  });

  it('lets explicit inventory settings win over the config, and the config over the defaults', () => {
    const config = configOf('Host n1\n  User cfg\n  Port 2200\n  IdentityFile /k/cfg\n');
    const inv = testHost('n1', ['node'], { user: 'inv', keyFile: '~/inv.pem', port: 2300, vars: { ansible_port: '2300' } });
    const r = resolveSshHost(config, inv, defaults);
    assert.deepEqual(
      [r.user, r.port, r.identityFiles],
      [
        { value: 'inv', from: 'inventory' },
        { value: 2300, from: 'inventory' },
        { value: ['/home/op/inv.pem'], from: 'inventory' },
      ],
    );
    const plain = resolveSshHost(configOf(''), testHost('n1', ['node']), defaults);
    assert.deepEqual(
      [plain.user.from, plain.port, plain.identityFiles.from, plain.hostName.value],
      ['default', { value: 22, from: 'default' }, 'default', 'n1'],
    );
    // a port written in the inventory as 22 is still the inventory's
    const p22 = resolveSshHost(config, testHost('n1', ['node'], { vars: { ansible_port: '22' } }), defaults);
    assert.deepEqual(p22.port, { value: 22, from: 'inventory' });
    const made = resolveSshHost(config, testHost('n1', ['node'], { port: 2400 }), defaults);
    assert.deepEqual(made.port, { value: 2400, from: 'inventory' });
  });

  it('collects several IdentityFile lines and splits known-hosts file lists', () => {
    const config = configOf(
      'Host *\n  IdentityFile %d/a\n  IdentityFile "/k/b c"\n  UserKnownHostsFile ~/kh1 /kh2\n  GlobalKnownHostsFile /g\n',
    );
    const r = resolveSshHost(config, testHost('n1', ['node']), defaults);
    assert.deepEqual(r.identityFiles.value, ['/home/op/a', '/k/b c']);
    assert.deepEqual(r.userKnownHostsFiles, { value: ['/home/op/kh1', '/kh2'], from: '~/.ssh/config:4' });
    assert.deepEqual(r.globalKnownHostsFiles, { value: ['/g'], from: '~/.ssh/config:5' });
    const d = resolveSshHost(configOf(''), testHost('n1', ['node']), defaults);
    assert.deepEqual(d.globalKnownHostsFiles.value, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    assert.deepEqual(d.userKnownHostsFiles.value, ['/home/op/.ssh/known_hosts', '/home/op/.ssh/known_hosts2']);
    const o = resolveSshHost(config, testHost('n1', ['node']), { ...defaults, knownHostsOverride: '/tmp/kh' });
    assert.deepEqual(o.userKnownHostsFiles, { value: ['/tmp/kh'], from: '--known-hosts' });
  });

  it('resolves each ProxyJump hop through the config itself', () => {
    const config = configOf(
      [
        'Host app-*',
        '  ProxyJump admin@lb-0,jump-0:2022',
        'Host jump-0',
        '  HostName 10.251.0.2',
        '  User jumper',
        '  IdentityFile ~/.ssh/jump',
        'Host lb-0',
        '  Port 2201',
      ].join('\n'),
    );
    const r = resolveSshHost(config, testHost('app-1', ['node']), defaults);
    assert.deepEqual(r.proxyJump, { value: 'admin@lb-0,jump-0:2022', from: '~/.ssh/config:2' });
    const [lb, jump] = r.jumps;
    assert.deepEqual(
      [lb?.name, lb?.user, lb?.port.value, lb?.hostName.value],
      ['lb-0', { value: 'admin', from: 'ProxyJump at ~/.ssh/config:2' }, 2201, 'lb-0'],
    );
    assert.deepEqual(
      [jump?.hostName.value, jump?.user.value, jump?.port, jump?.identityFiles.value],
      ['10.251.0.2', 'jumper', { value: 2022, from: 'ProxyJump at ~/.ssh/config:2' }, ['/home/op/.ssh/jump']],
    );
    const none = resolveSshHost(configOf('Host a\n  ProxyJump none\nHost *\n  ProxyJump j\n'), testHost('a', ['node']), defaults);
    assert.deepEqual(none.jumps, []);
  });

  it('refuses ProxyCommand and Match with the file:line and what to use instead', () => {
    const proxy = configOf('Host *\n  ProxyCommand ssh -W %h:%p bastion\n');
    assert.throws(
      () => resolveSshHost(proxy, testHost('n1', ['node']), defaults),
      (e: Error) => {
        assert.ok(e instanceof SshConfigError);
        assert.match(e.message, /^~\/\.ssh\/config:2: ProxyCommand is not supported .*use ProxyJump/);
        return true;
      },
    );
    const match = configOf('Host x\n  User a\nMatch host n1\n  User b\n');
    assert.throws(() => resolveSshHost(match, testHost('n1', ['node']), defaults), /~\/\.ssh\/config:3: Match blocks are not supported/);
    const all = configOf('Match final all\n  User everyone\n');
    assert.equal(resolveSshHost(all, testHost('n1', ['node']), defaults).user.value, 'everyone');
    const bad = configOf('Host *\n  ProxyJump a@@b\n');
    assert.throws(() => resolveSshHost(bad, testHost('n1', ['node']), defaults), /config:2: ProxyJump hop "a@@b"/);
    assert.throws(() => resolveSshHost(configOf('Port x\n'), testHost('n1', ['node']), defaults), /config:1: Port x is not a number/);
    assert.throws(() => resolveSshHost(configOf('IdentityFile ~/%C\n'), testHost('n1', ['node']), defaults), /token %C is not supported/);
  });

  it('gives rows for the host detail screen', () => {
    const r = resolveSshHost(configOf('User cfg\n'), testHost('n1', ['node']), defaults);
    assert.deepEqual(sshSettingRows(r)[1], { setting: 'User', value: 'cfg', from: '~/.ssh/config:1' });
  });
});

describe('parseJumpSpec', () => {
  it('reads [user@]host[:port]', () => {
    assert.deepEqual(parseJumpSpec('u@h:22', 'x'), { user: 'u', host: 'h', port: 22 });
    assert.deepEqual(parseJumpSpec('[fe80::1]:2022', 'x'), { host: 'fe80::1', port: 2022 });
    assert.deepEqual(parseJumpSpec('h', 'x'), { host: 'h' });
    assert.throws(() => parseJumpSpec('h:0', 'f:1'), /port is not from 1 to 65535/);
  });
});

describe('loadSshConfig', () => {
  const home = mkdtempSync(join(tmpdir(), 'ssh-config-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('reads the user file, then the system file, following Include', () => {
    mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Include conf.d/*.conf\nHost *\n  User late\n');
    writeFileSync(join(home, '.ssh', 'conf.d', 'a.conf'), 'Host n1\n  User included\n');
    writeFileSync(join(home, 'system'), 'Host *\n  Port 2022\n  StrictHostKeyChecking no\n');
    const config = loadSshConfig(home, 'op', join(home, 'system'));
    const r = resolveSshHost(config, testHost('n1', ['node']), defaults);
    assert.deepEqual(r.user, { value: 'included', from: `${join(home, '.ssh', 'conf.d', 'a.conf')}:2` });
    assert.deepEqual(r.port, { value: 2022, from: `${join(home, 'system')}:2` });
    assert.match(strictHostKeyCheckingOff(config) ?? '', /system:3: StrictHostKeyChecking no is not honoured/);
  });

  it('takes missing files as empty', () => {
    const config = loadSshConfig(join(home, 'nobody'), 'op', join(home, 'none'));
    assert.deepEqual(config.files, []);
  });
});
