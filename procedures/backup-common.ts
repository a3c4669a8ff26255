// Pieces shared by the backup procedures of chapter 4 (master-backup, node-backup,
// registry-certs-backup, etcd-backup). Not a procedure itself: each procedure file lists its steps, but
// for the master and node host backups (4.1, 4.2), whose steps are one list, hostBackupSteps.

import type { CommandOutput } from '../src/checks/types.js';
import type { ParameterSpec, Placement, Step, StepContext } from '../src/engine/types.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import type { Host, Role } from '../src/inventory/types.js';
import { packageListCommand } from '../src/ocp/rpm.js';
import { argv, literal, type ShellCommand, sh } from '../src/transport/shell.js';
import { HOST_BACKUP_DIR, textParam } from './define.js';

/** `date +%Y%m%d` of the run's start (local time of the bastion), so a resumed run uses the same name. */
export function dateStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

/** `YYYYMMDDhhmmss` of the run's start (names of things moved aside). */
export function timeStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${dateStamp(d)}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

const HOSTNAME_RE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

/** The host name as `hostname` printed it; refuses anything that cannot be a host name (it becomes a path). */
export function parseHostname(out: CommandOutput): string {
  const name = out.stdout.trim();
  if (!HOSTNAME_RE.test(name)) {
    throw new Error(`hostname printed ${JSON.stringify(name.slice(0, 80))}, which is not a host name; fix the host name first`);
  }
  return name;
}

/** The captured `hostname` of the host the step runs on (`<hostname>` while planning). */
export function hostnameOf(ctx: StepContext): string {
  return ctx.captured.get('hostname');
}

/** Step 1 of the host backups: the guide's `$(hostname)`, resolved on the host and captured. */
export function hostnameStep(where: Placement, section: string): Step {
  return {
    id: 'hostname',
    title: 'Read the host name (the guide’s $(hostname))',
    section,
    where,
    commands: () => [argv('hostname')],
    capture: { hostname: (outputs) => parseHostname(outputs[outputs.length - 1] ?? { exitCode: 0, stdout: '', stderr: '' }) },
  };
}

/** The `backup-dir` parameter of a host backup: a directory template on the host, checked by validateBackupDir. */
export function backupDirParam(description: string): ParameterSpec {
  return { ...textParam('backup-dir', description, false, HOST_BACKUP_DIR), validate: (v) => validateBackupDir(v) };
}

/** A backup directory template: absolute, no `..`, only `<hostname>` / `<YYYYMMDD>` as placeholders. */
export function validateBackupDir(value: string): string | undefined {
  if (!value.startsWith('/'))
    return `backup directory ${JSON.stringify(value)} is not an absolute path; give one such as /backup/<hostname>/<YYYYMMDD>`;
  if (/[\0\n\r]/.test(value)) return 'backup directory contains a control character';
  if (value.split('/').includes('..')) return `backup directory ${JSON.stringify(value)} contains "..": give a plain absolute path`;
  const rest = value.replace(/<hostname>|<YYYYMMDD>/g, '');
  if (/[<>]/.test(rest)) return `backup directory ${JSON.stringify(value)}: the only placeholders are <hostname> and <YYYYMMDD>`;
  if (value.replace(/\/+$/, '') === '') return 'the backup directory cannot be /';
  return undefined;
}

/** The backup directory for this host and run, placeholders filled in. */
export function resolveBackupDir(template: string, ctx: StepContext): string {
  return template
    .replace(/<YYYYMMDD>/g, dateStamp(ctx.startedAt))
    .replace(/<hostname>/g, () => hostnameOf(ctx))
    .replace(/\/+$/, '');
}

/** A directory on the bastion: absolute, no control characters. */
export function validateBastionDir(value: string): string | undefined {
  if (!value.startsWith('/')) return `${JSON.stringify(value)} is not an absolute path on the bastion`;
  if (/[\0\n\r]/.test(value)) return 'the directory contains a control character';
  if (value.split('/').includes('..')) return `${JSON.stringify(value)} contains "..": give a plain absolute path`;
  return undefined;
}

/** Every host of a role, or only the one named by the optional parameter. */
export function roleOrParam(role: Role, param: string, describe: string): Placement {
  return {
    on: 'hosts',
    describe,
    mode: 'serial',
    hosts: (ctx) => {
      const chosen = ctx.params[param];
      const all = hostsOfRole(ctx.inventory, role);
      return chosen ? all.filter((h) => h.name === chosen) : all;
    },
  };
}

/** `cp -aR SRC DEST` for a path the guide marks "if used": absent → a "not present" line, exit 0. */
export function copyIfPresent(src: string, dest: string): ShellCommand {
  return sh`if test -e ${src}; then cp -aR ${src} ${dest};
    else echo ${`${src}: not present on this host (used only by some installs), not backed up`}; fi`;
}

