// How a host runs its control plane, and the commands that stop, start and restart it either way.
// OCP 3.10 masters run etcd, the API and the controllers as static pods of the node service's kubelet
// (manifests in /etc/origin/node/pods/); external etcd hosts (and 3.9-era installs) run systemd units.
// The RPM's etcd.service exists on a static-pod master too, disabled: `systemctl stop etcd` there stops
// nothing, so every stop is checked by what really listens, never by the unit's state alone.

import type { CommandCheck, FactProbe, HostFacts, StepContext } from '../engine/types.js';
import type { Host, Inventory } from '../inventory/types.js';
import { argv, literal, type ShellCommand, sh } from '../transport/shell.js';
import type { CommandOutput } from '../transport/types.js';
import { etcdAddress } from './etcd.js';
import { apiPort } from './master-config.js';

export type Component = 'etcd' | 'api' | 'controllers';
const COMPONENTS: readonly Component[] = ['etcd', 'api', 'controllers'];

export const PODS_DIR = '/etc/origin/node/pods';
/** Where a stopped static pod's manifest is kept (the 3.11 docs' place); moved back to start it. */
export const STOPPED_DIR = '/etc/origin/node/pods-stopped';
export const ETCD_CONF = '/etc/etcd/etcd.conf';

const MANIFESTS: Record<Component, string> = { etcd: 'etcd.yaml', api: 'apiserver.yaml', controllers: 'controller.yaml' };
const UNITS: Record<Component, readonly string[]> = {
  etcd: ['etcd.service'],
  api: ['atomic-openshift-master-api.service', 'origin-master-api.service'],
  controllers: ['atomic-openshift-master-controllers.service', 'origin-master-controllers.service'],
};

export type Runtime =
  | { kind: 'static-pod'; component: Component; manifest: string; stopped: string }
  | { kind: 'systemd'; component: Component; unit: string };

/** Per component, how this host runs it (absent: the host does not run it). */
export type ControlPlane = Partial<Record<Component, Runtime>>;

const CONTROL_PLANE_FACT = 'control-plane';

export function manifestPath(c: Component): string {
  return `${PODS_DIR}/${MANIFESTS[c]}`;
}
export function stoppedManifestPath(c: Component): string {
  return `${STOPPED_DIR}/${MANIFESTS[c]}`;
}

// ---- detection -------------------------------------------------------------------------------------

/** One line per component: `etcd manifest=pods|stopped|none unit=NAME|none enabled=… active=…`. */
export function controlPlaneProbeCommand(): ShellCommand {
  const parts = COMPONENTS.map((c) => {
    const unitDirs = ['/usr/lib/systemd/system', '/etc/systemd/system'];
    const units = inSequence(UNITS[c].flatMap((u) => unitDirs.map((d) => sh`if test -z "$u" && test -e ${`${d}/${u}`}; then u=${u}; fi`)));
    return sh`m=none; if test -e ${manifestPath(c)}; then m=pods; fi; if test "$m" = none
      && test -e ${stoppedManifestPath(c)}; then m=stopped; fi; u=; ${units}; e=-; a=-; if test -n "$u";
      then e=$(systemctl is-enabled "$u" 2>/dev/null); a=$(systemctl is-active "$u" 2>/dev/null); fi;
      echo ${c} "manifest=$m" "unit=\${u:-none}" "enabled=\${e:--}" "active=\${a:--}"`;
  });
  return inSequence(parts);
}

/** Commands one after the other in one script (each already quoted by sh/argv). */
function inSequence(cmds: ShellCommand[]): ShellCommand {
  return literal(cmds.map((c) => c.script).join('; '));
}

