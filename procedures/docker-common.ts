// Pieces shared by the docker storage procedures of chapter 7 (7.1.2 docker-storage-expand, 7.1.3
// docker-storage-overlay2). Not a procedure itself. Three parts:
// - the node's evacuation (7.1.1) and its return to service: `oc` on the bastion, like the cluster checks
//   (the `oc` of this machine's PATH);
// - what the node's docker storage is made of, from the LVM reports, lsblk, findmnt and docker's
//   storage files (their commands and parsers are src/ocp/lvm.ts); names are always read, never assumed;
// - the teardown the guide does by hand (lvremove, vgremove, pvremove, the /var/lib/docker wipe), each
//   command guarded so that a resumed run can repeat it.
// Beyond the guide's text: after pvremove the disk keeps its partition, and docker-storage-setup refuses a
// partitioned disk that is not already in the volume group ("Device … is already partitioned and cannot
// be added to volume group …"), so the emptied disk's partition table is wiped (wipefs -a) before the
// storage is set up again — only when every partition of that disk was a PV of the docker VG.

import { parseDockerInfo } from '../src/checks/parse/host.js';
import type { CommandOutput } from '../src/checks/types.js';
import type { CommandCheck, Params, Placement, Step, StepContext } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import {
  type BlockDev,
  DOCKER_ROOT,
  DOCKER_STORAGE,
  dmName,
  findmntCommand,
  type LvRow,
  lsblkCommand,
  lvsCommand,
  type Mount,
  type PvRow,
  parseDockerStorage,
  parseFindmnt,
  parseLsblkPairs,
  parseLvs,
  parsePvs,
  parseSysconfig,
  parseVgs,
  pvsCommand,
  STORAGE_SETUP,
  type VgRow,
  vgsCommand,
} from '../src/ocp/lvm.js';
import { parsePodsJson, podKey, podsOnNodeCommand, stillToMove } from '../src/ocp/nodes.js';
import {
  cordonCommand,
  listPodsCommand,
  OC_VERSION_CAPTURE,
  drainCommand as ocDrain,
  ocVersionCapture,
  ocVersionOf,
  uncordonCommand,
  unschedulableCommand,
} from '../src/ocp/oc.js';
import { argv, type ShellCommand, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';

export const DOCKER_UNIT = 'docker';
export const NODE_UNIT = 'atomic-openshift-node';

const EMPTY: CommandOutput = { exitCode: null, stdout: '', stderr: '' };
export const out = (outputs: CommandOutput[], i: number): CommandOutput => outputs[i] ?? EMPTY;
const both = (o: CommandOutput): string => `${o.stdout}\n${o.stderr}`;

/**
 * Writes a file on the host atomically (printf of its lines to FILE.tmp, then mv), after keeping the old
 * one as FILE.bak-<stamp> once (a resumed run does not overwrite that backup).
 */
export function writeFileCommand(file: string, content: string, bak: string): ShellCommand {
  const lines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
  return sh`if test -e ${file} && ! test -e ${bak};
    then cp -p ${file} ${bak}; fi; printf '%s\n' ${lines} > ${`${file}.tmp`} && mv ${`${file}.tmp`} ${file}`;
}

export const backupName = (file: string, ctx: StepContext): string => `${file}.bak-${timeStamp(ctx.startedAt)}`;

// ---- what docker's storage on the node is made of --------------------------------------------------------

export interface DockerStorage {
  vg: string;
  /** Its visible logical volumes, in lvs order. */
  lvs: string[];
  /** Its physical volumes. */
  pvs: string[];
  /** The whole disks under those PVs (a PV's parent disk, or the PV itself when it is a whole disk). */
  disks: string[];
  /** The LV of the VG mounted on /var/lib/docker ('' when none). */
  rootLv: string;
  sizeBytes: number;
  /** DEVS and VG of docker-storage-setup, as the file has them. */
  setup: Record<string, string>;
  /** From /etc/sysconfig/docker-storage. */
  configuredDriver?: string;
}

export interface StorageFacts {
  dockerStorage: string;
  storageSetup: string;
  vgs: VgRow[];
  lvs: LvRow[];
  pvs: PvRow[];
  blocks: BlockDev[];
  mounts: Mount[];
  /** The `vg` parameter, when given. */
  vgParam?: string;
}

function lvOfSource(source: string, lvs: LvRow[]): LvRow | undefined {
  return lvs.find((lv) => source === `/dev/mapper/${dmName(lv.vg, lv.name)}` || source === `/dev/${lv.vg}/${lv.name}`);
}

/**
 * Finds docker's volume group and everything on it, from the thin pool docker is configured with
 * (dm.thinpooldev), the LV mounted on /var/lib/docker, the `vg` parameter and VG= of
 * docker-storage-setup — in that order, and they must agree. Refuses (an Error with the sentence) a VG
 * that also holds the root filesystem or an LV mounted anywhere but /var/lib/docker, and a disk that
 * holds anything but PVs of this VG (its partition table is wiped later).
 */
export function findDockerStorage(f: StorageFacts): DockerStorage {
  const ds = parseDockerStorage(f.dockerStorage);
  const setup = parseSysconfig(f.storageSetup);
  const named: { vg: string; why: string }[] = [];
  if (ds.thinPool) {
    const base = ds.thinPool.replace(/^\/dev\/mapper\//, '');
    const pool = f.lvs.find((lv) => dmName(lv.vg, lv.name) === base);
    if (!pool)
      throw new Error(
        `${DOCKER_STORAGE} names the thin pool ${ds.thinPool}, which is not a logical volume of this host (lvs); ` +
          `fix the storage by hand first`,
      );
    named.push({ vg: pool.vg, why: `the thin pool ${ds.thinPool} of ${DOCKER_STORAGE}` });
  }
  const rootMount = f.mounts.filter((m) => m.target === DOCKER_ROOT).at(-1);
  const rootLvRow = rootMount ? lvOfSource(rootMount.source, f.lvs) : undefined;
  if (rootLvRow) named.push({ vg: rootLvRow.vg, why: `${rootMount!.source} mounted on ${DOCKER_ROOT}` });
  if (f.vgParam) {
    if (!f.vgs.some((v) => v.name === f.vgParam))
      throw new Error(
        `parameter vg: ${f.vgParam} is not a volume group of this host (vgs lists: ${f.vgs.map((v) => v.name).join(', ') || 'none'})`,
      );
    named.push({ vg: f.vgParam, why: 'the vg parameter' });
  }
  if (named.length === 0 && setup['VG'] && f.vgs.some((v) => v.name === setup['VG']))
    named.push({ vg: setup['VG'], why: `VG= of ${STORAGE_SETUP}` });
  const first = named[0];
  if (!first) {
    throw new Error(
      `no docker volume group found: ${DOCKER_STORAGE} names no thin pool, no logical volume is mounted on ${DOCKER_ROOT}` +
        `${setup['VG'] ? `, and VG=${setup['VG']} of ${STORAGE_SETUP} is not a volume group here` : `, and ${STORAGE_SETUP} names no VG`}` +
        ` (vgs lists: ${f.vgs.map((v) => v.name).join(', ') || 'none'}); give the volume group with --param vg=`,
    );
  }
  const other = named.find((n) => n.vg !== first.vg);
  if (other)
    throw new Error(
      `${first.why} is in volume group ${first.vg}, but ${other.why} is in ${other.vg}: which one is docker's? Fix ` +
        `the storage configuration by hand first`,
    );
  const vg = first.vg;
  const vgRow = f.vgs.find((v) => v.name === vg);
  if (!vgRow) throw new Error(`volume group ${vg} is not listed by vgs`);
  const lvs = f.lvs.filter((lv) => lv.vg === vg);
  for (const m of f.mounts) {
    const lv = lvOfSource(m.source, lvs);
    if (lv && m.target !== DOCKER_ROOT) {
      throw new Error(
        `${vg}/${lv.name} is mounted on ${m.target}${m.target === '/' ? ' (the root filesystem)' : ''}: volume ` +
          `group ${vg} is not docker's alone, and this procedure would destroy it`,
      );
    }
  }
  const pvs = f.pvs.filter((p) => p.vg === vg).map((p) => p.name);
  if (pvs.length === 0) throw new Error(`pvs lists no physical volume of ${vg}`);
  const disks: string[] = [];
  for (const pv of pvs) {
    const dev = f.blocks.find((b) => b.name === pv);
    if (!dev) throw new Error(`lsblk does not list ${pv}, a physical volume of ${vg}`);
    const disk = dev.type === 'disk' || dev.parent === '' ? dev.name : dev.parent;
    if (!disks.includes(disk)) disks.push(disk);
  }
  for (const disk of disks) {
    const parts = f.blocks.filter((b) => b.parent === disk && b.type === 'part').map((b) => b.name);
    const foreign = parts.filter((p) => !pvs.includes(p));
    if (foreign.length > 0) {
      throw new Error(
        `disk ${disk} also holds ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not a physical ` +
          `volume of ${vg}: its partition table cannot be wiped for docker-storage-setup; move that data off the disk first`,
      );
    }
  }
  const r: DockerStorage = {
    vg,
    lvs: lvs.map((l) => l.name),
    pvs,
    disks,
    rootLv: rootLvRow && rootLvRow.vg === vg ? rootLvRow.name : '',
    sizeBytes: vgRow.sizeBytes,
    setup,
  };
  if (ds.driver) r.configuredDriver = ds.driver;
  return r;
}

// ---- steps: the node, its captured values --------------------------------------------------------------

/** The inventory host of the `node` parameter. */
export function paramNode(ctx: { params: Params; inventory: Inventory }): Host {
  const name = ctx.params['node'];
  const h = ctx.inventory.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`${JSON.stringify(name ?? '')} is not a host of the inventory`);
  return h;
}

/** The node's name in the cluster (`oc get nodes`): openshift_hostname, else the inventory name. */
export function nodeName(ctx: { params: Params; inventory: Inventory }): string {
  const h = paramNode(ctx);
  return h.openshift?.hostname ?? h.name;
}

export const onNode: Placement = { on: 'param', param: 'node' };
export const onBastion: Placement = { on: 'bastion' };

/** A captured list (space-separated). */
export const list = (ctx: StepContext, name: string): string[] =>
  ctx.captured
    .get(name)
    .split(/\s+/)
    .filter((x) => x !== '');

/** The commands that read the node's storage; `storageFacts` parses their outputs (same order). */
export function storageReadCommands(): ShellCommand[] {
  return [
    argv('vgs'),
    argv('lvs'),
    argv('pvs'),
    sh`cat ${DOCKER_STORAGE} 2>/dev/null || true`,
    sh`cat ${STORAGE_SETUP} 2>/dev/null || true`,
    vgsCommand(),
    lvsCommand(),
    pvsCommand(),
    lsblkCommand(),
    findmntCommand(),
  ];
}
export const STORAGE_READ_COUNT = 10;

function okOutput(o: CommandOutput, what: string): string {
  if (o.exitCode !== 0) throw new Error(`${what} failed (exit ${o.exitCode ?? 'none'}): ${both(o).trim().split('\n')[0] ?? ''}`);
  return o.stdout;
}

export function storageFacts(outputs: CommandOutput[], ctx: StepContext, offset = 0): StorageFacts {
  const o = (i: number) => out(outputs, offset + i);
  const f: StorageFacts = {
    dockerStorage: o(3).stdout,
    storageSetup: o(4).stdout,
    vgs: parseVgs(okOutput(o(5), 'vgs')),
    lvs: parseLvs(okOutput(o(6), 'lvs')),
    pvs: parsePvs(okOutput(o(7), 'pvs')),
    blocks: parseLsblkPairs(okOutput(o(8), 'lsblk')),
    mounts: parseFindmnt(okOutput(o(9), 'findmnt')),
  };
  const vg = ctx.params['vg'];
  if (vg) f.vgParam = vg;
  return f;
}

/** `docker info`'s storage driver, or the sentence that says why it cannot be read. */
export function dockerDriver(o: CommandOutput): string {
  const d = parseDockerInfo(o.stdout).storageDriver;
  if (d) return d;
  if (/Cannot connect to the Docker daemon|Is the docker daemon running/i.test(o.stderr)) {
    throw new Error(
      'docker is not running on the node (docker info: Cannot connect to the Docker daemon): start it (systemctl ' +
        'start docker) and run the procedure again',
    );
  }
  throw new Error(`docker info printed no "Storage Driver:" line (exit ${o.exitCode ?? 'none'}): ${both(o).trim().split('\n')[0] ?? ''}`);
}

export const dockerInfoCheck = (want: (ctx: StepContext) => string, describe: (ctx: StepContext) => string): CommandCheck => ({
  describe: 'docker info reports the expected storage driver',
  command: () => argv('docker', 'info'),
  ok: (o, ctx) => {
    const d = parseDockerInfo(o.stdout).storageDriver;
    const w = want(ctx);
    if (d === w) return true;
    return d
      ? `docker info says Storage Driver: ${d}, not ${w} (${describe(ctx)})`
      : `docker info printed no storage driver: ${both(o).trim().split('\n')[0] ?? ''}`;
  },
});

// ---- 7.1.1 the evacuation, and the way back -------------------------------------------------------------

const unschedulable = (ctx: StepContext): ShellCommand => unschedulableCommand(nodeName(ctx));

/** What `oc get node` said of spec.unschedulable, with the exit code and first line of an error. */
function unschedulableSaid(o: CommandOutput): string {
  const error = o.exitCode !== 0 ? ` (exit ${o.exitCode}: ${both(o).trim().split('\n')[0]})` : '';
  return `oc get node says unschedulable=${JSON.stringify(o.stdout.trim())}${error}`;
}

export const cordonedCheck: CommandCheck = {
  describe: 'the node is marked unschedulable (spec.unschedulable)',
  command: unschedulable,
  ok: (o) => (o.exitCode === 0 && o.stdout.trim() === 'true') || unschedulableSaid(o),
};

export const schedulableCheck: CommandCheck = {
  describe: 'the node is schedulable again',
  command: unschedulable,
  ok: (o) => (o.exitCode === 0 && ['', 'false'].includes(o.stdout.trim())) || unschedulableSaid(o),
};

export const drainedCheck: CommandCheck = {
  describe: 'no pod left on the node but daemon set pods',
  command: (ctx) => podsOnNodeCommand(nodeName(ctx)),
  ok: (o) => {
    if (o.exitCode !== 0) return `oc get pods failed: ${both(o).trim().split('\n')[0]}`;
    const left = stillToMove(parsePodsJson(o.stdout)).map(podKey);
    return left.length === 0 || `still on the node: ${left.join(', ')}`;
  },
};

export const DRAIN_TIMEOUT_SECONDS = 600;

/** `oc adm drain N --ignore-daemonsets --delete-local-data [--force] --timeout=600s` (the empty-dir flag as this oc names it). */
export function drainCommand(ctx: StepContext, force: boolean): ShellCommand {
  return ocDrain(
    { node: nodeName(ctx), ignoreDaemonsets: true, deleteLocalData: true, force, timeoutSeconds: DRAIN_TIMEOUT_SECONDS },
    ocVersionOf(ctx),
  );
}

const forced = (ctx: StepContext): boolean => ctx.params['force'] === 'yes';

/**
 * 7.1.1: the oc client's version (for the drain flag), mark the node unschedulable, drain it (with
 * `--force` only when the force parameter says so: a separate step with a typed gate), check that no
 * pod is left. `skip` decides for every step (e.g. "already on overlay2").
 */
export function evacuationSteps(skip: (ctx: StepContext) => string | undefined): Step[] {
  return [
    {
      id: 'oc-version',
      title: 'Read the oc client version (which drain flag it takes)',
      section: '7.1.1',
      where: onBastion,
      skipIf: skip,
      commands: () => [argv('oc', 'version')],
      capture: { [OC_VERSION_CAPTURE]: (o) => ocVersionCapture(out(o, 0).stdout) },
    },
    {
      id: 'cordon',
      title: 'Mark the node unschedulable (oc adm manage-node --schedulable=false)',
      section: '7.1.1',
      where: onBastion,
      skipIf: skip,
      commands: (ctx) => [cordonCommand(nodeName(ctx))],
      verify: cordonedCheck,
    },
    {
      id: 'drain',
      title: 'Drain the node (oc adm drain --ignore-daemonsets --delete-local-data), then list its pods',
      section: '7.1.1',
      where: onBastion,
      skipIf: (ctx) => skip(ctx) ?? (forced(ctx) ? 'force=yes: the drain with --force below evicts instead' : undefined),
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `Evicts every pod from ${nodeName(ctx)} except daemon set pods; pods with emptyDir volumes lose that ` +
          `data. Pods that no controller manages make the drain stop (run again with force=yes to delete them).`,
        protectedBy: () => 'controllers start the evicted pods again on other nodes',
      },
      timeoutMs: 15 * 60_000,
      commands: (ctx) => [drainCommand(ctx, false), listPodsCommand(nodeName(ctx))],
      verify: drainedCheck,
    },
    {
      id: 'drain-force',
      title: 'Drain the node with --force (pods that no controller manages are deleted), then list its pods',
      section: '7.1.1',
      where: onBastion,
      skipIf: (ctx) => skip(ctx) ?? (forced(ctx) ? undefined : 'force=no: the plain drain above evicts'),
      gate: {
        kind: 'type-host',
        what: (ctx) =>
          `Evicts every pod from ${nodeName(ctx)} except daemon set pods, and DELETES for good the pods that no ` +
          `controller manages (they are not started again anywhere); emptyDir data is lost.`,
        protectedBy: () => 'nothing: a pod without a controller is not recreated',
      },
      timeoutMs: 15 * 60_000,
      commands: (ctx) => [drainCommand(ctx, true), listPodsCommand(nodeName(ctx))],
      verify: drainedCheck,
    },
  ];
}

