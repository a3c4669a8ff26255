// Helpers shared by the lab tests (test/procedures, test/engine, test/e2e): running commands and the CLI
// against the lab in $LAB_DIR, ssh to its hosts, the etcd cluster's state, the journals and audit log of a
// run, and putting master-2's etcd member back after a test removed it. Not a test file itself (no
// `.test.ts`), so the runner does not pick it up.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialCluster, joinConfCommands, memberAddCommand, moveAsideCommand } from '../../procedures/etcd-restore.js';
import type { Journal } from '../../src/engine/journal.js';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LAB_SH = join(ROOT, 'test', 'lab', 'lab.sh');
export const CTL = join(ROOT, 'test', 'lab', 'api', 'ctl.sh');
export const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
export const BIN = join(ROOT, 'bin', 'day2-tui');
export const labDir = process.env.LAB_DIR ? resolve(process.env.LAB_DIR) : '';
export const MASTERS = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];
/** The members' client URLs, one each; EPS all of them, SURVIVORS master-0's and master-1's. */
export const EP = MASTERS.map((_, i) => `https://127.0.10.${i + 1}:2379`);
export const EPS = EP.join(',');
export const SURVIVORS = EP.slice(0, 2).join(',');
export const M2_PEER = 'https://127.0.10.3:2380';
/** etcdctl v2 / v3 TLS flags. */
export const CERTS = '--cert-file /etc/etcd/peer.crt --key-file /etc/etcd/peer.key --ca-file /etc/etcd/ca.crt';
export const CERTS3 = '--cert /etc/etcd/peer.crt --key /etc/etcd/peer.key --cacert /etc/etcd/ca.crt';

export const sleep = (ms: number) => new Promise<void>((f) => setTimeout(f, ms));

/** FILE ARGS in the repository, NO_COLOR=1 and `env` over this process's environment; never rejects. */
export function run(file: string, args: string[], timeoutMs = 180_000, env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** The environment that puts the lab's `oc` (DIR/api/bin/oc: the real kubectl against the lab's cluster API) first on PATH. */
export const ocOnPath = (): Record<string, string> => ({ PATH: `${join(labDir, 'api', 'bin')}:${process.env.PATH ?? ''}` });

export const ssh = (host: string, command: string, timeoutMs = 60_000) =>
  run('bash', [LAB_SH, 'ssh', '--dir', labDir, host, command], timeoutMs);
export const oc = (...args: string[]) => run(join(labDir, 'api', 'bin', 'oc'), args, 60_000, ocOnPath());
/** A result for an assertion message: exit code and the tails of stdout and stderr. */
export const show = (r: Result, outChars = 10_000, errChars = 4_000) =>
  `exit ${r.code}\n--- stdout\n${r.stdout.slice(-outChars)}\n--- stderr\n${r.stderr.slice(-errChars)}`;

/** One health check's cells on the lab (`day2-tui check --json --only CHECK`): host → "status: message". */
export async function checkCells(check: string, stateDir: string): Promise<Map<string, string>> {
  const r = await run(process.execPath, ['--import', 'tsx', MAIN, 'check', '--json', '--only', check, ...labArgs(stateDir)]);
  const json = JSON.parse(r.stdout) as { results: { host: string; status: string; message: string }[] };
  return new Map(json.results.map((c) => [c.host, `${c.status}: ${c.message}`]));
}

/** The day2-tui options for the lab's inventory and known_hosts, with a state dir of its own. */
export const labArgs = (stateDir: string, inventory = join(labDir, 'hosts.ini')) => [
  '-i',
  inventory,
  '--known-hosts',
  join(labDir, 'known_hosts'),
  '--state-dir',
  stateDir,
];

/** For a test's `before`: LAB_DIR is set and its lab is up (hosts.ini there, `lab.sh status` ok); fails, never skips. */
export async function assertLabUp(): Promise<void> {
  assert.ok(labDir, 'LAB_DIR is not set: start a lab (bash test/lab/lab.sh up --dir DIR) and export LAB_DIR=DIR');
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  const st = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(st.code, 0, `the lab in ${labDir} is not up:\n${show(st)}`);
}

