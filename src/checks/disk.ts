// 3.6 Storage: the guide's `df -hT`, run as `df -PT -B1` for exact bytes and one line per filesystem.
// Masters: /var ≥ 40 GB. Nodes: /var ≥ 15 GB and /var/lib/docker ≥ 15 GB more; when /var/lib/docker
// is not its own filesystem it shares /var, which then needs both (30 GB). A separate
// /var/lib/origin/openshift.local.volumes is recommended (noted, not faulted).
// "GB" is taken as 10^9 bytes, with 3% allowed for filesystem overhead (a 40 GB disk formatted xfs
// shows a little less). A filesystem 90% full or more is a warning.
// On docker's devicemapper driver images and containers live in a thin pool, not in /var/lib/docker's
// filesystem, so df says nothing about them: `docker info` gives the pool's data and metadata space. A
// pool 80% used is a warning; 90% (or less free than its `Thin Pool Minimum Free Space`, docker's
// dm.min_free_space, 10% by default) is a failure: there docker refuses to create containers, and a
// full metadata space turns the pool read-only. Use is used / (used + available): on loop files the
// available space is what the filesystem under them has left, not the pool's nominal total.
import { sh } from '../transport/shell.js';
import { firstLine, notRunnable, type Problem, problem, withProblem } from './common.js';
import { type Filesystem, filesystemOf, parseDf, parseDockerInfo, type ThinPool } from './parse/host.js';
import type { Check, Verdict } from './types.js';

export const GB = 1e9;
export const MASTER_VAR_GB = 40;
export const NODE_VAR_GB = 15;
export const NODE_DOCKER_GB = 15;
export const OVERHEAD = 0.97;
export const FULL_PERCENT = 90;
export const THIN_POOL_WARN_PERCENT = 80;
export const THIN_POOL_FAIL_PERCENT = FULL_PERCENT;
const DOCKER_INFO_SECONDS = 10;

export interface DiskFacts {
  filesystems: Filesystem[];
  /** docker on devicemapper: its thin pool. */
  thinPool?: ThinPool;
  /** Why the thin pool could not be looked at (docker info failed); absent when docker is not installed. */
  dockerError?: string;
}

function gb(bytes: number): string {
  return `${(bytes / GB).toFixed(bytes < 10 * GB ? 1 : 0)} GB`;
}

export const diskCheck: Check<DiskFacts | Problem> = {
  id: 'disk',
  title: 'Disk space for /var and docker',
  section: '3.6',
  placement: { on: 'hosts', roles: ['master', 'node'] },
  // docker info bounded: a hung daemon must not take df's answer with it
  commands: () => ({ df: sh`df -PT -B1`, docker: sh`timeout ${DOCKER_INFO_SECONDS} docker info` }),
  parse(outputs) {
    const out = outputs['df'];
    const missing = notRunnable(out, 'df');
    if (missing || !out) return missing!;
    const filesystems = parseDf(out.stdout);
    // df exits 1 when one mount cannot be read (a stale NFS mount) but still prints the others
    if (filesystems.length === 0) return problem('error', `df printed no filesystem: ${firstLine(out)}`);
    const facts: DiskFacts = { filesystems };
    const d = outputs['docker'];
    // 127: docker (or timeout) not installed — no docker, no pool (a CRI-O node, an lb)
    if (d && d.exitCode !== 127 && !/docker: (command )?not found|failed to run command .docker.: No such file/.test(d.stderr)) {
      const info = parseDockerInfo(d.stdout);
      if (info.thinPool) facts.thinPool = info.thinPool;
      else if (!info.storageDriver)
        facts.dockerError =
          d.exitCode === 124
            ? `docker info did not answer within ${DOCKER_INFO_SECONDS} s`
            : `docker info failed: ${firstLine(d) || `exit ${d.exitCode}`}`;
    }
    return facts;
  },
  verdict: (facts, host) => withProblem(facts, (f) => judgeDisk(f, host?.roles.includes('master') ?? false)),
};

