// 3.7 Docker storage: `/etc/sysconfig/docker-storage` has `--storage-driver overlay2`, and `docker info`
// says `Storage Driver: overlay2`, `Backing Filesystem: xfs`. devicemapper → warn (offer
// docker-storage-overlay2); loop-file devicemapper → fail. A host without docker → skipped.

import { parseDockerStorageSysconfig } from '../ocp/lvm.js';
import { sh } from '../transport/shell.js';
import { firstLine, notRunnable, type Problem, problem, withProblem } from './common.js';
import { type DockerInfo, parseDockerInfo } from './parse/host.js';
import type { Check, Fix, Verdict } from './types.js';

export interface DockerStorageFacts {
  info: DockerInfo;
  /** DOCKER_STORAGE_OPTIONS' driver; undefined when the file or the option is absent. */
  sysconfigDriver?: string;
  sysconfigOptions?: string;
  sysconfigMissing: boolean;
}

const TO_OVERLAY2: Fix = { procedure: 'docker-storage-overlay2', text: 'Switch the node to overlay2 on xfs (evacuate it first).' };

export const dockerStorageCheck: Check<DockerStorageFacts | Problem> = {
  id: 'docker-storage',
  title: 'Docker storage driver',
  section: '3.7',
  placement: { on: 'hosts', roles: ['master', 'node'] },
  commands: () => ({
    info: sh`docker info`,
    sysconfig: sh`cat /etc/sysconfig/docker-storage`,
  }),
  parse(outputs) {
    const info = outputs['info'];
    if (info?.exitCode === 127 || /docker: (command )?not found/.test(info?.stderr ?? ''))
      return problem('skipped', 'docker is not installed on this host');
    const missing = notRunnable(info, 'docker');
    if (missing || !info) return missing!;
    const parsed = parseDockerInfo(info.stdout);
    if (!parsed.storageDriver) {
      if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(info.stderr))
        return problem('error', 'docker is installed but its daemon is not running (systemctl start docker)', undefined, {
          stderr: firstLine(info),
        });
      if (info.exitCode !== 0) return problem('error', `docker info failed: ${firstLine(info)}`);
      throw new Error('no "Storage Driver:" line in docker info');
    }
    const sc = outputs['sysconfig'];
    const facts: DockerStorageFacts = { info: parsed, sysconfigMissing: sc?.exitCode !== 0 };
    if (sc && sc.exitCode === 0) {
      const p = parseDockerStorageSysconfig(sc.stdout);
      if (p.storageDriver) facts.sysconfigDriver = p.storageDriver;
      if (p.options !== undefined) facts.sysconfigOptions = p.options;
    }
    return facts;
  },
  verdict: (facts) => withProblem(facts, judge),
};

function judge(f: DockerStorageFacts): Verdict {
  const d = f.info.storageDriver!;
  const details = { ...f };
  if (d === 'devicemapper' && f.info.dataLoopFile)
    return {
      status: 'fail',
      message: `devicemapper on loop files (${f.info.dataLoopFile}): not supported in production`,
      details,
      fix: TO_OVERLAY2,
    };
  if (d === 'devicemapper')
    return { status: 'warn', message: 'docker uses devicemapper; overlay2 on xfs is recommended', details, fix: TO_OVERLAY2 };
  if (d !== 'overlay2')
    return { status: 'warn', message: `docker uses the ${d} storage driver; overlay2 on xfs is recommended`, details, fix: TO_OVERLAY2 };
  if (f.info.supportsDType === false)
    return {
      status: 'fail',
      message: `overlay2 on ${f.info.backingFilesystem ?? 'a filesystem'} without d_type (xfs needs ftype=1)`,
      details,
      fix: TO_OVERLAY2,
    };
  if (f.sysconfigDriver && f.sysconfigDriver !== d)
    return {
      status: 'warn',
      message: `/etc/sysconfig/docker-storage says ${f.sysconfigDriver} but docker runs ${d} (restart pending or file edited?)`,
      details,
      fix: TO_OVERLAY2,
    };
  if (f.info.backingFilesystem && f.info.backingFilesystem !== 'xfs')
    return { status: 'warn', message: `overlay2 on ${f.info.backingFilesystem}; the guide's layout is xfs on /var/lib/docker`, details };
  const sc = f.sysconfigMissing ? ' (no /etc/sysconfig/docker-storage)' : '';
  return { status: 'ok', message: `overlay2 on ${f.info.backingFilesystem ?? '?'}${sc}`, details };
}
