// 7.1.3 Changing the storage backend: a node's docker from devicemapper (an LVM thin pool) to overlay2.
//   evacuate the node (7.1.3.1 = 7.1.1): oc adm manage-node N --schedulable=false; oc adm drain N --ignore-daemonsets
//   systemctl stop docker atomic-openshift-node
//   vgs; lvs                              (the names)
//   lvremove /dev/<vg>/<lv> -y; vgremove <vg> -y
//   pvs; pvremove <pv> -y
//   rm -Rf /var/lib/docker/*; rm -f /etc/sysconfig/docker-storage
//   /etc/sysconfig/docker-storage-setup: DEVS=<disk> VG=<vg> DATA_SIZE=95%VG STORAGE_DRIVER=overlay2
//     CONTAINER_ROOT_LV_NAME=dockerlv CONTAINER_ROOT_LV_MOUNT_PATH=/var/lib/docker CONTAINER_ROOT_LV_SIZE=100%FREE
//   docker-storage-setup
//   systemctl start docker atomic-openshift-node
//   oc adm manage-node N --schedulable=true
// Beyond the guide's text: nothing is done when docker already runs overlay2 (every step skipped, the node
// not even cordoned); the names are read (vgs/lvs/pvs/lsblk/findmnt, see docker-common.ts) and checked
// before the node is touched, and every LV of docker's VG is removed (the guide's example removes
// `docker-pool` after listing `dockerlv`); DEVS is the whole disk under the PV (the guide's /dev/xvdb, not
// the partition /dev/xvdb1 it has just pvremoved); an LV mounted on /var/lib/docker is unmounted first; the
// emptied disk's partition table is wiped (docker-storage-setup refuses a partitioned disk that is not in
// its VG); the old docker-storage-setup is kept as .bak-<timestamp>; `docker info` must say overlay2
// before the node is made schedulable again.
import type { Procedure, StepContext } from '../src/engine/types.js';
import {
  DOCKER_ROOT,
  DOCKER_STORAGE,
  dmName,
  overlay2SetupFile,
  parseDockerStorage,
  ROOT_LV,
  STORAGE_SETUP,
  validateVg,
} from '../src/ocp/lvm.js';
import { argv, sh } from '../src/transport/shell.js';
import { defineProcedure, hostParam, textParam, yesNo } from './define.js';
import {
  backupName,
  DOCKER_UNIT,
  dockerDriver,
  dockerInfoCheck,
  evacuationSteps,
  findDockerStorage,
  list,
  NODE_UNIT,
  nodeName,
  onNode,
  out,
  refuseMaster,
  startStep,
  stopServicesStep,
  storageFacts,
  storageReadCommands,
  storageSetupStep,
  teardownSteps,
  uncordonStep,
  writeFileCommand,
} from './docker-common.js';

const SECTION = '7.1.3';

/** Every step after the first: skipped when docker already runs overlay2. */
export function alreadyOverlay2(ctx: StepContext): string | undefined {
  return ctx.captured.get('driver') === 'overlay2' ? `docker on ${nodeName(ctx)} already uses overlay2: nothing to change` : undefined;
}

/** The docker-storage-setup file this run writes (from the captured VG and disks). */
export function newSetupFile(ctx: StepContext): string {
  // A plan shows the file's shape: its disk and VG are checked as device and LVM names, which a plan's
  // placeholders are not (a typed capture of the file would move that check, and its failure, to storage-names)
  if (ctx.planning)
    return overlay2SetupFile({ devs: ['/dev/xvdb'], vg: 'vg' })
      .replace('DEVS=/dev/xvdb', 'DEVS=<disk>')
      .replace('VG=vg', 'VG=<vg>');
  return overlay2SetupFile({ devs: list(ctx, 'disk'), vg: ctx.captured.get('vg') });
}

const MOUNT_MARK = '--- mount';