/** The probe's output → the runtime of each component this host runs. A manifest (even moved aside by an earlier run) wins. */
export function parseControlPlane(out: CommandOutput): ControlPlane {
  const cp: ControlPlane = {};
  const seen = new Set<string>();
  for (const line of out.stdout.split('\n')) {
    const m = /^(etcd|api|controllers) manifest=(pods|stopped|none) unit=(\S+) enabled=(\S*) active=(\S*)$/.exec(line.trim());
    if (!m) continue;
    const c = m[1] as Component;
    seen.add(c);
    if (m[2] !== 'none') cp[c] = { kind: 'static-pod', component: c, manifest: manifestPath(c), stopped: stoppedManifestPath(c) };
    else if (m[3] !== 'none' && (m[4] === 'enabled' || m[5] === 'active')) cp[c] = { kind: 'systemd', component: c, unit: m[3]! };
  }
  if (seen.size !== COMPONENTS.length) {
    const said = `${out.stdout}${out.stderr}`.trim().split('\n').slice(-2).join(' / ').slice(-200);
    throw new Error(`could not read how the control plane runs (exit ${out.exitCode})${said ? `: ${said}` : ''}`);
  }
  return cp;
}

function describeRuntime(r: Runtime | undefined): string {
  if (!r) return 'not run here';
  return r.kind === 'static-pod' ? 'static pod' : r.unit;
}

/** The masters and etcd hosts of the inventory, in inventory order. */
function controlPlaneHosts(inventory: Inventory): Host[] {
  return inventory.hosts.filter((h) => h.roles.includes('master') || h.roles.includes('etcd'));
}

/** The fact every procedure that stops, starts or restarts etcd, the API or the controllers declares. */
export const controlPlaneProbe: FactProbe = {
  name: CONTROL_PLANE_FACT,
  describe: 'how the host runs etcd, the API and the controllers (static pod or systemd unit)',
  where: (ctx) => controlPlaneHosts(ctx.inventory),
  command: () => controlPlaneProbeCommand(),
  parse: (out) => parseControlPlane(out),
  summary: (v) => COMPONENTS.map((c) => `${c} ${describeRuntime((v as ControlPlane)[c])}`).join(', '),
};

/** How `host` runs `component`; throws a sentence naming the host when it cannot be told. */
export function runtimeOf(ctx: StepContext, host: Host, component: Component): Runtime {
  if (!ctx.facts) {
    throw new Error(`how ${host.name} runs ${component} (static pod or systemd unit) is read from the host when the run starts`);
  }
  const cp = ctx.facts.get(CONTROL_PLANE_FACT, host) as ControlPlane;
  const r = cp[component];
  if (r) return r;
  const where = `${manifestPath(component)} (or ${STOPPED_DIR}/)`;
  throw new Error(
    `${host.name}: no static pod manifest ${where} and no enabled or active ${UNITS[component].join(' / ')}: cannot ` +
      `tell how ${component} runs there`,
  );
}

/** The RPM's etcd unit: how etcd runs on a host that is not a master. */
const ETCD_RPM_UNIT: Runtime = { kind: 'systemd', component: 'etcd', unit: UNITS.etcd[0]! };

/**
 * How etcd runs on a host joining the cluster: a master as it already does there (its etcd manifest, even one
 * moved aside by a removal, is a static pod; an enabled etcd.service a unit); any other host the RPM's unit.
 * A master whose API is a static pod but that has no etcd manifest has nothing to start etcd from: refused.
 */
export function joiningEtcdRuntime(ctx: StepContext, host: Host): Runtime {
  if (!host.roles.includes('master')) return ETCD_RPM_UNIT;
  if (!ctx.facts) throw new Error(`how ${host.name} runs etcd (static pod or systemd unit) is read from the host when the run starts`);
  const cp = ctx.facts.get(CONTROL_PLANE_FACT, host) as ControlPlane;
  if (cp.etcd) return cp.etcd;
  if (cp.api?.kind === 'static-pod') {
    throw new Error(
      `${host.name} runs the API as a static pod but has no etcd manifest (${manifestPath('etcd')}, or in ` +
        `${STOPPED_DIR}/): copy etcd.yaml from another master's ${PODS_DIR}/ into ${host.name}'s ${STOPPED_DIR}/, then run this again`,
    );
  }
  return ETCD_RPM_UNIT;
}

