// 4.2 (and 5.3.2) Creating a node host backup — on each node, one at a time:
//   MYBACKUPDIR=/backup/$(hostname)/$(date +%Y%m%d)
//   mkdir -p ${MYBACKUPDIR}/etc/sysconfig; cp -aR /etc/origin ${MYBACKUPDIR}/etc
//   cp -aR /etc/sysconfig/atomic-openshift-node ${MYBACKUPDIR}/etc/sysconfig/
//   the same table of other files as 4.1; rpm -qa | sort | tee $MYBACKUPDIR/packages.txt; optional tar.gz
// Same differences from the guide's text as master-backup (/etc/sysconfig/docker added, "if used" paths
// skipped with a line when absent, directory kept after the archive).
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
import { defineProcedure, hostParam, textParam, yesNo, HOST_BACKUP_DIR } from './define.js';

const where = roleOrParam('node', 'host', 'every node, one at a time (or the one named by host)');

export const nodeBackup: Procedure = defineProcedure({
  id: 'node-backup', title: 'Back up node hosts', section: '4.2, 5.3.2', guideLine: 338, risk: 'low',
  summary: 'Copies node configuration, certificates, service settings and the package list into a dated backup directory on each node.',
  parameters: [
    hostParam('host', 'node', 'Node to back up; default: every node', false),
    { ...textParam('backup-dir', 'Backup directory on the host', false, HOST_BACKUP_DIR), validate: (v) => validateBackupDir(v) },
    yesNo('archive', 'Also pack the backup directory into a tar.gz'),
  ],
  steps: [
    hostnameStep(where, '4.2'),
    {
      id: 'config',
      title: 'Back up /etc/origin and /etc/sysconfig/atomic-openshift-node',
      section: '4.2',
      where,
      commands: (ctx) => {
        const d = backupDir(ctx);
        return [
          sh`mkdir -p ${d}/etc/sysconfig`,
          sh`cp -aR /etc/origin ${d}/etc`,
          sh`cp -aR /etc/sysconfig/atomic-openshift-node ${d}/etc/sysconfig/`,
        ];
      },
      verify: {
        describe: 'the backup has etc/origin/node/node-config.yaml',
        command: (ctx) => sh`test -f ${backupDir(ctx)}/etc/origin/node/node-config.yaml`,
        ok: (out) => out.exitCode === 0 || 'etc/origin/node/node-config.yaml is missing from the backup directory',
      },
    },
    {
      id: 'other-files',
      title: 'Back up the other important files (iptables, docker, dnsmasq, CNI, flannel, CA anchors)',
      section: '4.2',
      where,
      commands: (ctx) => otherFilesCommands(backupDir(ctx)),
    },
    {
      id: 'packages',
      title: 'Save the list of installed packages (rpm -qa) to packages.txt',
      section: '4.2',
      where,
      commands: (ctx) => [sh`mkdir -p ${backupDir(ctx)}`, packageListCommand(backupDir(ctx))],
    },
    {
      id: 'check-backup',
      title: 'Check the backup directory',
      section: '4.2',
      where,
      commands: (ctx) => [summarizeDirCommand(backupDir(ctx))],
      verify: {
        describe: 'node-config.yaml, atomic-openshift-node, /etc/sysconfig/docker and packages.txt are in the backup',
        command: (ctx) => {
          const d = backupDir(ctx);
          return sh`for f in ${d}/etc/origin/node/node-config.yaml ${d}/etc/sysconfig/atomic-openshift-node ${d}/etc/sysconfig/docker ${d}/packages.txt; do test -s "$f" || echo "missing: $f"; done`;
        },
        ok: (out) => {
          const missing = out.stdout.split('\n').filter((l) => l.startsWith('missing: '));
          return missing.length === 0 ? true : `the backup is incomplete: ${missing.map((l) => l.slice(9)).join(', ')}`;
        },
      },
    },
    archiveStep('4.2', where),
  ],
});

export default nodeBackup;
