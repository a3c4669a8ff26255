// 7.1.2 Expanding docker storage, both ways the guide describes (parameter `variant`), the node evacuated
// first (7.1.1) and schedulable again at the end:
// new-disk (a disk attached to the node, /dev/xvdd in the guide):
//   /etc/sysconfig/docker-storage-setup: DEVS="/dev/xvdb /dev/xvdd"
//   systemctl stop docker atomic-openshift-node; docker-storage-setup; systemctl start docker; vgs
//   oc adm manage-node N --schedulable=true
// resized-disk (the guide's second "new disk" heading, L1528: the disk under the VG made larger):
//   systemctl stop docker atomic-openshift-node
//   lvremove …; vgremove …; pvremove …   (the guide: `lvremove /dev/docker_vg/docker/lv`, no -y)
//   resize the disk (cloud: detach, destroy, attach a larger one); check the storage-setup file
//   docker-storage-setup; systemctl start docker; vgs; systemctl start atomic-openshift-node
// Beyond the guide's text: names are read (vgs/lvs/pvs/lsblk/findmnt) and checked before the node is
// touched (new-disk: the disk must exist, be unpartitioned and unused; resized-disk: the setup file must
// name the VG and its disks); DEVS is edited in place, the rest of the file byte-identical, the old file
// kept as .bak-<timestamp>; resized-disk removes every LV of the VG with -y, then also wipes the disk's
// partition table, /var/lib/docker and /etc/sysconfig/docker-storage (without that, docker-storage-setup
// refuses the disk, the stale thin pool entry or docker's old devicemapper metadata), and waits at a gate
// for the disk to be resized if that is not done yet; the VG must come out larger than it was, and docker
// must run the same storage driver as before.
import type { CommandOutput } from '../src/checks/types.js';
import type { Procedure, StepContext } from '../src/engine/types.js';
import {
  type BlockDev,
  devicePath,
  devsLine,
  lsblkCommand,
  parseLsblkPairs,
  parsePvs,
  parseSysconfig,
  pvsCommand,
  STORAGE_SETUP,
  validateDevice,
  validateVg,
} from '../src/ocp/lvm.js';
import { argv, sedReplacement, sh } from '../src/transport/shell.js';
import { defineProcedure, hostParam, textParam, yesNo } from './define.js';
import {
  backupName,
  DOCKER_UNIT,
  type DockerStorage,
  dockerDriver,
  dockerInfoCheck,
  evacuationSteps,
  findDockerStorage,
  gib,
  list,
  NODE_UNIT,
  onNode,
  out,
  refuseMaster,
  STORAGE_READ_COUNT,
  type StorageFacts,
  startStep,
  stopServicesStep,
  storageFacts,
  storageReadCommands,
  storageSetupStep,
  teardownSteps,
  uncordonStep,
  vgSizeCheck,
} from './docker-common.js';

const SECTION = '7.1.2';
const MIB = 1024 * 1024;

export type Variant = 'new-disk' | 'resized-disk';
const variant = (ctx: StepContext): Variant => (ctx.params['variant'] === 'resized-disk' ? 'resized-disk' : 'new-disk');
const never = (): undefined => undefined;
const onlyFor =
  (v: Variant) =>
  (ctx: StepContext): string | undefined =>
    variant(ctx) === v ? undefined : `only for variant ${v}`;

/** What the first step captures, decided from the node's storage; an Error with the sentence when it cannot go on. */
export interface ExpandPlan {
  storage: DockerStorage;
  /** DEVS after the change (new-disk: the current DEVS, the VG's disks missing from it, then the new disk). */
  devs: string[];
  /** The disks that must carry a PV of the VG once docker-storage-setup has run. */
  wantDisks: string[];
  /** Sum of the VG's PV sizes before (resized-disk: the disks must come out larger than this). */
  pvBytes: number;
}