/** The node back in service: `oc adm manage-node N --schedulable=true`. */
export function uncordonStep(section: string, skip: (ctx: StepContext) => string | undefined): Step {
  return {
    id: 'uncordon',
    title: 'Make the node schedulable again (oc adm manage-node --schedulable=true)',
    section,
    where: onBastion,
    skipIf: skip,
    commands: (ctx) => [uncordonCommand(nodeName(ctx))],
    verify: schedulableCheck,
  };
}

// ---- node services -------------------------------------------------------------------------------------

const activeCheck = (units: string[], want: boolean, describe: string): CommandCheck => ({
  describe,
  command: () => sh`for u in ${units}; do printf '%s %s\n' "$u" "$(systemctl is-active "$u")"; done`,
  ok: (o) => {
    const bad = o.stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 2 && (f[1] === 'active') !== want)
      .map((f) => `${f[0]} is ${f[1]}`);
    return bad.length === 0 || bad.join(', ');
  },
});

export function stopServicesStep(section: string, skip: (ctx: StepContext) => string | undefined): Step {
  return {
    id: 'stop-services',
    title: 'Stop docker and the node service (systemctl stop docker atomic-openshift-node)',
    section,
    where: onNode,
    skipIf: skip,
    commands: () => [argv('systemctl', 'stop', DOCKER_UNIT, NODE_UNIT)],
    verify: activeCheck([DOCKER_UNIT, NODE_UNIT], false, 'docker and atomic-openshift-node are stopped'),
  };
}