/**
 * `cp -aR <dir>/<glob> DEST` for every match of a fixed glob (the glob is our own literal text); no match →
 * a "not present" line, exit 0.
 */
export function copyGlobIfPresent(dir: string, glob: '*', dest: string): ShellCommand {
  return sh`n=0; for f in ${dir}/${{ script: glob }}; do if test -e "$f"; then cp -aR "$f" ${dest} && n=$((n+1))
    || exit 1; fi; done; if test "$n" = 0; then echo ${`${dir}/${glob}: nothing present on this host, not backed up`}; fi`;
}

/** The guide's `find ${MYBACKUPDIR} -mindepth 1 -type f -printf '%P\n'`, as a count and a size for the log. */
export function summarizeDirCommand(dir: string): ShellCommand {
  return sh`echo "$(find ${dir} -mindepth 1 -type f | wc -l) files in "${dir}; du -sh ${dir}`;
}

/** A backup directory template as remote shell text: `<hostname>` becomes "$(hostname)" (resolved on the host). */
export function remoteDirExpr(template: string, startedAt: Date): ShellCommand {
  const parts = template
    .replace(/<YYYYMMDD>/g, dateStamp(startedAt))
    .replace(/\/+$/, '')
    .split('<hostname>');
  return { script: parts.map((p) => (p === '' ? '' : sh`${p}`.script)).join('"$(hostname)"') };
}

/** Where the copy step leaves the archives it makes on a host before they are fetched over SFTP. */
export const COPY_ARCHIVE_DIR = '/backup';

/**
 * A step on each host that packs its backup into `/backup/<name>` (`tar -czf`, mode 0600) and fetches
 * every archive over SFTP, on the product's verified connection (--known-hosts, --identity, the
 * inventory's user/port/key), into `<copy-to>/<inventory name>/<name>` on the bastion. SFTP reads as the
 * login user: when the commands ran through sudo, the archive is handed to that user ($SUDO_USER) first.
 * The archives stay on the host next to the backup.
 */
export function sftpCopyStep(opts: {
  id: string;
  title: string;
  section: string;
  param: string;
  describeHosts: string;
  hosts: (ctx: StepContext) => Host[];
  /** What to pack on one host: `tar` arguments (remote shell text), each with the archive's file name. */
  dirs: (ctx: StepContext, host: Host) => { tarArgs: ShellCommand; name: string }[];
}): Step {
  const dirsOf = (ctx: StepContext) => (ctx.host ? opts.dirs(ctx, ctx.host) : []);
  return {
    id: opts.id,
    title: opts.title,
    section: opts.section,
    where: { on: 'hosts', describe: opts.describeHosts, mode: 'serial', hosts: opts.hosts },
    skipIf: (ctx) =>
      ctx.params[opts.param]
        ? undefined
        : `no ${opts.param} given: the backup stays on the hosts only (the guide asks for a copy off the cluster)`,
    commands: (ctx) =>
      dirsOf(ctx).map((d) => {
        const file = `${COPY_ARCHIVE_DIR}/${d.name}`;
        return sh`umask 077 && mkdir -p ${COPY_ARCHIVE_DIR} && tar -czf ${file} ${d.tarArgs} && if test -n "$SUDO_USER";
          then chown "$SUDO_USER" ${file}; fi && ls -l ${file}`;
      }),
    downloads: (ctx) => {
      const base = (ctx.params[opts.param] ?? '').replace(/\/+$/, '');
      return dirsOf(ctx).map((d) => ({ remote: `${COPY_ARCHIVE_DIR}/${d.name}`, local: `${base}/${ctx.host!.name}/${d.name}` }));
    },
  };
}

// ---- 4.1 / 4.2: the host backups share their layout -------------------------------------------------

/** MYBACKUPDIR on the host the step runs on. */
export function backupDir(ctx: StepContext): string {
  return resolveBackupDir(ctx.params['backup-dir'] || HOST_BACKUP_DIR, ctx);
}

/** The guide's archive name /backup/$(hostname)-$(date +%Y%m%d).tar.gz; `<dir>.tar.gz` for a custom dir. */
export function archivePath(ctx: StepContext): string {
  const custom = ctx.params['backup-dir'];
  if (custom && custom !== HOST_BACKUP_DIR) return `${backupDir(ctx)}.tar.gz`;
  return `/backup/${hostnameOf(ctx)}-${dateStamp(ctx.startedAt)}.tar.gz`;
}