/** The checks of both variants before anything changes (pure). */
export function planExpand(f: StorageFacts, v: Variant, device: string | undefined): ExpandPlan {
  const storage = findDockerStorage(f);
  const setupVg = storage.setup['VG'];
  if (!f.storageSetup.trim())
    throw new Error(
      `${STORAGE_SETUP} is missing or empty: docker-storage-setup would not know the volume group ${storage.vg}; ` +
        `write DEVS= and VG=${storage.vg} there first`,
    );
  if (setupVg !== storage.vg)
    throw new Error(`${STORAGE_SETUP} says VG=${setupVg ?? '(none)'}, but docker's volume group is ${storage.vg}: fix VG= there first`);
  const current = (storage.setup['DEVS'] ?? '')
    .split(/\s+/)
    .filter((d) => d !== '')
    .map((d) => (d.startsWith('/') ? d : `/dev/${d}`));
  const pvBytes = f.pvs.filter((p) => p.vg === storage.vg).reduce((n, p) => n + p.sizeBytes, 0);
  if (v === 'new-disk') {
    if (!device)
      throw new Error(
        'parameter device is required for variant new-disk: give the disk attached for docker, e.g. --param device=/dev/xvdd',
      );
    const d = devicePath(device, 'device');
    const dev = f.blocks.find((b) => b.name === d);
    if (!dev) throw new Error(`${d} is not a block device of the node (lsblk): attach the new disk first`);
    if (dev.type !== 'disk')
      throw new Error(`${d} is a ${dev.type}, not a whole disk: give the disk itself (docker-storage-setup partitions it)`);
    if (storage.disks.includes(d)) throw new Error(`${d} already carries the volume group ${storage.vg}: give the newly attached disk`);
    const parts = f.blocks.filter((b) => b.parent === d);
    if (parts.length > 0)
      throw new Error(
        `${d} is not empty: it holds ${parts.map((p) => p.name).join(', ')}; docker-storage-setup only takes an unpartitioned disk`,
      );
    if (f.pvs.some((p) => p.name === d))
      throw new Error(
        `${d} is already an LVM physical volume${f.pvs.find((p) => p.name === d)!.vg ? ` of ${f.pvs.find((p) => p.name === d)!.vg}` : ''}`,
      );
    if (f.mounts.some((m) => m.source === d)) throw new Error(`${d} is mounted: it is not free for docker`);
    const devs = [...current];
    for (const x of [...storage.disks, d]) if (!devs.includes(x)) devs.push(x);
    return { storage, devs, wantDisks: [...storage.disks, d], pvBytes };
  }
  if (device) {
    const d = devicePath(device, 'device');
    if (!storage.disks.includes(d))
      throw new Error(`${d} does not carry docker's volume group ${storage.vg} (its disks: ${storage.disks.join(', ')})`);
  }
  const missing = storage.disks.filter((d) => !current.includes(d));
  if (missing.length > 0)
    throw new Error(
      `DEVS in ${STORAGE_SETUP} does not list ${missing.join(', ')}: after the rebuild docker-storage-setup would ` +
        `not use ${missing.length === 1 ? 'it' : 'them'}; fix DEVS there first`,
    );
  return { storage, devs: current, wantDisks: storage.disks, pvBytes };
}

/** Are the disks larger than the PVs they held (by more than partition and metadata overhead)? */
export function disksGrown(blocks: BlockDev[], disks: string[], pvBytes: number): true | string {
  const sizes = disks.map((d) => blocks.find((b) => b.name === d)?.sizeBytes ?? 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total - pvBytes > 16 * MIB) return true;
  return (
    `${disks.join(', ')} ${disks.length > 1 ? 'are' : 'is'} ${gib(total)}, no larger than the ${gib(pvBytes)} ` +
    `the volume group had: resize the disk, then retry`
  );
}

/** Each wanted disk carries a PV of the VG (a partition of it, or the disk itself). */
export function disksInVg(pvText: string, blocks: BlockDev[], vg: string, disks: string[]): true | string {
  const pvs = parsePvs(pvText)
    .filter((p) => p.vg === vg)
    .map((p) => p.name);
  const without = disks.filter((d) => !pvs.some((pv) => pv === d || blocks.find((b) => b.name === pv)?.parent === d));
  return without.length === 0 || `no physical volume of ${vg} on ${without.join(', ')}`;
}

function expandPlan(o: CommandOutput[], ctx: StepContext): ExpandPlan {
  return planExpand(storageFacts(o, ctx), variant(ctx), ctx.params['device']);
}

/** sed's edit of the DEVS line (appended when the file has none), the old file kept once as .bak-<time>. */
export function devsEditCommand(file: string, devs: string[], bak: string) {
  const line = devsLine(devs);
  return sh`if ! test -e ${bak}; then cp -p ${file} ${bak}; fi; if grep -qE '^[[:space:]]*DEVS=' ${file};
    then sed -i -E ${`s|^[[:space:]]*DEVS=.*$|${sedReplacement(line)}|`} ${file}; else printf '%s\n' ${line} >> ${file}; fi`;
}

const SPLIT = '--- lsblk';