/** Facts as a test or the demo knows them: every named host runs every component in the given form. */
export function knownControlPlane(kinds: Record<string, 'static-pod' | 'systemd'>): HostFacts {
  return {
    get(name, host) {
      const k = kinds[host.name];
      if (name !== CONTROL_PLANE_FACT || !k) throw new Error(`${host.name}: no ${name} fact`);
      const cp: ControlPlane = {};
      for (const c of COMPONENTS) {
        cp[c] =
          k === 'static-pod'
            ? { kind: k, component: c, manifest: manifestPath(c), stopped: stoppedManifestPath(c) }
            : { kind: k, component: c, unit: UNITS[c][0]! };
      }
      return cp;
    },
  };
}

// ---- operations ------------------------------------------------------------------------------------

/** Stop: the manifest moved to pods-stopped/ (kept, never deleted), or `systemctl stop`. */
export function stopCommand(r: Runtime): ShellCommand {
  if (r.kind === 'systemd') return argv('systemctl', 'stop', r.unit);
  const gone = `${r.manifest} is not there (already moved to ${STOPPED_DIR}/)`;
  return sh`mkdir -p ${STOPPED_DIR} && if test -e ${r.manifest}; then mv ${r.manifest} ${r.stopped}; else echo ${gone}; fi`;
}

/** Start: the manifest moved back from pods-stopped/, or `systemctl start`. */
export function startCommand(r: Runtime): ShellCommand {
  if (r.kind === 'systemd') return argv('systemctl', 'start', r.unit);
  const missing = `${r.manifest} is missing: nothing to start`;
  return sh`if test -e ${r.stopped}; then mv ${r.stopped} ${r.manifest}; fi; test -e ${r.manifest} || { echo ${missing}; exit 1; }`;
}

/** Restart: `master-restart COMPONENT` (the kubelet starts the pod again), or `systemctl restart`. */
export function restartCommand(r: Runtime): ShellCommand {
  if (r.kind === 'systemd') return argv('systemctl', 'restart', r.unit);
  return argv('master-restart', r.component);
}

/**
 * Stop for good (it does not come back at a reboot): a static pod's manifest moved to pods-stopped/ (the
 * kubelet starts only what is in pods/), or `systemctl disable --now`.
 */
export function disableCommand(r: Runtime): ShellCommand {
  return r.kind === 'systemd' ? argv('systemctl', 'disable', '--now', r.unit) : stopCommand(r);
}

/** Start, and start at every boot: `systemctl enable --now`, or a static pod's manifest moved back to pods/. */
export function enableCommand(r: Runtime): ShellCommand {
  return r.kind === 'systemd' ? argv('systemctl', 'enable', '--now', r.unit) : startCommand(r);
}

/** A shell test that succeeds once the runtime says the component is stopped (a pod's container may take its grace period). */
export function stoppedPredicate(r: Runtime): ShellCommand {
  return sh`test "$(${runningCommand(r)})" = stopped`;
}

/** A shell test that succeeds once the runtime says the component runs. */
export function runningPredicate(r: Runtime): ShellCommand {
  return sh`test "$(${runningCommand(r)})" = running`;
}

/** Prints `running`/`stopped`, then `enabled`/`disabled` (a static pod is enabled while its manifest is in pods/). */
export function stateCommand(r: Runtime): ShellCommand {
  const enabled = r.kind === 'systemd' ? sh`test "$(systemctl is-enabled ${r.unit} 2>/dev/null)" = enabled` : sh`test -e ${r.manifest}`;
  return sh`${runningCommand(r)}; if ${enabled}; then echo enabled; else echo disabled; fi`;
}