export interface Day2Options {
  /** default 900 s: a whole restore with three API restarts, on a machine that may be busy (400 s was too short there) */
  timeoutMs?: number;
  /** the built console (bin/day2-tui) instead of the sources through tsx */
  bin?: boolean;
  env?: Record<string, string>;
  /** another inventory than the lab's hosts.ini */
  inventory?: string;
}

/**
 * `day2-tui run … --yes` with the lab's `oc` on PATH, each run with a state dir of its own under `root()`
 * (numbered; returned as `state`), for the tests that read a run's audit log afterwards.
 */
export function numberedOcDay2(
  root: () => string,
  timeoutMs: number,
): (procedure: string, params: Record<string, string>) => Promise<Result & { state: string }> {
  let n = 0;
  return (procedure, params) => {
    const state = join(root(), `state-${++n}-${procedure}`);
    return day2(procedure, params, state, { timeoutMs, env: ocOnPath() }).then((r) => ({ ...r, state }));
  };
}

/** `day2-tui run <procedure> --param k=v… --yes` against the lab. */
export function day2(procedure: string, params: Record<string, string>, stateDir: string, opts: Day2Options = {}): Promise<Result> {
  const p = Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
  const args = ['run', procedure, ...p, '--yes', ...labArgs(stateDir, opts.inventory)];
  return opts.bin
    ? run(BIN, args, opts.timeoutMs ?? 900_000, opts.env)
    : run(process.execPath, ['--import', 'tsx', MAIN, ...args], opts.timeoutMs ?? 900_000, opts.env);
}

/** Today as YYYYMMDD (local time), as the backups name their directories. */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

/** `lab.sh fingerprint` (with `opts`, e.g. --v3): a digest of the cluster's keys. */
export async function fingerprint(...opts: string[]): Promise<string> {
  const r = await run('bash', [LAB_SH, 'fingerprint', '--dir', labDir, ...opts]);
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim();
}

/** v3 endpoint health of all three, from master-0 (full flags, not the shim alias). */
export const endpointHealth = (): Promise<Result> => ssh(MASTERS[0]!, `ETCDCTL_API=3 etcdctl ${CERTS3} --endpoints ${EPS} endpoint health`);

/** v2 member list, from master-0. */
export const memberList = (endpoints = EPS): Promise<Result> =>
  ssh(MASTERS[0]!, `ETCDCTL_API=2 etcdctl ${CERTS} --endpoints ${endpoints} member list`);

/** v3 endpoint health of all three and the v2 member list. */
export async function clusterState(): Promise<{ healthy: boolean; list: string }> {
  const h = await endpointHealth();
  const l = await memberList();
  return { healthy: h.code === 0 && l.code === 0, list: l.stdout };
}

/** 3 started members, original names, https peer URLs. */
export function membershipOk(list: string): boolean {
  return (
    MASTERS.every((m, i) => new RegExp(`name=${m.replace(/\./g, '\\.')} peerURLs=https://127\\.0\\.10\\.${i + 1}:2380 `).test(list)) &&
    list.trim().split('\n').length === 3
  );
}

/** 3 started members, original names, https peer URLs, all healthy. */
export async function threeHealthy(): Promise<boolean> {
  const s = await clusterState();
  return s.healthy && membershipOk(s.list);
}

/** threeHealthy() within `seconds` (polled every second). */
export async function waitHealthy(seconds = 30): Promise<boolean> {
  for (let i = 0; i < seconds; i++) {
    if (await threeHealthy()) return true;
    await sleep(1000);
  }
  return false;
}

/**
 * For an etcd test's `before`: 3 healthy members with their names and https peer URLs, or else etcd put
 * back to the copy the lab saved after `up` (`lab.sh etcd-reset`), so that one failed test stays one failure.
 */
export async function ensureHealthyEtcd(): Promise<void> {
  const saved = join(labDir, 'saved', 'fingerprint');
  const want = existsSync(saved) ? readFileSync(saved, 'utf8').trim() : undefined;
  if ((await waitHealthy(5)) && (want === undefined || (await fingerprint()) === want)) return;
  console.log('etcd is not 3 healthy members with the seeded data: putting it back to the lab’s saved copy (lab.sh etcd-reset)');
  const r = await run('bash', [LAB_SH, 'etcd-reset', '--dir', labDir], 300_000);
  assert.equal(r.code, 0, `etcd was not healthy and lab.sh etcd-reset failed:\n${show(r)}`);
  assert.ok(await waitHealthy(30), 'etcd is not 3 healthy members even after lab.sh etcd-reset');
}