/** The files of the guide's table (4.1 and 4.2 share it), as commands. */
export function otherFilesCommands(dir: string): ShellCommand[] {
  return [
    sh`mkdir -p ${dir}/etc/sysconfig ${dir}/etc/pki/ca-trust/source/anchors`,
    sh`cp -aR /etc/sysconfig/iptables ${dir}/etc/sysconfig/`,
    sh`cp -aR /etc/sysconfig/docker-* ${dir}/etc/sysconfig/`,
    // L302: {iptables,docker-*,flanneld} does not match /etc/sysconfig/docker itself
    sh`cp -aR /etc/sysconfig/docker ${dir}/etc/sysconfig/`,
    copyIfPresent('/etc/sysconfig/flanneld', `${dir}/etc/sysconfig/`),
    sh`cp -aR /etc/dnsmasq* ${dir}/etc/`,
    copyIfPresent('/etc/cni', `${dir}/etc/`),
    copyGlobIfPresent('/etc/pki/ca-trust/source/anchors', '*', `${dir}/etc/pki/ca-trust/source/anchors/`),
  ];
}

export function archiveStep(section: string, where: Placement): Step {
  return {
    id: 'archive',
    title: 'Compress the backup directory (tar.gz)',
    section,
    where,
    skipIf: (ctx) => (ctx.params['archive'] === 'yes' ? undefined : 'archive=no: the backup directory is left uncompressed'),
    commands: (ctx) => [sh`tar -zcf ${archivePath(ctx)} ${backupDir(ctx)}`, sh`ls -l ${archivePath(ctx)}`],
    verify: {
      describe: 'the archive can be read back',
      command: (ctx) => sh`tar -tzf ${archivePath(ctx)} > /dev/null`,
      ok: (out) => out.exitCode === 0 || `tar cannot read the archive back: ${out.stderr.trim().slice(-200)}`,
    },
  };
}

/** What differs between the master and the node host backups (4.1 and 4.2); the rest is hostBackupSteps. */
export interface HostBackup {
  /** The hosts backed up, one at a time, unless the `host` parameter names one. */
  role: Role;
  /** How the plan names them: "every master, one at a time (or the one named by host)". */
  hosts: string;
  section: string;
  /** The service settings copied into etc/sysconfig/ (a glob is left for the host's shell), and the config step's title. */
  sysconfig: string;
  configTitle: string;
  /** The file under the backup directory that shows /etc/origin was copied: etc/origin/master/master-config.yaml. */
  configFile: string;
  /** The files under the backup directory check-backup requires (not empty), and how it says so. */
  required: readonly string[];
  requiredDescribe: string;
  /** More lines check-backup prints after the directory's summary. */
  checkLines?: (ctx: StepContext, dir: string) => ShellCommand[];
}

/** `${dir}/a/b` with dir quoted as one word and the relative path as written (as sh`${dir}/a/b` builds it). */
const under = (dir: string, rel: string): ShellCommand => sh`${dir}/${literal(rel)}`;

/**
 * The steps of a host backup (4.1 master, 4.2 node): the host name, /etc/origin and the service settings,
 * the guide's other files, the package list, a check of the directory, the optional archive.
 */
export function hostBackupSteps(b: HostBackup): Step[] {
  const where = roleOrParam(b.role, 'host', b.hosts);
  const section = b.section;
  return [
    hostnameStep(where, section),
    {
      id: 'config',
      title: b.configTitle,
      section,
      where,
      commands: (ctx) => {
        const d = backupDir(ctx);
        return [sh`mkdir -p ${d}/etc/sysconfig`, sh`cp -aR /etc/origin ${d}/etc`, sh`cp -aR ${literal(b.sysconfig)} ${d}/etc/sysconfig/`];
      },
      verify: {
        describe: `the backup has ${b.configFile}`,
        command: (ctx) => sh`test -f ${under(backupDir(ctx), b.configFile)}`,
        ok: (out) => out.exitCode === 0 || `${b.configFile} is missing from the backup directory`,
      },
    },
    {
      id: 'other-files',
      title: 'Back up the other important files (iptables, docker, dnsmasq, CNI, flannel, CA anchors)',
      section,
      where,
      commands: (ctx) => otherFilesCommands(backupDir(ctx)),
    },
    {
      id: 'packages',
      title: 'Save the list of installed packages (rpm -qa) to packages.txt',
      section,
      where,
      commands: (ctx) => [sh`mkdir -p ${backupDir(ctx)}`, packageListCommand(backupDir(ctx))],
    },
    {
      id: 'check-backup',
      title: 'Check the backup directory',
      section,
      where,
      commands: (ctx) => {
        const d = backupDir(ctx);
        return [summarizeDirCommand(d), ...(b.checkLines?.(ctx, d) ?? [])];
      },
      verify: {
        describe: b.requiredDescribe,
        command: (ctx) => {
          const files = b.required.map((f) => under(backupDir(ctx), f));
          return sh`for f in ${literal(files.map((f) => f.script).join(' '))}; do test -s "$f" || echo "missing: $f"; done`;
        },
        ok: (out) => {
          const missing = out.stdout.split('\n').filter((l) => l.startsWith('missing: '));
          return missing.length === 0 ? true : `the backup is incomplete: ${missing.map((l) => l.slice(9)).join(', ')}`;
        },
      },
    },
    archiveStep(section, where),
  ];
}