/** stateCommand's output: stopped and disabled, else what is still on. */
export function disabledVerdict(out: CommandOutput, r: Runtime): true | string {
  const how = r.kind === 'static-pod' ? `its static pod (${r.manifest})` : r.unit;
  if (/^running$/m.test(out.stdout)) return `${r.component} still runs as ${how}`;
  if (/^enabled$/m.test(out.stdout))
    return r.kind === 'static-pod' ? `${r.manifest} is still there: the kubelet starts it again` : `${r.unit} is still enabled`;
  return (
    (/^stopped$/m.test(out.stdout) && /^disabled$/m.test(out.stdout)) ||
    `could not tell whether ${r.component} runs: ${out.stdout.trim().slice(0, 200)}`
  );
}

/** The master's own /healthz (the guide's `curl -k https://<master>:8443/healthz`). */
export function apiHealthzUrl(inventory: Inventory, host: Host): string {
  return `https://${etcdAddress(host)}:${apiPort(inventory, host)}/healthz`;
}

/** A shell test that succeeds while the API at `url` says ok. */
export function apiHealthyPredicate(url: string): ShellCommand {
  return sh`test "$(curl -sk --max-time 5 ${url})" = ok`;
}

/** The component's log, followed from now on: `master-logs C C -f --tail 0`, or `journalctl -f`. */
export function followLogCommand(r: Runtime): ShellCommand {
  if (r.kind === 'systemd') return argv('journalctl', '-f', '-n', '0', '-u', r.unit, '--no-pager');
  return argv('master-logs', r.component, r.component, '-f', '--tail', '0');
}

/** The last lines of the component's log. */
export function recentLogCommand(r: Runtime, lines = 50): ShellCommand {
  if (r.kind === 'systemd') return argv('journalctl', '-u', r.unit, '-n', String(lines), '--no-pager');
  return argv('master-logs', r.component, r.component, '--tail', String(lines));
}

/** Prints `running` or `stopped` as the runtime itself sees it (a container of the pod, or the unit active). */
export function runningCommand(r: Runtime): ShellCommand {
  if (r.kind === 'systemd') return sh`if test "$(systemctl is-active ${r.unit})" = active; then echo running; else echo stopped; fi`;
  // the pod's own labels (openshift.io/component) are on its POD sandbox only: the kubelet labels an app
  // container with io.kubernetes.* alone; in kube-system only the control-plane pod has this container name
  const filter = [
    '--filter',
    `label=io.kubernetes.container.name=${r.component}`,
    '--filter',
    'label=io.kubernetes.pod.namespace=kube-system',
  ];
  return sh`if test -n "$(docker ps -q ${filter} 2>/dev/null)"; then echo running; else echo stopped; fi`;
}

// ---- etcd: really stopped, force-new-cluster ---------------------------------------------------------

/**
 * Does something listen on addr:port in `ss -l…n` output (a wildcard listener counts)? The local address
 * is field 4 of `ss -ltn` and field 5 of `ss -l4n`, which starts with the Netid.
 */
export function ssListens(ss: string, addr: string, port: number): boolean {
  const wanted = [`${addr}:${port}`, `0.0.0.0:${port}`, `*:${port}`, `[::]:${port}`];
  return ss.split('\n').some((l) =>
    l
      .trim()
      .split(/\s+/)
      .slice(3, 5)
      .some((x) => wanted.includes(x)),
  );
}

/** The commands whose output etcdGoneVerdict reads: the runtime's own view and the member's listeners. */
function etcdGoneCommand(r: Runtime): ShellCommand {
  return sh`${runningCommand(r)}; ss -ltn 2>/dev/null`;
}

/** etcd is gone from this member: the runtime says stopped and nothing listens on its 2379/2380. */
export function etcdGoneVerdict(out: CommandOutput, r: Runtime, addr: string): true | string {
  const how = r.kind === 'static-pod' ? 'its static pod' : r.unit;
  if (/^running$/m.test(out.stdout)) return `etcd still runs as ${how}`;
  const busy = [2379, 2380].filter((p) => ssListens(out.stdout, addr, p));
  if (busy.length > 0) return `etcd is stopped as ${how}, but something still listens on ${busy.map((p) => `${addr}:${p}`).join(' and ')}`;
  return /^stopped$/m.test(out.stdout) || `could not tell whether etcd runs: ${out.stdout.trim().slice(0, 200)}`;
}

