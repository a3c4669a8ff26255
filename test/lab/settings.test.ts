// The console's own settings against the lab (issue 15 items 3 and 4): inventory, known_hosts, oc and
// kubeconfig named only in the settings file (a temp HOME), and `check` reaching the hosts over SSH and the
// lab's cluster API through the real kubectl with the kubeconfig handed to oc. The lab's unbaked oc
// (test/lab/api/oc) reads $KUBECONFIG as the real oc does, so without the setting it finds no cluster.
//   LAB_UP_ARGS='--control-plane systemd' bash scripts/with-lab.sh node --import tsx --test test/lab/settings.test.ts
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const LAB_SH = join(HERE, 'lab.sh');
const LAB_OC = join(HERE, 'api', 'oc');
const labDir = process.env.LAB_DIR ? resolve(process.env.LAB_DIR) : '';
const MASTERS = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
interface CheckJson {
  results: { check: string; host: string | null; status: string; message: string }[];
}

let home = '';
let env: NodeJS.ProcessEnv = {};

function run(file: string, args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024, cwd: ROOT, env }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** day2-tui ARGS as on the lab's bastion, with the temp HOME's settings. */
const day2 = (...args: string[]) =>
  run('bash', [LAB_SH, 'bastion', '--dir', labDir, '--', process.execPath, '--import', 'tsx', MAIN, ...args]);

async function check(): Promise<{ code: number; json: CheckJson; raw: Result }> {
  const raw = await day2('check', '--json', '--only', 'nodes-ready,etcd-health');
  try {
    return { code: raw.code, json: JSON.parse(raw.stdout) as CheckJson, raw };
  } catch {
    return assert.fail(`check: exit ${raw.code}, not JSON:\n${raw.stdout.slice(0, 1500)}\n${raw.stderr.slice(0, 1500)}`);
  }
}

const cell = (j: CheckJson, id: string, host: string | null) => j.results.find((r) => r.check === id && r.host === host);

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: run through scripts/with-lab.sh');
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir}`);
  assert.ok(existsSync(join(labDir, 'api', 'kubeconfig')), `the lab's cluster API is not there (${labDir}/api/kubeconfig missing)`);
  home = mkdtempSync(join(tmpdir(), 'day2-settings-lab-'));
  env = { ...process.env, HOME: home };
  for (const name of ['KUBECONFIG', 'LAB_KUBECONFIG', 'LAB_API_DIR', 'DAY2_INVENTORY', 'DAY2_OC', 'XDG_CONFIG_HOME']) delete env[name];
  if (!env.LAB_KUBECTL) {
    const k = await run('bash', [join(HERE, 'kubectl.sh')]);
    assert.equal(k.code, 0, `LAB_KUBECTL unset and test/lab/kubectl.sh failed:\n${k.stderr}`);
    env.LAB_KUBECTL = k.stdout.trim();
  }
});

after(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

test('inventory, known_hosts, oc and kubeconfig from the settings file: check reaches the hosts and the cluster API', async () => {
  for (const [key, value] of [
    ['inventory', join(labDir, 'hosts.ini')],
    ['known-hosts', join(labDir, 'known_hosts')],
    ['oc', LAB_OC],
    ['kubeconfig', join(labDir, 'api', 'kubeconfig')],
  ] as const) {
    const r = await day2('config', 'set', key, value);
    assert.equal(r.code, 0, r.stderr);
  }
  const file = join(home, '.config', 'day2-tui', 'config.json');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).kubeconfig, join(labDir, 'api', 'kubeconfig'));
  const list = await day2('config', 'list');
  assert.match(list.stdout, new RegExp(`^kubeconfig +${join(labDir, 'api', 'kubeconfig')} +config file ${file}$`, 'm'));

  const { json, raw } = await check();
  const show = JSON.stringify(json.results, null, 1) + raw.stderr;
  assert.equal(cell(json, 'nodes-ready', null)?.status, 'ok', show);
  for (const m of MASTERS) assert.equal(cell(json, 'etcd-health', m)?.status, 'ok', `${m}: ${show}`);
});

test('without the kubeconfig the lab oc finds no cluster; a missing one is said before anything runs', async () => {
  assert.equal((await day2('config', 'unset', 'kubeconfig')).code, 0);
  const { json } = await check();
  const nodes = cell(json, 'nodes-ready', null);
  assert.notEqual(nodes?.status, 'ok');
  assert.match(JSON.stringify(nodes), /no cluster/);

  const missing = await day2('check', '--only', 'nodes-ready', '--kubeconfig', join(home, 'nope.kubeconfig'));
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /^day2-tui: the kubeconfig .*nope\.kubeconfig \(from flag --kubeconfig\) does not exist/);
});
