// Whether a lab master's API runs, told the way the host itself would tell it (what `master-restart api`
// acts on): a unit atomic-openshift-master-api (or origin-master-api) when one exists — its state as the
// systemctl shim keeps it — else the static pod's api container as kubelet.pl records it, alive only while
// its pid runs with the recorded start time (LabContainers.pm is_running). A host with neither (no unit,
// not a static-pod master) counts as running, as the lab did before it read either.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const API_UNITS = ['atomic-openshift-master-api.service', 'origin-master-api.service'] as const;
/** Where the systemctl shim finds a unit (_lib.sh unit_sources, and run/loaded: its daemon-reload copies). */
const UNIT_DIRS = ['etc/systemd/system', 'usr/lib/systemd/system', 'run/loaded'];
/** How long a just-started API's /healthz fails (its post-start hooks not done yet). */
export const NOT_READY_MS = 2000;

export interface ApiRun {
  runs: boolean;
  /** when the running API (re)started, ms since the epoch; unknown for a host with neither */
  since?: number;
}

/** The API of the host whose lab root is `hostRoot` (DIR/hosts/NAME). */
export function masterApi(hostRoot: string): ApiRun {
  const unit = API_UNITS.find((u) => UNIT_DIRS.some((d) => isFile(path.join(hostRoot, d, u))));
  if (unit) return unitRun(hostRoot, unit);
  if (isStaticMaster(hostRoot)) return podRun(path.join(hostRoot, 'run', 'containers'));
  return { runs: true };
}

/** /healthz says ok: it runs, and long enough (a host with neither is always ready). */
export const apiReady = (r: ApiRun, now = Date.now()): boolean => r.runs && (r.since === undefined || now - r.since >= NOT_READY_MS);

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The unit's state file says active (no state file: inactive, as systemctl says); since = when it was written. */
function unitRun(hostRoot: string, unit: string): ApiRun {
  const f = path.join(hostRoot, 'run', 'units', `${unit}.state`);
  try {
    if (readFileSync(f, 'utf8').trim() !== 'active') return { runs: false };
    return { runs: true, since: statSync(f).mtimeMs };
  } catch {
    return { runs: false };
  }
}

/** lab.sh marks a static-pod master in its host.env (boot.sh then starts kubelet.pl there). */
function isStaticMaster(hostRoot: string): boolean {
  try {
    return /^LAB_CONTROL_PLANE=static$/m.test(readFileSync(path.join(hostRoot, 'run', 'host.env'), 'utf8'));
  } catch {
    return false;
  }
}

interface ContainerRecord {
  state?: string;
  pid?: number;
  pstart?: string | number;
  started?: number;
  labels?: Record<string, string>;
}

/** The kube-system api container that runs (the newest, when a restart overlaps). */
function podRun(dir: string): ApiRun {
  let since: number | undefined;
  for (const r of records(dir)) {
    const l = r.labels ?? {};
    if (l['io.kubernetes.container.name'] !== 'api' || l['io.kubernetes.pod.namespace'] !== 'kube-system') continue;
    if (r.state !== 'running' || !alive(r.pid, r.pstart)) continue;
    since = Math.max(since ?? 0, (r.started ?? 0) * 1000);
  }
  return since === undefined ? { runs: false } : { runs: true, since };
}

function records(dir: string): ContainerRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      return [JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as ContainerRecord];
    } catch {
      return []; // removed meanwhile (records are written whole: never half)
    }
  });
}

/** The very process the record started: not gone, not a zombie, not a reused pid (/proc/PID/stat field 22). */
export function alive(pid: number | undefined, pstart: string | number | undefined): boolean {
  if (!pid || pstart === undefined) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return f[0] !== 'Z' && f[19] === String(pstart);
}