export function startStep(
  id: string,
  title: string,
  section: string,
  units: string[],
  skip: (ctx: StepContext) => string | undefined,
): Step {
  return {
    id,
    title,
    section,
    where: onNode,
    skipIf: skip,
    commands: () => [argv('systemctl', 'start', ...units)],
    verify: activeCheck(units, true, `${units.join(' and ')} ${units.length > 1 ? 'are' : 'is'} active`),
  };
}

// ---- the teardown (7.1.3, and 7.1.2 with a resized disk) ---------------------------------------------------

const listed = (o: CommandOutput): string[] =>
  o.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/**
 * umount, lvremove, vgremove, pvremove, wipefs and the /var/lib/docker wipe, with names captured by an
 * earlier step: 'vg', 'lv' (every LV of it), 'pv', 'disk', 'docker-lv' (the LV on /var/lib/docker).
 * Each command is guarded ("already removed") so that a resumed run can repeat the step.
 */
export function teardownSteps(section: string, skip: (ctx: StepContext) => string | undefined): Step[] {
  const vg = (ctx: StepContext) => ctx.captured.get('vg');
  return [
    {
      id: 'umount-docker-lv',
      title: 'Unmount the logical volume mounted on /var/lib/docker',
      section,
      where: onNode,
      skipIf: (ctx) =>
        skip(ctx) ?? (ctx.captured.get('docker-lv') === '' ? `no logical volume of ${vg(ctx)} is mounted on ${DOCKER_ROOT}` : undefined),
      commands: () => [
        sh`if mountpoint -q ${DOCKER_ROOT}; then umount ${DOCKER_ROOT}; else echo ${`${DOCKER_ROOT} is not a mount point`}; fi`,
      ],
      verify: {
        describe: `nothing of ${'the docker volume group'} is mounted on ${DOCKER_ROOT}`,
        command: () => argv('findmnt', '-rn', '-o', 'SOURCE', DOCKER_ROOT),
        ok: (o, ctx) => {
          const src = o.stdout.trim();
          return !src.includes(dmName(vg(ctx), ctx.captured.get('docker-lv'))) || `${src} is still mounted on ${DOCKER_ROOT}`;
        },
      },
    },
    {
      id: 'lv-remove',
      title: 'Remove every logical volume of the docker volume group (lvremove /dev/<vg>/<lv> -y)',
      section,
      where: onNode,
      skipIf: skip,
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) =>
          `Destroys docker's storage on ${ctx.host?.name ?? ctx.params['node']}: the logical volume(s) ` +
          `${list(ctx, 'lv').join(', ') || '(none)'} and the volume group ${vg(ctx)} on ` +
          `${list(ctx, 'pv').join(', ')} (disk ${list(ctx, 'disk').join(', ')}), then the contents of ` +
          `${DOCKER_ROOT}. Every image and container on the node is lost.`,
        protectedBy: () =>
          'nothing to back up: the node was drained, its pods run elsewhere, and images are pulled again from the registries',
      },
      commands: (ctx) =>
        list(ctx, 'lv').map(
          (lv) =>
            sh`if lvs ${`${vg(ctx)}/${lv}`} >/dev/null 2>&1; then lvremove ${`/dev/${vg(ctx)}/${lv}`} -y;
              else echo ${`${vg(ctx)}/${lv}: already removed`}; fi`,
        ),
      verify: {
        describe: 'the volume group has no logical volume left',
        command: (ctx) => argv('lvs', '--noheadings', '-o', 'lv_name', vg(ctx)),
        ok: (o, ctx) => {
          if (o.exitCode !== 0) return /not found/.test(o.stderr) || `lvs ${vg(ctx)} failed: ${both(o).trim().split('\n')[0]}`;
          const left = listed(o);
          return left.length === 0 || `still there: ${left.join(', ')}`;
        },
      },
    },
    {
      id: 'vg-remove',
      title: 'Remove the docker volume group (vgremove <vg> -y)',
      section,
      where: onNode,
      skipIf: skip,
      destructive: true,
      commands: (ctx) => [
        sh`if vgs ${vg(ctx)} >/dev/null 2>&1; then vgremove ${vg(ctx)} -y; else echo ${`volume group ${vg(ctx)}: already removed`}; fi`,
      ],
      verify: {
        describe: 'vgs no longer lists the volume group',
        command: (ctx) => argv('vgs', '--noheadings', '-o', 'vg_name', vg(ctx)),
        ok: (o, ctx) => (o.exitCode !== 0 && /not found/.test(o.stderr)) || `vgs still lists ${vg(ctx)}`,
      },
    },
    {
      id: 'pv-remove',
      title: 'Remove the physical volume label(s) (pvremove <pv> -y)',
      section,
      where: onNode,
      skipIf: skip,
      destructive: true,
      commands: (ctx) =>
        list(ctx, 'pv').map(
          (pv) =>
            sh`if pvs ${pv} >/dev/null 2>&1; then pvremove ${pv} -y; else echo ${`${pv}: no physical volume label (already removed)`}; fi`,
        ),
      verify: {
        describe: 'pvs lists none of them',
        command: () => argv('pvs', '--noheadings', '-o', 'pv_name'),
        ok: (o, ctx) => {
          const left = listed(o).filter((p) => list(ctx, 'pv').includes(p));
          return left.length === 0 || `still physical volumes: ${left.join(', ')}`;
        },
      },
    },
    {
      id: 'disk-wipe',
      title: 'Wipe the emptied disk’s partition table, so that docker-storage-setup can use the whole disk again (wipefs -a <disk>)',
      section,
      where: onNode,
      skipIf: skip,
      destructive: true,
      commands: (ctx) => [argv('wipefs', '-a', ...list(ctx, 'disk'))],
      verify: {
        describe: 'the disk has no partition left',
        command: (ctx) => argv('lsblk', '-nlp', '-o', 'NAME,TYPE', ...list(ctx, 'disk')),
        ok: (o) => {
          const parts = listed(o)
            .filter((l) => / part$/.test(l))
            .map((l) => l.split(/\s+/)[0]);
          return parts.length === 0 || `partitions left: ${parts.join(', ')}`;
        },
      },
    },
    {
      id: 'docker-wipe',
      title: 'Remove docker’s data and its storage configuration (rm -Rf /var/lib/docker/*; rm -f /etc/sysconfig/docker-storage)',
      section,
      where: onNode,
      skipIf: skip,
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) =>
          `Deletes everything under ${DOCKER_ROOT} on ${ctx.host?.name ?? ctx.params['node']} (images, containers, ` +
          `docker's metadata) and ${DOCKER_STORAGE}.`,
        protectedBy: () => 'nothing to back up: the node was drained, and images are pulled again from the registries',
      },
      commands: () => [sh`rm -Rf ${DOCKER_ROOT}/*`, argv('rm', '-f', DOCKER_STORAGE)],
      verify: {
        describe: `${DOCKER_ROOT} is empty and ${DOCKER_STORAGE} is gone`,
        command: () => sh`ls -A ${DOCKER_ROOT}; test -e ${DOCKER_STORAGE} && echo ${`${DOCKER_STORAGE} exists`}; true`,
        ok: (o) => {
          const left = listed(o);
          return left.length === 0 || `left: ${left.join(', ')}`;
        },
      },
    },
  ];
}

