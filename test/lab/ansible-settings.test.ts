// The operator's Ansible settings against the lab (issue 15 item 3, "Must show"): a user and key coming only
// from ansible.cfg and group_vars/ work — an inventory with no ansible_user and no key, the inventory itself
// named by ansible.cfg (no -i), `day2-tui check --json` passes; and a YAML inventory of the lab read through
// the real ansible-inventory loads the same hosts as the lab's INI inventory.
// Run with a lab: LAB_UP_ARGS='--control-plane systemd' bash scripts/with-lab.sh node --import tsx --test test/lab/ansible-settings.test.ts

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { loadInventory } from '../../src/inventory/load.js';
import { assertLabUp, LAB_SH, labDir, MAIN, MASTERS, type Result, run, show } from '../procedures/lab-helpers.js';

const HOSTS = [...MASTERS, 'infra-0.lab.example.com', 'node-0.lab.example.com', 'node-1.lab.example.com', 'lb-0.lab.example.com'];
let dir = '';

before(async () => {
  await assertLabUp();
  dir = mkdtempSync(join(tmpdir(), 'day2-ansible-settings-'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The lab's hosts.ini without its SSH user and key lines, in DIR/NAME/inventory/hosts. */
function bareInventory(name: string): string {
  const ini = readFileSync(join(labDir, 'hosts.ini'), 'utf8')
    .split('\n')
    .filter((l) => !/^ansible_(ssh_)?(user|private_key_file)=/.test(l))
    .join('\n');
  assert.doesNotMatch(ini, /ansible_(ssh_)?user|private_key_file/);
  const inv = join(dir, name, 'inventory', 'hosts');
  mkdirSync(join(inv, '..', 'group_vars'), { recursive: true });
  writeFileSync(inv, ini);
  return inv;
}

/** `day2-tui check --json` as on the lab's bastion: no -i, no agent, an empty HOME; ANSIBLE_CONFIG=cfg. */
function check(cfg: string, home: string): Promise<Result> {
  const args = [
    'check',
    '--json',
    '--only',
    'etcd-health,ntp',
    '--known-hosts',
    join(labDir, 'known_hosts'),
    '--state-dir',
    join(home, 'state'),
  ];
  const clean = [
    '-u',
    'SSH_AUTH_SOCK',
    '-u',
    'DAY2_INVENTORY',
    '-u',
    'ANSIBLE_INVENTORY',
    '-u',
    'ANSIBLE_REMOTE_USER',
    '-u',
    'ANSIBLE_PRIVATE_KEY_FILE',
  ];
  const cmd = ['env', ...clean, `HOME=${home}`, `ANSIBLE_CONFIG=${cfg}`, process.execPath, '--import', 'tsx', MAIN, ...args];
  return run('bash', [LAB_SH, 'bastion', '--dir', labDir, '--', ...cmd], 180_000);
}

interface Cell {
  check: string;
  host: string | null;
  status: string;
  message: string;
}

/** The cells of `check --json`, after asserting it read the inventory `inv`. */
function cellsOf(r: Result, inv: string): Cell[] {
  let json: { results: Cell[]; inventory: string };
  try {
    json = JSON.parse(r.stdout) as { results: Cell[]; inventory: string };
  } catch {
    assert.fail(`check --json did not print JSON:\n${show(r)}`);
  }
  assert.equal(json.inventory, inv, 'not the inventory ansible.cfg names');
  return json.results;
}

/** etcd-health ok on every master and ntp answered on every host: it logged in everywhere and ran commands. */
function assertLoggedIn(r: Result, inv: string): void {
  const cells = cellsOf(r, inv);
  const all = cells.map((c) => `  ${c.check} ${c.host} ${c.status}: ${c.message}`).join('\n');
  for (const m of MASTERS) assert.equal(cells.find((c) => c.check === 'etcd-health' && c.host === m)?.status, 'ok', `${m}:\n${all}`);
  for (const h of HOSTS) {
    const c = cells.find((x) => x.check === 'ntp' && x.host === h);
    assert.ok(c && c.status !== 'error', `ntp on ${h} did not run:\n${all}\n${r.stderr}`);
  }
}

test('user and key from ansible.cfg only (the inventory named there too), a connection var from group_vars/OSEv3.yml', async () => {
  const inv = bareInventory('cfg');
  const cfg = join(dir, 'cfg', 'ansible.cfg');
  writeFileSync(
    cfg,
    `# the operator's own\n[defaults]\ninventory = inventory/hosts ; relative to this file\nremote_user = root\nprivate_key_file = ${join(labDir, 'id_ed25519')}\n`,
  );
  writeFileSync(join(inv, '..', 'group_vars', 'OSEv3.yml'), '---\nansible_port: 22\nansible_become: false\n');
  const home = mkdtempSync(join(dir, 'home-'));
  assertLoggedIn(await check(cfg, home), inv);
});

test('the user from group_vars/all.yml over ansible.cfg remote_user, the key from ansible.cfg', async () => {
  const inv = bareInventory('gv');
  const cfg = join(dir, 'gv', 'ansible.cfg');
  writeFileSync(cfg, `[defaults]\ninventory = ${inv}\nremote_user = nobody-such\nprivate_key_file = ${join(labDir, 'id_ed25519')}\n`);
  const home = mkdtempSync(join(dir, 'home-'));
  // without group_vars/all.yml, ansible.cfg's user is the one tried, and refused: the settings are really used
  const refused = cellsOf(await check(cfg, home), inv).find((c) => c.check === 'ntp' && c.host === MASTERS[0]);
  assert.notEqual(refused?.status, 'ok', JSON.stringify(refused));
  assert.match(refused?.message ?? '', /nobody-such/, JSON.stringify(refused));
  writeFileSync(join(inv, '..', 'group_vars', 'all.yml'), 'ansible_user: root\n');
  assertLoggedIn(await check(cfg, home), inv);
});

test("a YAML inventory of the lab, read through the real ansible-inventory, has the INI inventory's hosts", () => {
  const ini = loadInventory({ flag: join(labDir, 'hosts.ini'), env: {}, ansible: { notes: [] } });
  const groups = ['masters', 'etcd', 'lb', 'nodes'];
  const hostsOf = (g: string) =>
    Object.fromEntries(
      ini.hosts
        .filter((h) => h.groups.includes(g))
        .map((h) => [
          h.name,
          { ansible_host: h.address, ...(g === 'nodes' ? { openshift_node_group_name: h.openshift?.nodeGroupName } : {}) },
        ]),
    );
  const yaml = {
    all: {
      children: { OSEv3: { children: Object.fromEntries(groups.map((g) => [g, { hosts: hostsOf(g) }])), vars: ini.groupVars['OSEv3'] } },
    },
  };
  const file = join(dir, 'hosts.yml');
  writeFileSync(file, stringify(yaml));
  const fromYaml = loadInventory({ flag: file, env: {}, ansible: { notes: [] } });
  const shape = (i: typeof ini) =>
    i.hosts
      .map((h) => ({ name: h.name, address: h.address, port: h.port, user: h.user, keyFile: h.keyFile, roles: h.roles }))
      .sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(shape(fromYaml), shape(ini));
  assert.equal(fromYaml.hosts.length, HOSTS.length);
});
