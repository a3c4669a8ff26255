// 4.1 (and 5.2.2) Creating a master host backup — on each master, one at a time:
//   MYBACKUPDIR=/backup/$(hostname)/$(date +%Y%m%d)
//   mkdir -p ${MYBACKUPDIR}/etc/sysconfig; cp -aR /etc/origin ${MYBACKUPDIR}/etc; cp -aR /etc/sysconfig/atomic-* …
//   cp -aR /etc/sysconfig/{iptables,docker-*,flanneld} …; cp -aR /etc/dnsmasq* /etc/cni …; anchors/* …
//   rpm -qa | sort | tee $MYBACKUPDIR/packages.txt; optionally tar -zcvf /backup/$(hostname)-$(date +%Y%m%d).tar.gz
// Differences from the guide's text: /etc/sysconfig/docker is copied too (L302: the brace glob
// `docker-*` misses it); the "if used" paths (flanneld, /etc/cni, anchors) are skipped with a line
// when absent; the uncompressed directory is kept after the optional archive (the guide removes it).
import type { Procedure } from '../src/engine/types.js';
import { sh } from '../src/transport/shell.js';
import {
  archiveStep,
  backupDir,
  hostnameStep,
  otherFilesCommands,
  packageListCommand,
  roleOrParam,
  summarizeDirCommand,
  validateBackupDir,
} from './backup-common.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import { defineProcedure, hostParam, textParam, yesNo, HOST_BACKUP_DIR } from './define.js';

const where = roleOrParam('master', 'host', 'every master, one at a time (or the one named by host)');

export const masterBackup: Procedure = defineProcedure({
  id: 'master-backup', title: 'Back up master hosts', section: '4.1, 5.2.2', guideLine: 268, risk: 'low',
  summary: 'Copies master configuration, certificates, service settings and the package list into a dated backup directory on each master.',
  parameters: [
    hostParam('host', 'master', 'Master to back up; default: every master', false),
    { ...textParam('backup-dir', 'Backup directory on the host', false, HOST_BACKUP_DIR), validate: (v) => validateBackupDir(v) },
    yesNo('archive', 'Also pack the backup directory into a tar.gz'),
  ],
  steps: [
    hostnameStep(where, '4.1'),
    {
      id: 'config',
      title: 'Back up /etc/origin and the service settings /etc/sysconfig/atomic-*',
      section: '4.1',
      where,
      commands: (ctx) => {
        const d = backupDir(ctx);
        return [
          sh`mkdir -p ${d}/etc/sysconfig`,
          sh`cp -aR /etc/origin ${d}/etc`,
          sh`cp -aR /etc/sysconfig/atomic-* ${d}/etc/sysconfig/`,
        ];
      },
      verify: {
        describe: 'the backup has etc/origin/master/master-config.yaml',
        command: (ctx) => sh`test -f ${backupDir(ctx)}/etc/origin/master/master-config.yaml`,
        ok: (out) => out.exitCode === 0 || 'etc/origin/master/master-config.yaml is missing from the backup directory',
      },
    },
    {
      id: 'other-files',
      title: 'Back up the other important files (iptables, docker, dnsmasq, CNI, flannel, CA anchors)',
      section: '4.1',
      where,
      commands: (ctx) => otherFilesCommands(backupDir(ctx)),
    },
    {
      id: 'packages',
      title: 'Save the list of installed packages (rpm -qa) to packages.txt',
      section: '4.1',
      where,
      commands: (ctx) => [sh`mkdir -p ${backupDir(ctx)}`, packageListCommand(backupDir(ctx))],
    },
    {
      id: 'check-backup',
      title: 'Check the backup directory',
      section: '4.1',
      where,
      commands: (ctx) => {
        const d = backupDir(ctx);
        const first = hostsOfRole(ctx.inventory, 'master')[0]?.name ?? '(none)';
        const isFirst = ctx.host?.name === first;
        const serial = `${d}/etc/origin/master/ca.serial.txt`;
        const present = isFirst
          ? 'ca.serial.txt: backed up (this is the first master of the inventory, the only one that has it)'
          : `ca.serial.txt: backed up, although only the first master of the inventory (${first}) normally has it`;
        const absent = isFirst
          ? 'WARNING: ca.serial.txt is missing on the first master of the inventory, the only master that should have it'
          : `ca.serial.txt: not on this master: it exists only on the first master of the inventory (${first}); back that master up too`;
        return [summarizeDirCommand(d), sh`if test -e ${serial}; then echo ${present}; else echo ${absent}; fi`];
      },
      verify: {
        describe: 'master-config.yaml, /etc/sysconfig/docker and packages.txt are in the backup',
        command: (ctx) => {
          const d = backupDir(ctx);
          return sh`for f in ${d}/etc/origin/master/master-config.yaml ${d}/etc/sysconfig/docker ${d}/packages.txt; do test -s "$f" || echo "missing: $f"; done`;
        },
        ok: (out) => {
          const missing = out.stdout.split('\n').filter((l) => l.startsWith('missing: '));
          return missing.length === 0 ? true : `the backup is incomplete: ${missing.map((l) => l.slice(9)).join(', ')}`;
        },
      },
    },
    archiveStep('4.1', where),
  ],
});

export default masterBackup;