function judgeDisk(f: DiskFacts, isMaster: boolean): Verdict {
  const varFs = filesystemOf(f.filesystems, '/var');
  const dockerFs = filesystemOf(f.filesystems, '/var/lib/docker');
  const volumesFs = filesystemOf(f.filesystems, '/var/lib/origin/openshift.local.volumes');
  if (!varFs) return { status: 'error', message: 'no filesystem holds /var in the df output', details: { filesystems: f.filesystems } };
  const dockerShared = !dockerFs || dockerFs.mountedOn === varFs.mountedOn;
  const volumesSeparate = volumesFs !== undefined && volumesFs.mountedOn === '/var/lib/origin/openshift.local.volumes';
  const details = {
    var: {
      mountedOn: varFs.mountedOn,
      device: varFs.device,
      type: varFs.type,
      sizeBytes: varFs.sizeBytes,
      availBytes: varFs.availBytes,
      usePercent: varFs.usePercent,
    },
    docker: dockerFs ? { mountedOn: dockerFs.mountedOn, sizeBytes: dockerFs.sizeBytes, usePercent: dockerFs.usePercent } : undefined,
    dockerSharesVar: dockerShared,
    volumesSeparate,
    role: isMaster ? 'master' : 'node',
  };
  const problems: string[] = [];
  const where = (fs: Filesystem) => (fs.mountedOn === '/var' ? '/var' : `/var (on ${fs.mountedOn})`);
  if (isMaster) {
    if (varFs.sizeBytes < MASTER_VAR_GB * GB * OVERHEAD)
      problems.push(`${where(varFs)} is ${gb(varFs.sizeBytes)}, masters need ≥ ${MASTER_VAR_GB} GB`);
  } else if (dockerShared) {
    const need = NODE_VAR_GB + NODE_DOCKER_GB;
    if (varFs.sizeBytes < need * GB * OVERHEAD)
      problems.push(
        `${where(varFs)} is ${gb(varFs.sizeBytes)} and /var/lib/docker shares it: nodes need ${NODE_VAR_GB} GB for ` +
          `/var + ${NODE_DOCKER_GB} GB for docker = ${need} GB`,
      );
  } else {
    if (varFs.sizeBytes < NODE_VAR_GB * GB * OVERHEAD)
      problems.push(`${where(varFs)} is ${gb(varFs.sizeBytes)}, nodes need ≥ ${NODE_VAR_GB} GB`);
  }
  if (!dockerShared && dockerFs && dockerFs.sizeBytes < NODE_DOCKER_GB * GB * OVERHEAD)
    problems.push(`/var/lib/docker is ${gb(dockerFs.sizeBytes)}, needs ≥ ${NODE_DOCKER_GB} GB`);
  const fix = { text: 'Grow the filesystem (lvextend -r) or give /var and /var/lib/docker their own disks of the required size.' };
  const pool = f.thinPool ? judgeThinPool(f.thinPool) : undefined;
  const poolDetails = {
    ...details,
    ...(f.thinPool
      ? { thinPool: { ...f.thinPool, ...(pool ? { dataPercent: pool.dataPercent, metadataPercent: pool.metadataPercent } : {}) } }
      : {}),
    ...(f.dockerError ? { dockerError: f.dockerError } : {}),
  };
  if (pool?.status === 'fail') problems.push(pool.message);
  if (problems.length > 0)
    return {
      status: 'fail',
      message: problems.join('; '),
      details: poolDetails,
      fix: pool?.status === 'fail' && problems.length === 1 ? POOL_FIX : fix,
    };
  const full = [varFs, ...(dockerFs && !dockerShared ? [dockerFs] : [])].filter((fs) => fs.usePercent >= FULL_PERCENT);
  const warnings = full.map((fs) => `${fs.mountedOn} is ${fs.usePercent}% full`);
  if (pool?.status === 'warn') warnings.push(pool.message);
  if (f.dockerError) warnings.push(`docker's thin pool not checked: ${f.dockerError}`);
  if (warnings.length > 0)
    return {
      status: 'warn',
      message: warnings.join('; '),
      details: poolDetails,
      fix:
        full.length === 0 && pool?.status === 'warn'
          ? POOL_FIX
          : { text: 'Free space: docker image/container cleanup (oc adm prune images), journal vacuum, old logs.' },
    };
  const parts = [`/var ${gb(varFs.sizeBytes)}${varFs.mountedOn !== '/var' ? ` (on ${varFs.mountedOn})` : ''}`];
  if (!isMaster || !dockerShared) parts.push(dockerShared ? 'docker shares /var' : `/var/lib/docker ${gb(dockerFs!.sizeBytes)}`);
  if (pool) parts.push(pool.message);
  if (!isMaster && !volumesSeparate) parts.push('no separate openshift.local.volumes (recommended)');
  return { status: 'ok', message: parts.join(', '), details: poolDetails };
}

const POOL_FIX = {
  procedure: 'docker-storage-expand',
  text:
    'Free the pool (remove exited containers and unused images: oc adm prune images, docker rmi), or grow it ' +
    "with a new or resized disk in docker's volume group (docker-storage-expand), or move the node to overlay2 (docker-storage-overlay2).",
};

/** Use % of one of the pool's spaces: used / (used + available) when docker says what is available, else used / total. */
function percentUsed(used: number | undefined, available: number | undefined, total: number | undefined): number | undefined {
  if (used === undefined) return undefined;
  const room = available !== undefined ? used + available : total;
  return room ? (100 * used) / room : undefined;
}

export function judgeThinPool(p: ThinPool): {
  status: 'ok' | 'warn' | 'fail';
  message: string;
  dataPercent?: number;
  metadataPercent?: number;
} {
  const data = percentUsed(p.dataUsed, p.dataAvailable, p.dataTotal);
  const meta = percentUsed(p.metadataUsed, p.metadataAvailable, p.metadataTotal);
  const name = `docker thin pool${p.name ? ` ${p.name}` : ''}`;
  const pct = (n: number) => `${Math.floor(n)}%`;
  if (data === undefined || meta === undefined)
    return {
      status: 'warn',
      message: `${name}: docker info gives no ${data === undefined ? 'Data' : 'Metadata'} Space Used/Total: its use is unknown`,
    };
  const out = { dataPercent: Math.round(data * 10) / 10, metadataPercent: Math.round(meta * 10) / 10 };
  const used = `data ${pct(data)} used${p.dataAvailable !== undefined ? ` (${gb(p.dataAvailable)} free)` : ''}, metadata ${pct(meta)} used`;
  const belowMin = p.minFreeSpace !== undefined && p.dataAvailable !== undefined && p.dataAvailable < p.minFreeSpace;
  if (data >= THIN_POOL_FAIL_PERCENT || meta >= THIN_POOL_FAIL_PERCENT || belowMin)
    return {
      status: 'fail',
      message:
        `${name}: ${used}${belowMin ? `, below its minimum free space of ${gb(p.minFreeSpace!)}` : ''} — ` +
        `docker creates no more containers${meta >= THIN_POOL_FAIL_PERCENT ? ' and a full metadata space makes the pool read-only' : ''}`,
      ...out,
    };
  if (data >= THIN_POOL_WARN_PERCENT || meta >= THIN_POOL_WARN_PERCENT)
    return { status: 'warn', message: `${name}: ${used} (${THIN_POOL_WARN_PERCENT}% or more)`, ...out };
  return { status: 'ok', message: `${name}: ${used}`, ...out };
}
