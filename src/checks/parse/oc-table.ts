// Parser for the column tables `oc get` prints (kubectl's tabwriter: left-aligned columns, padded with
// spaces). Columns are cut at the header's word positions, so cells with a space in them work
// (`standard (default)`, `TRIGGERED BY`, `<none>`). Pure.

/** Headers that are two words. */
const MULTI_WORD = [
  'TRIGGERED BY',
  'NOMINATED NODE',
  'READINESS GATES',
  'EXTERNAL IP',
  'INTERNAL IP',
  'OS IMAGE',
  'KERNEL VERSION',
  'CONTAINER RUNTIME',
];

export type Row = Record<string, string>;

function headerColumns(header: string): { name: string; start: number }[] {
  const cols: { name: string; start: number }[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) {
    const prev = cols[cols.length - 1];
    if (prev && MULTI_WORD.includes(`${prev.name} ${m[0]}`) && header.slice(prev.start + prev.name.length, m.index) === ' ') {
      prev.name = `${prev.name} ${m[0]}`;
      continue;
    }
    cols.push({ name: m[0], start: m.index });
  }
  return cols;
}

/**
 * Table text → rows keyed by header names (upper-case, as printed). Lines before the header (an `oc`
 * warning) are skipped: the header is the first line whose first word is NAME (or `firstColumn`).
 */
export function parseOcTable(text: string, firstColumn = 'NAME'): Row[] {
  const all = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const hi = all.findIndex((l) => l.trimStart().startsWith(`${firstColumn} `) || l.trim() === firstColumn);
  if (hi < 0) return [];
  const cols = headerColumns(all[hi]!);
  const rows: Row[] = [];
  for (const line of all.slice(hi + 1)) {
    // Each cell starts at its header's position; when a longer cell pushed the text right (not aligned
    // input), move the cut to the start of the next word.
    const starts = cols.map((c) => c.start);
    for (let i = 1; i < starts.length; i++) {
      let s = starts[i]!;
      if (s <= starts[i - 1]!) s = starts[i - 1]! + 1;
      if (s < line.length && s > 0 && line[s - 1] !== ' ') {
        while (s < line.length && line[s] !== ' ') s++;
        while (s < line.length && line[s] === ' ') s++;
      }
      starts[i] = s;
    }
    const row: Row = {};
    cols.forEach((c, i) => {
      const end = i + 1 < cols.length ? starts[i + 1]! : line.length;
      row[c.name] = line.slice(starts[i]!, Math.max(starts[i]!, end)).trim();
    });
    rows.push(row);
  }
  return rows;
}

export interface OcNode {
  name: string;
  /** `Ready`, `NotReady`, `Unknown`, plus flags like `SchedulingDisabled`. */
  conditions: string[];
  ready: boolean;
  schedulingDisabled: boolean;
  roles?: string[];
  version?: string;
}

/** `oc get nodes` (3.6: NAME STATUS AGE VERSION; 3.10+: NAME STATUS ROLES AGE VERSION). */
export function parseOcNodes(text: string): OcNode[] {
  return parseOcTable(text).map((r) => {
    const conditions = (r['STATUS'] ?? '').split(',').filter(Boolean);
    const node: OcNode = {
      name: r['NAME'] ?? '',
      conditions,
      ready: conditions.includes('Ready'),
      schedulingDisabled: conditions.includes('SchedulingDisabled'),
    };
    if (r['ROLES'] !== undefined) node.roles = r['ROLES'] === '<none>' ? [] : r['ROLES'].split(',');
    if (r['VERSION'] !== undefined) node.version = r['VERSION'];
    return node;
  });
}

export interface OcDeploymentConfig {
  name: string;
  revision: number;
  desired: number;
  current: number;
  triggeredBy: string;
}

/** `oc get dc` / `oc get deploymentconfigs/NAME`: NAME REVISION DESIRED CURRENT TRIGGERED BY. */
export function parseOcDeploymentConfigs(text: string): OcDeploymentConfig[] {
  return parseOcTable(text).map((r) => ({
    name: (r['NAME'] ?? '').replace(/^(dc|deploymentconfig(s)?(\.apps\.openshift\.io)?)\//, ''),
    revision: Number(r['REVISION']),
    desired: Number(r['DESIRED']),
    current: Number(r['CURRENT']),
    triggeredBy: r['TRIGGERED BY'] ?? '',
  }));
}

export interface OcStorageClass {
  name: string;
  isDefault: boolean;
  provisioner: string;
}

/** `oc get storageclass`: the default class has `(default)` after its name. */
export function parseOcStorageClasses(text: string): OcStorageClass[] {
  return parseOcTable(text).map((r) => {
    const raw = r['NAME'] ?? '';
    return {
      name: raw.replace(/\s*\(default\)\s*$/, ''),
      isDefault: /\(default\)\s*$/.test(raw),
      provisioner: r['PROVISIONER'] ?? r['TYPE'] ?? '',
    };
  });
}

export interface OcPod {
  name: string;
  ready: string;
  status: string;
  restarts: number;
  ip?: string;
  node?: string;
}

/** `oc get pods [-o wide]`. */
export function parseOcPods(text: string): OcPod[] {
  return parseOcTable(text).map((r) => {
    const pod: OcPod = {
      name: r['NAME'] ?? '',
      ready: r['READY'] ?? '',
      status: r['STATUS'] ?? '',
      restarts: Number.parseInt(r['RESTARTS'] ?? '0', 10) || 0,
    };
    if (r['IP'] !== undefined) pod.ip = r['IP'];
    if (r['NODE'] !== undefined) pod.node = r['NODE'];
    return pod;
  });
}

export interface OcService {
  name: string;
  clusterIP: string;
  ports: string;
}

/** `oc get svc`: NAME [TYPE] CLUSTER-IP EXTERNAL-IP PORT(S) AGE. */
export function parseOcServices(text: string): OcService[] {
  return parseOcTable(text).map((r) => ({
    name: r['NAME'] ?? '',
    clusterIP: r['CLUSTER-IP'] ?? '',
    ports: r['PORT(S)'] ?? '',
  }));
}