/**
 * The etcd backup a test restores from, taken with the product on master-0 into a directory of its own
 * (`/backup/etcd-<tag>-test-<pid>`: same-day backups of other tests, member.old-* copies, stay out of it);
 * etcd healthy again after it. Returns the directory.
 */
export async function takeEtcdBackup(tag: string, stateDir: string): Promise<string> {
  const dir = `/backup/etcd-${tag}-test-${process.pid}`;
  const r = await day2('etcd-backup', { host: MASTERS[0]!, 'backup-dir': dir }, stateDir);
  assert.equal(r.code, 0, show(r));
  assert.ok(await waitHealthy(), 'etcd is not healthy after the backup');
  return dir;
}

/** How the lab's masters run etcd, the API and the controllers (`lab.sh up --control-plane`, in lab.json). */
export function controlPlane(): 'static' | 'systemd' {
  return labJson().controlPlane === 'static' ? 'static' : 'systemd';
}

/** A host of lab.json. */
export interface LabHost {
  name: string;
  address: string;
  roles: string[];
  sshdPid: number;
}

/** What `lab.sh up` wrote in DIR/lab.json (the parts the tests read). */
export interface LabJson {
  hosts: LabHost[];
  controlPlane?: string;
  etcdHosts?: number;
  etcd: { endpoints: string[] };
}

export function labJson(): LabJson {
  return JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as LabJson;
}

/** Every host of the lab, by name (lab.json). */
export function labHosts(): string[] {
  return labJson().hosts.map((h) => h.name);
}

/**
 * The lab's hosts with `role` (lab.json, in its order). The etcd members are those with role etcd: the masters
 * of a default lab, the etcd-K hosts of one started with `--etcd-hosts N` (MASTERS, EP… assume the former).
 */
export function labHostsWithRole(role: string): LabHost[] {
  return labJson().hosts.filter((h) => h.roles.includes(role));
}

/** How many external etcd hosts the lab has (`lab.sh up --etcd-hosts N`, in lab.json; 0: etcd on the masters). */
export function etcdHostCount(): number {
  return labJson().etcdHosts ?? 0;
}

const ETCD_CONTAINER =
  'docker ps -q --filter label=io.kubernetes.container.name=etcd --filter label=io.kubernetes.pod.namespace=kube-system';

/**
 * The test (not the product) stops etcd on master `m` the way the lab runs it — the static pod's manifest
 * moved to pods-stopped/ and waited out, or `systemctl stop` — with the command lab.sh itself uses.
 */
export async function stopEtcdByHand(m: string): Promise<string> {
  return etcdByHand(m, 'stop');
}

/** The command that starts or stops etcd on master `m` the way the lab runs it (lab.sh etcd-command). */
export async function etcdByHand(m: string, what: 'start' | 'stop'): Promise<string> {
  const r = await run('bash', [LAB_SH, 'etcd-command', '--dir', labDir, m, what]);
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim();
}

/**
 * On `host`: `file` back from its newest .bak-* copy when that copy names master-2 and the file no longer
 * does (a removal of master-2 edited it); prints the file's line(s) that name the etcd URLs.
 */
function restoreNamingM2(file: string, pattern: string): string {
  return (
    `b=$(ls -t ${file}.bak-* 2>/dev/null | head -1); if test -n "$b" && grep -q '${MASTERS[2]}` +
    `\\|127\\.0\\.10\\.3' "$b" && ! grep -q '${MASTERS[2]}\\|127\\.0\\.10\\.3' ${file}; then ` +
    `cp -p "$b" ${file}; fi; grep '${pattern}' ${file} || true`
  );
}

/** Per master, in order: `active` when its etcd runs (the static pod's container, or the unit). */
export async function activeEverywhere(): Promise<string[]> {
  const probe =
    controlPlane() === 'static' ? `test -n "$(${ETCD_CONTAINER})" && echo active || echo inactive` : 'systemctl is-active etcd.service';
  const out: string[] = [];
  for (const m of MASTERS) out.push((await ssh(m, probe)).stdout.trim());
  return out;
}