export const dockerStorageExpand: Procedure = defineProcedure({
  id: 'docker-storage-expand',
  title: 'Expand docker storage',
  section: '7.1.2',
  guideLine: 1505,
  risk: 'destructive',
  summary: 'Evacuates a node and grows its docker volume group with a new disk or a resized one, then makes it schedulable again.',
  // a master's control plane stops with docker: refused unless allow-master=yes and etcd keeps quorum without it
  refuse: refuseMaster,
  parameters: [
    hostParam('node', 'node', 'Node whose docker storage to expand'),
    yesNo(
      'allow-master',
      'The node may be a master: stopping docker and the node service there stops its API, controllers and ' +
        'static-pod etcd (refused unless etcd keeps quorum without it)',
    ),
    {
      name: 'variant',
      description: 'new-disk: add a disk to the volume group; resized-disk: rebuild it on a grown disk',
      required: true,
      choices: { values: ['new-disk', 'resized-disk'] },
    },
    {
      ...textParam(
        'device',
        'new-disk: the attached disk to add, e.g. /dev/xvdd (required); resized-disk: the grown disk, default: the ' +
          'disk(s) under the volume group',
        false,
      ),
      validate: validateDevice,
    },
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
      id: 'storage-names',
      title: 'Read the names and sizes: volume group, logical and physical volumes, disks (vgs, lvs, pvs, lsblk), and docker’s driver',
      section: SECTION,
      where: onNode,
      commands: () => [...storageReadCommands(), argv('docker', 'info')],
      capture: {
        vg: (o, ctx) => expandPlan(o, ctx).storage.vg,
        lv: (o, ctx) => expandPlan(o, ctx).storage.lvs.join(' '),
        pv: (o, ctx) => expandPlan(o, ctx).storage.pvs.join(' '),
        disk: (o, ctx) => expandPlan(o, ctx).storage.disks.join(' '),
        'docker-lv': (o, ctx) => expandPlan(o, ctx).storage.rootLv,
        devs: (o, ctx) => expandPlan(o, ctx).devs.join(' '),
        'want-disks': (o, ctx) => expandPlan(o, ctx).wantDisks.join(' '),
        'vg-bytes': (o, ctx) => String(expandPlan(o, ctx).storage.sizeBytes),
        'pv-bytes': (o, ctx) => String(expandPlan(o, ctx).pvBytes),
        driver: (o) => dockerDriver(out(o, STORAGE_READ_COUNT)),
      },
    },
    ...evacuationSteps(never),
    {
      id: 'add-disk',
      title: 'Add the new disk to DEVS= in /etc/sysconfig/docker-storage-setup (the old file kept as .bak-<time>)',
      section: SECTION,
      where: onNode,
      skipIf: onlyFor('new-disk'),
      commands: (ctx) => [devsEditCommand(STORAGE_SETUP, list(ctx, 'devs'), backupName(STORAGE_SETUP, ctx)), argv('cat', STORAGE_SETUP)],
      verify: {
        describe: 'DEVS lists the new disk',
        command: () => argv('cat', STORAGE_SETUP),
        ok: (o, ctx) => {
          const devs = (parseSysconfig(o.stdout)['DEVS'] ?? '').split(/\s+/).filter((x) => x !== '');
          const want = list(ctx, 'devs');
          return (
            (devs.length === want.length && want.every((d, i) => devs[i] === d)) ||
            `DEVS is ${JSON.stringify(devs.join(' '))}, not ${JSON.stringify(want.join(' '))}`
          );
        },
      },
    },
    stopServicesStep(SECTION, never),
    ...teardownSteps(SECTION, onlyFor('resized-disk')),
    {
      id: 'disk-resized',
      title: 'Resize the disk (or replace it with a larger one) if not done yet; then check its size (lsblk)',
      section: SECTION,
      where: onNode,
      skipIf: onlyFor('resized-disk'),
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `The volume group is gone from ${list(ctx, 'disk').join(', ')}. Resize that disk now if it is not done ` +
          `yet (a cloud disk: detach it, destroy it, attach a larger one under the same name); the run continues ` +
          `when you confirm, and stops if the disk is not larger.`,
        protectedBy: () => 'nothing on the disk is kept: docker-storage-setup starts it afresh',
      },
      commands: (ctx) => [argv('lsblk', '-dnp', '-o', 'NAME,SIZE', ...list(ctx, 'disk'))],
      verify: {
        describe: 'the disk is larger than the volume group it held',
        command: () => lsblkCommand(),
        ok: (o, ctx) => disksGrown(parseLsblkPairs(o.stdout), list(ctx, 'disk'), Number(ctx.captured.get('pv-bytes'))),
      },
    },
    storageSetupStep(SECTION, never, {
      describe: 'every disk of DEVS carries a physical volume of the volume group',
      command: () => sh`${pvsCommand()}; echo ${SPLIT}; ${lsblkCommand()}`,
      ok: (o, ctx) => {
        const [pvText = '', lsblk = ''] = o.stdout.split(`${SPLIT}\n`);
        return disksInVg(pvText, parseLsblkPairs(lsblk), ctx.captured.get('vg'), list(ctx, 'want-disks'));
      },
    }),
    startStep('start-docker', 'Start docker (systemctl start docker)', SECTION, [DOCKER_UNIT], never),
    {
      id: 'vg-grown',
      title: 'Check the volume group’s new size (vgs)',
      section: SECTION,
      where: onNode,
      commands: () => [argv('vgs')],
      verify: vgSizeCheck('the volume group is larger than before', (ctx) => Number(ctx.captured.get('vg-bytes'))),
    },
    startStep('start-node', 'Start the node service (systemctl start atomic-openshift-node)', SECTION, [NODE_UNIT], never),
    {
      id: 'verify-driver',
      title: 'Check that docker runs its storage driver as before (docker info)',
      section: SECTION,
      where: onNode,
      commands: () => [argv('docker', 'info')],
      verify: dockerInfoCheck(
        (ctx) => ctx.captured.get('driver'),
        () => 'the storage driver changed during the expansion',
      ),
    },
    uncordonStep(SECTION, never),
  ],
});