/** etcd is really gone from the step's host (ctx.host): see etcdGoneVerdict. */
export const etcdGone: CommandCheck = {
  describe: 'etcd is really stopped on this member (the runtime says so and nothing listens on its 2379/2380)',
  command: (ctx) => etcdGoneCommand(runtimeOf(ctx, ctx.host!, 'etcd')),
  ok: (out, ctx) => etcdGoneVerdict(out, runtimeOf(ctx, ctx.host!, 'etcd'), etcdAddress(ctx.host!)),
};

/** openshift-ansible's own force-new-cluster for a static pod: the line in etcd.conf (removed afterwards). */
const FORCE_NEW_CLUSTER_LINE = 'ETCD_FORCE_NEW_CLUSTER=true';

export function forceNewClusterConfOn(): ShellCommand[] {
  return [
    sh`grep -q ${`^${FORCE_NEW_CLUSTER_LINE}$`} ${ETCD_CONF} || echo ${FORCE_NEW_CLUSTER_LINE} >> ${ETCD_CONF}`,
    sh`grep -n '^ETCD_FORCE_NEW_CLUSTER=' ${ETCD_CONF}`,
  ];
}

export function forceNewClusterConfOff(): ShellCommand[] {
  return [sh`sed -i '/^ETCD_FORCE_NEW_CLUSTER=/d' ${ETCD_CONF}`, sh`! grep -q '^ETCD_FORCE_NEW_CLUSTER=' ${ETCD_CONF}`];
}

/**
 * How the member's running etcd was started (found by its client address in its arguments or environment):
 * prints `etcd: force-new-cluster`, `etcd: cluster` or `etcd: not running`. The flag acts only at start-up,
 * so a member whose configuration no longer has it still runs as started until it is restarted, and a unit's
 * loaded ExecStart keeps it until daemon-reload: the restart is what ends it.
 */
export function runningEtcdModeCommand(addr: string): ShellCommand {
  const mine = `${addr}:2379`;
  const flag = ['-e', '^--force-new-cluster(=true)?$', '-e', '^ETCD_FORCE_NEW_CLUSTER=true$'];
  const read = sh`{ tr '\\0' '\\n' < /proc/$p/cmdline; echo; tr '\\0' '\\n' < /proc/$p/environ; } 2>/dev/null`;
  const flagged = sh`printf '%s\\n' "$a" | grep -qE ${flag}`;
  return sh`m='etcd: not running'; for p in $(pgrep -x etcd); do a=$( ${read});
    case "$a" in *${mine}*) if ${flagged}; then m='etcd: force-new-cluster'; else m='etcd: cluster'; fi ;; esac; done; echo "$m"`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A shell test that succeeds once etcd is gone from the member at `addr` (for a wait after a stop). */
export function etcdGonePredicate(r: Runtime, addr: string): ShellCommand {
  const ports = `^(${escapeRe(addr)}|0\\.0\\.0\\.0|\\*|\\[::\\]):(2379|2380)$`;
  return sh`${stoppedPredicate(r)} && ! ss -ltn 2>/dev/null | awk '{print $4}' | grep -qE -e ${ports}`;
}

/**
 * How long a start may take before it counts as failed. A static pod restarted several times within ten
 * minutes (a restore stops and starts it more than once) waits out the kubelet's crash-loop back-off,
 * which doubles from 10 s up to 5 minutes: a start that comes 300 s late is still on its way.
 */
export function startWithinSeconds(r: Runtime): number {
  return r.kind === 'static-pod' ? 330 + 60 : 90;
}
