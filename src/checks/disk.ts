// 3.6 Storage: the guide's `df -hT`, run as `df -PT -B1` for exact bytes and one line per filesystem.
// Masters: /var ≥ 40 GB. Nodes: /var ≥ 15 GB and /var/lib/docker ≥ 15 GB more; when /var/lib/docker
// is not its own filesystem it shares /var, which then needs both (30 GB). A separate
// /var/lib/origin/openshift.local.volumes is recommended (noted, not faulted).
// "GB" is taken as 10^9 bytes, with 3% allowed for filesystem overhead (a 40 GB disk formatted xfs
// shows a little less). A filesystem 90% full or more is a warning.
import { sh } from '../transport/shell.js';
import { firstLine, notRunnable, problem, withProblem, type Problem } from './common.js';
import { filesystemOf, parseDf, type Filesystem } from './parse/host.js';
import type { Check, Verdict } from './types.js';

export const GB = 1e9;
export const MASTER_VAR_GB = 40;
export const NODE_VAR_GB = 15;
export const NODE_DOCKER_GB = 15;
export const OVERHEAD = 0.97;
export const FULL_PERCENT = 90;

export interface DiskFacts {
  filesystems: Filesystem[];
}

function gb(bytes: number): string {
  return `${(bytes / GB).toFixed(bytes < 10 * GB ? 1 : 0)} GB`;
}

export const diskCheck: Check<DiskFacts | Problem> = {
  id: 'disk',
  title: 'Disk space for /var and docker',
  section: '3.6',
  placement: { on: 'hosts', roles: ['master', 'node'] },
  commands: () => ({ df: sh`df -PT -B1` }),
  parse(outputs) {
    const out = outputs['df'];
    const missing = notRunnable(out, 'df');
    if (missing || !out) return missing!;
    const filesystems = parseDf(out.stdout);
    // df exits 1 when one mount cannot be read (a stale NFS mount) but still prints the others
    if (filesystems.length === 0) return problem('error', `df printed no filesystem: ${firstLine(out)}`);
    return { filesystems };
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
    var: { mountedOn: varFs.mountedOn, device: varFs.device, type: varFs.type, sizeBytes: varFs.sizeBytes, availBytes: varFs.availBytes, usePercent: varFs.usePercent },
    docker: dockerFs ? { mountedOn: dockerFs.mountedOn, sizeBytes: dockerFs.sizeBytes, usePercent: dockerFs.usePercent } : undefined,
    dockerSharesVar: dockerShared,
    volumesSeparate,
    role: isMaster ? 'master' : 'node',
  };
  const problems: string[] = [];
  const where = (fs: Filesystem) => (fs.mountedOn === '/var' ? '/var' : `/var (on ${fs.mountedOn})`);
  if (isMaster) {
    if (varFs.sizeBytes < MASTER_VAR_GB * GB * OVERHEAD) problems.push(`${where(varFs)} is ${gb(varFs.sizeBytes)}, masters need ≥ ${MASTER_VAR_GB} GB`);
  } else if (dockerShared) {
    const need = NODE_VAR_GB + NODE_DOCKER_GB;
    if (varFs.sizeBytes < need * GB * OVERHEAD)
      problems.push(`${where(varFs)} is ${gb(varFs.sizeBytes)} and /var/lib/docker shares it: nodes need ${NODE_VAR_GB} GB for /var + ${NODE_DOCKER_GB} GB for docker = ${need} GB`);
  } else {
    if (varFs.sizeBytes < NODE_VAR_GB * GB * OVERHEAD) problems.push(`${where(varFs)} is ${gb(varFs.sizeBytes)}, nodes need ≥ ${NODE_VAR_GB} GB`);
  }
  if (!dockerShared && dockerFs && dockerFs.sizeBytes < NODE_DOCKER_GB * GB * OVERHEAD)
    problems.push(`/var/lib/docker is ${gb(dockerFs.sizeBytes)}, needs ≥ ${NODE_DOCKER_GB} GB`);
  const fix = { text: 'Grow the filesystem (lvextend -r) or give /var and /var/lib/docker their own disks of the required size.' };
  if (problems.length > 0) return { status: 'fail', message: problems.join('; '), details, fix };
  const full = [varFs, ...(dockerFs && !dockerShared ? [dockerFs] : [])].filter((fs) => fs.usePercent >= FULL_PERCENT);
  if (full.length > 0)
    return { status: 'warn', message: full.map((fs) => `${fs.mountedOn} is ${fs.usePercent}% full`).join('; '), details, fix: { text: 'Free space: docker image/container cleanup (oc adm prune images), journal vacuum, old logs.' } };
  const parts = [`/var ${gb(varFs.sizeBytes)}${varFs.mountedOn !== '/var' ? ` (on ${varFs.mountedOn})` : ''}`];
  if (!isMaster || !dockerShared) parts.push(dockerShared ? 'docker shares /var' : `/var/lib/docker ${gb(dockerFs!.sizeBytes)}`);
  if (!isMaster && !volumesSeparate) parts.push('no separate openshift.local.volumes (recommended)');
  return { status: 'ok', message: parts.join(', '), details };
}
