// The haproxy.cfg edit: the listing through the real awk, the node's server lines, the edit and its diff.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { diffIsDeletion, haproxyListingCommand, parseListing, serverLinesFor, withoutLines } from './haproxy.js';

// openshift-ansible's lb role names its servers master0, master1…; the guide names them by host
const CFG = [
  'global',
  '    maxconn     20000',
  '    stats socket /var/lib/haproxy/stats',
  '',
  'defaults',
  '    mode                    http',
  '    # server commented 10.0.0.3:8443',
  '',
  'frontend  atomic-openshift-api',
  '    bind *:8443',
  '    default_backend mgmt8443',
  '    mode tcp',
  '',
  'backend mgmt8443',
  '    balance source',
  '    mode tcp',
  '    # MASTERS 8443',
  '    server      master0 10.0.0.1:8443 check',
  '    server      master1 10.0.0.2:8443 check',
  '    server      master2 10.0.0.3:8443 check',
  '',
  'backend router80',
  '    balance source',
  '    mode tcp',
  '    server infra-1.example.com 10.0.1.1:80 check',
  '    server infra-2.example.com 10.0.1.2:80 check',
  '',
  'backend router443',
  '\tmode tcp',
  '\tserver infra-1.example.com 10.0.1.1:443 check',
  '\tserver infra-2.example.com 10.0.1.2:443 check',
  '',
  'listen other',
  '    server x 10.0.0.3:9000',
  '',
].join('\n');

test("haproxy.cfg: the listing (real awk), the node's server lines by address or name, the edit and its diff", () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-haproxy-'));
  try {
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, CFG);
    const listing = parseListing(execFileSync('sh', ['-c', haproxyListingCommand(file).script], { encoding: 'utf8' }));
    // only section headers and server lines (no secrets of other lines); the commented one is not a server line
    assert.ok(
      listing.every((l) => /^\s*(global|defaults|frontend|backend|listen|server)\b/.test(l.text)),
      JSON.stringify(listing),
    );
    assert.equal(listing.filter((l) => /server/.test(l.text)).length, 8);
    // a master by address (the installer's server names are master0…)
    const m2 = serverLinesFor(listing, ['mgmt8443'], ['master-2.example.com', 'master-2'], ['10.0.0.3']);
    assert.deepEqual(
      m2.map((l) => [l.line, l.backend, l.server]),
      [[20, 'mgmt8443', 'master2']],
    );
    // an infra node by name in two backends, not in other sections
    const i1 = serverLinesFor(listing, ['router80', 'router443'], ['infra-1.example.com', 'infra-1'], []);
    assert.deepEqual(
      i1.map((l) => l.line),
      [25, 30],
    );
    assert.deepEqual(serverLinesFor(listing, ['router80', 'router443'], ['node-7.example.com'], ['10.9.9.9']), []);
    // the edit keeps every other byte; diff shows exactly the deletion
    const lines = i1.map((l) => l.line);
    const next = withoutLines(CFG, lines);
    assert.equal(next.split('\n').length, CFG.split('\n').length - 2);
    assert.ok(!next.includes('infra-1'));
    assert.ok(next.includes('\tserver infra-2.example.com 10.0.1.2:443 check'));
    const sedOut = execFileSync('sed', ['-e', lines.map((x) => `${x}d`).join(';'), file], { encoding: 'utf8' });
    assert.equal(sedOut, next, 'sed -e "Nd;Md" writes what withoutLines says');
    const newFile = join(dir, 'new.cfg');
    writeFileSync(newFile, next);
    let diff = '';
    try {
      execFileSync('diff', [file, newFile], { encoding: 'utf8' });
    } catch (e) {
      diff = String((e as { stdout: string }).stdout);
    }
    assert.equal(diffIsDeletion(diff, lines), true, diff);
    assert.match(diffIsDeletion(diff, [25]) as string, /removed lines 25,30, expected 25/);
    assert.match(diffIsDeletion('25c25\n< a\n---\n> b\n', [25]) as string, /more than the removed lines/);
    assert.match(diffIsDeletion('', [25]) as string, /removed lines \(none\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