/** The journals of the runs in a state dir (one being rewritten is left out). */
export function journals(stateDir: string): Journal[] {
  const dir = join(stateDir, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .flatMap((n) => {
      try {
        return [JSON.parse(readFileSync(join(dir, n), 'utf8')) as Journal];
      } catch {
        return []; // being rewritten
      }
    });
}

/** `host command` of every command the run's audit log holds. */
export function audited(stateDir: string): string[] {
  const f = join(stateDir, 'audit.log');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((x) => JSON.parse(x) as { kind: string; host: string | null; command?: string })
    .filter((x) => x.kind === 'command')
    .map((x) => `${x.host ?? 'bastion'} ${x.command}`);
}

/** An ssh to a host (150 s) that adds the command and its result to `log`. */
export function loggedSsh(log: string[]): (host: string, command: string) => Promise<Result> {
  return async (h, c) => {
    const r = await ssh(h, c, 150_000);
    log.push(`${h}$ ${c.slice(0, 160)}\n${show(r)}`);
    return r;
  };
}

/**
 * Puts master-2's etcd member back (the test, not the product), as etcd-restore's join step does:
 * survivors' etcd.conf from the .bak the removal kept; member add on master-0; on master-2 the data dir
 * moved aside, ETCD_INITIAL_CLUSTER=<printed> + ETCD_INITIAL_CLUSTER_STATE=existing, enable + start.
 * `tag` names what it moves aside (/var/lib/etcd.old-<tag>-<time>, etcd.conf.bak-<tag>-<time>); the
 * commands and their results are added to `log`, which is returned joined.
 */
export async function putBack(tag: string, log: string[] = []): Promise<string> {
  const step = loggedSsh(log);
  for (const m of MASTERS.slice(0, 2)) {
    await step(
      m,
      `b=$(ls -t /etc/etcd/etcd.conf.bak-* 2>/dev/null | head -1); if test -n "$b" && grep -q '` +
        `${MASTERS[2]}=' "$b" && ! grep -q '^ETCD_INITIAL_CLUSTER=.*${MASTERS[2]}=' ` +
        `/etc/etcd/etcd.conf; then cp -p "$b" /etc/etcd/etcd.conf; fi; grep ^ETCD_INITIAL_CLUSTER= ` +
        `/etc/etcd/etcd.conf`,
    );
  }
  // the clients a removal of master-2 edited: every master's etcdClientInfo.urls, every host's flanneld
  for (const m of MASTERS) await step(m, restoreNamingM2('/etc/origin/master/master-config.yaml', ':2379'));
  for (const h of labHosts()) await step(h, restoreNamingM2('/etc/sysconfig/flanneld', '^FLANNEL_ETCD_ENDPOINTS='));
  const stop = await etcdByHand(MASTERS[2]!, 'stop');
  const start =
    controlPlane() === 'static'
      ? await etcdByHand(MASTERS[2]!, 'start')
      : 'systemctl enable etcd.service; systemctl start etcd.service; systemctl is-active etcd.service';
  const l = await memberList(SURVIVORS);
  if (!l.stdout.includes(`peerURLs=${M2_PEER}`) || !/name=master-2/.test(l.stdout)) {
    // not (started) in the list: stop it, move its data aside, add it, join it
    if (l.stdout.includes(`peerURLs=${M2_PEER}`)) {
      const id = new RegExp(`^([0-9a-f]+).*peerURLs=${M2_PEER.replace(/\./g, '\\.')}`, 'm').exec(l.stdout)?.[1];
      if (id) await step(MASTERS[0]!, `ETCDCTL_API=2 etcdctl ${CERTS} --endpoints ${SURVIVORS} member remove ${id}`);
    }
    await step(MASTERS[2]!, `${stop}; ${moveAsideCommand(`/var/lib/etcd.old-${tag}-${Date.now()}`).script}; ls -A /var/lib/etcd | wc -l`);
    const add = await step(MASTERS[0]!, memberAddCommand(EP.slice(0, 2), MASTERS[2]!, M2_PEER).script);
    const list = await memberList(SURVIVORS);
    const ic = initialCluster(add.stdout, list.stdout, MASTERS[2]!, M2_PEER);
    for (const c of joinConfCommands(ic, `/etc/etcd/etcd.conf.bak-${tag}-${Date.now()}`)) await step(MASTERS[2]!, c.script);
    await step(MASTERS[2]!, start);
  } else {
    await step(
      MASTERS[2]!,
      controlPlane() === 'static'
        ? start
        : 'systemctl enable etcd.service; systemctl is-active etcd.service || systemctl start etcd.service',
    );
  }
  return log.join('\n');
}

/**
 * Polls `endpoint health` of `endpoints` (default master-0 and master-1) from `host` (default master-0)
 * every 0.5 s until `stopFile` exists on that host (touch it to stop). Each poll prints a line
 * `POLL ok <time>` or `POLL lost <time> <etcdctl's output>`; `done` resolves with them when the loop ends.
 */
export function startPoll(stopFile: string, endpoints = SURVIVORS, host = MASTERS[0]!): { done: Promise<Result> } {
  const loop =
    `rm -f ${stopFile}; while test ! -e ${stopFile}; do if out=$(ETCDCTL_API=3 etcdctl ` +
    `${CERTS3} --endpoints ${endpoints} --command-timeout=2s endpoint health 2>&1); then echo ` +
    `"POLL ok $(date +%s.%N)"; else echo "POLL lost $(date +%s.%N) $(printf '%s' "$out" | tr ` +
    `'\\n' ' ')"; fi; sleep 0.5; done; rm -f ${stopFile}`;
  const child = spawn('bash', [LAB_SH, 'ssh', '--dir', labDir, host, loop], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return { done: new Promise((f) => child.on('close', (code) => f({ code: code ?? -1, stdout, stderr }))) };
}

/** One cell of `day2-tui check --json`. */
export interface CheckCell {
  check: string;
  host: string | null;
  status: string;
  message: string;
}

/** `day2-tui check --json ARGS` on the lab's inventory, as on its bastion (`lab.sh bastion`): exit code and cells. */
export async function labCheck(args: string[]): Promise<{ code: number; cells: CheckCell[]; raw: Result }> {
  const r = await run(
    'bash',
    [
      LAB_SH,
      'bastion',
      '--dir',
      labDir,
      '--',
      process.execPath,
      '--import',
      'tsx',
      MAIN,
      'check',
      '--json',
      ...labArgs(join(labDir, 'check-state')),
      ...args,
    ],
    180_000,
    ocOnPath(),
  );
  try {
    return { code: r.code, cells: (JSON.parse(r.stdout) as { results: CheckCell[] }).results, raw: r };
  } catch {
    assert.fail(`check ${args.join(' ')}: exit ${r.code}, output is not JSON:\n${show(r)}`);
  }
}

/** The node names of `oc get nodes` (the lab's cluster API). */
export async function nodeNames(): Promise<string[]> {
  const r = await oc('get', 'nodes', '-o', 'name');
  assert.equal(r.code, 0, show(r));
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^nodes?\//, ''));
}

/** The addresses the kubernetes service lists (the masters whose API runs). */
export async function apiEndpoints(): Promise<string[]> {
  const r = await oc('get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={range .subsets[*].addresses[*]}{.ip}{"\\n"}{end}');
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean);
}

/** lb-0's haproxy.cfg as a test reads and restores it. */
export function haproxyCfgPath(): string {
  return join(labDir, 'hosts', 'lb-0.lab.example.com', 'etc', 'haproxy', 'haproxy.cfg');
}

/** The cluster API back to its initial state (nodes, pods, replicas); haproxy.cfg back to `cfg0`, its copies gone. */
export async function resetCluster(cfg0: string): Promise<void> {
  const r = await run('bash', [CTL, join(labDir, 'api'), 'reset'], 180_000, ocOnPath());
  assert.equal(r.code, 0, show(r));
  const cfgPath = haproxyCfgPath();
  writeFileSync(cfgPath, cfg0);
  const dir = dirname(cfgPath);
  for (const f of readdirSync(dir)) if (f.startsWith('haproxy.cfg.bak-')) rmSync(join(dir, f));
}