export const dockerStorageOverlay2: Procedure = defineProcedure({
  id: 'docker-storage-overlay2',
  title: 'Switch docker storage to overlay2',
  section: '7.1.3',
  guideLine: 1547,
  risk: 'destructive',
  summary: 'Evacuates a node, wipes its devicemapper docker storage and sets it up again with overlay2.',
  // a master's control plane stops with docker: refused unless allow-master=yes and etcd keeps quorum without it
  refuse: refuseMaster,
  parameters: [
    hostParam('node', 'node', 'Node to switch'),
    yesNo(
      'allow-master',
      'The node may be a master: stopping docker and the node service there stops its API, controllers and ' +
        'static-pod etcd (refused unless etcd keeps quorum without it)',
    ),
    {
      ...textParam(
        'vg',
        "Docker's volume group; default: found from docker's configuration (thin pool, /var/lib/docker mount, docker-storage-setup)",
        false,
      ),
      validate: validateVg,
    },
    yesNo('force', 'Drain with --force: pods without a controller are deleted for good (data loss; the node name must be typed)'),
  ],
  steps: [
    {
      id: 'docker-driver',
      title: 'Read docker’s storage driver (docker info)',
      section: SECTION,
      where: onNode,
      commands: () => [argv('docker', 'info')],
      capture: {
        driver: (o) => {
          const d = dockerDriver(out(o, 0));
          if (d !== 'overlay2' && d !== 'devicemapper')
            throw new Error(`docker on the node uses the ${d} storage driver; this procedure changes devicemapper storage to overlay2`);
          return d;
        },
      },
    },
    {
      id: 'storage-names',
      title: 'Read the names: volume group, logical and physical volumes, their disk (vgs, lvs, pvs, lsblk)',
      section: SECTION,
      where: onNode,
      skipIf: alreadyOverlay2,
      commands: () => storageReadCommands(),
      capture: {
        vg: (o, ctx) => findDockerStorage(storageFacts(o, ctx)).vg,
        lv: (o, ctx) => findDockerStorage(storageFacts(o, ctx)).lvs.join(' '),
        pv: (o, ctx) => findDockerStorage(storageFacts(o, ctx)).pvs.join(' '),
        disk: (o, ctx) => findDockerStorage(storageFacts(o, ctx)).disks.join(' '),
        'docker-lv': (o, ctx) => findDockerStorage(storageFacts(o, ctx)).rootLv,
      },
    },
    ...evacuationSteps(alreadyOverlay2),
    stopServicesStep(SECTION, alreadyOverlay2),
    ...teardownSteps(SECTION, alreadyOverlay2),
    {
      id: 'write-setup',
      title: 'Write /etc/sysconfig/docker-storage-setup for overlay2 (same disk and volume group; the old file kept as .bak-<time>)',
      section: SECTION,
      where: onNode,
      skipIf: alreadyOverlay2,
      commands: (ctx) => [writeFileCommand(STORAGE_SETUP, newSetupFile(ctx), backupName(STORAGE_SETUP, ctx)), argv('cat', STORAGE_SETUP)],
      verify: {
        describe: `${STORAGE_SETUP} says overlay2 with the same disk and volume group`,
        command: () => argv('cat', STORAGE_SETUP),
        ok: (o, ctx) => (o.exitCode === 0 && o.stdout === newSetupFile(ctx)) || `${STORAGE_SETUP} is not what was written:\n${o.stdout}`,
      },
    },
    storageSetupStep(SECTION, alreadyOverlay2, {
      describe: `${DOCKER_STORAGE} says overlay2 and the new ${ROOT_LV} is mounted on ${DOCKER_ROOT}`,
      command: () => sh`cat ${DOCKER_STORAGE}; echo ${MOUNT_MARK}; findmnt -rn -o SOURCE ${DOCKER_ROOT} || true`,
      ok: (o, ctx) => {
        const [conf = '', mount = ''] = o.stdout.split(`${MOUNT_MARK}\n`);
        const driver = parseDockerStorage(conf).driver;
        if (driver !== 'overlay2') return `${DOCKER_STORAGE} says ${driver ?? 'no storage driver'}`;
        const want = `/dev/mapper/${dmName(ctx.captured.get('vg'), ROOT_LV)}`;
        return (
          mount.trim().split('\n').includes(want) ||
          `${DOCKER_ROOT} is not mounted from ${want} (findmnt: ${mount.trim() || 'not a mount point'})`
        );
      },
    }),
    startStep(
      'start-services',
      'Start docker and the node service (systemctl start docker atomic-openshift-node)',
      SECTION,
      [DOCKER_UNIT, NODE_UNIT],
      alreadyOverlay2,
    ),
    {
      id: 'verify-overlay2',
      title: 'Check that docker now runs on overlay2 (docker info), before the node takes pods again',
      section: SECTION,
      where: onNode,
      skipIf: alreadyOverlay2,
      commands: () => [argv('docker', 'info')],
      verify: dockerInfoCheck(
        () => 'overlay2',
        () => 'docker-storage-setup wrote overlay2, but the daemon runs something else',
      ),
    },
    uncordonStep(SECTION, alreadyOverlay2),
  ],
});