/** `docker-storage-setup`, verified by what it wrote to /etc/sysconfig/docker-storage. */
export function storageSetupStep(section: string, skip: (ctx: StepContext) => string | undefined, verify: CommandCheck): Step {
  return {
    id: 'storage-setup',
    title: 'Set up docker’s storage (docker-storage-setup)',
    section,
    where: onNode,
    skipIf: skip,
    timeoutMs: 10 * 60_000,
    commands: () => [argv('docker-storage-setup')],
    verify,
  };
}

export const vgSizeCheck = (describe: string, bigger: (ctx: StepContext) => number): CommandCheck => ({
  describe,
  command: (ctx) => vgsCommand(ctx.captured.get('vg')),
  ok: (o, ctx) => {
    if (o.exitCode !== 0) return `vgs ${ctx.captured.get('vg')} failed: ${both(o).trim().split('\n')[0]}`;
    const row = parseVgs(o.stdout)[0];
    if (!row) return `vgs printed no row for ${ctx.captured.get('vg')}`;
    const before = bigger(ctx);
    return row.sizeBytes > before || `${row.name} is ${gib(row.sizeBytes)}, not larger than before (${gib(before)})`;
  },
});

export function gib(n: number): string {
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * Procedure.refuse of the docker storage procedures: a master stops its API, its controllers and (a static
 * pod) its etcd with docker and the node service, and `rm -Rf /var/lib/docker/*` removes the control plane's
 * images. Refused unless allow-master=yes, and then only when etcd keeps quorum without the node.
 */
export function refuseMaster(ctx: StepContext): string | undefined {
  const name = ctx.params['node'];
  const node = ctx.inventory.hosts.find((h) => h.name === name);
  if (!node?.roles.includes('master')) return undefined;
  const what =
    `${node.name} is a master: stopping docker and the node service there stops its API and controllers ` +
    `(and its etcd when that runs as a static pod), and wiping ${DOCKER_ROOT} removes the control plane's images`;
  if (ctx.params['allow-master'] !== 'yes')
    return `${what}. Give allow-master=yes to do it anyway, one master at a time, with the other masters healthy`;
  const members = ctx.inventory.hosts.filter((h) => h.roles.includes('etcd'));
  if (node.roles.includes('etcd') && members.length - 1 < Math.floor(members.length / 2) + 1) {
    return (
      `${what}, and etcd has ${members.length} member${members.length === 1 ? '' : 's'}: without ${node.name} ` +
      `it loses quorum (the API stops cluster-wide). Not done, even with allow-master=yes`
    );
  }
  return undefined;
}
