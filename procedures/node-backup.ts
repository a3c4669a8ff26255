// 4.2 (and 5.3.2) Creating a node host backup — on each node, one at a time:
//   MYBACKUPDIR=/backup/$(hostname)/$(date +%Y%m%d)
//   mkdir -p ${MYBACKUPDIR}/etc/sysconfig; cp -aR /etc/origin ${MYBACKUPDIR}/etc
//   cp -aR /etc/sysconfig/atomic-openshift-node ${MYBACKUPDIR}/etc/sysconfig/
//   the same table of other files as 4.1; rpm -qa | sort | tee $MYBACKUPDIR/packages.txt; optional tar.gz
// Same differences from the guide's text as master-backup (/etc/sysconfig/docker added, "if used" paths
// skipped with a line when absent, directory kept after the archive).
import type { Procedure } from '../src/engine/types.js';
import { backupDirParam, hostBackupSteps } from './backup-common.js';
import { defineProcedure, hostParam, yesNo } from './define.js';

export const nodeBackup: Procedure = defineProcedure({
  id: 'node-backup',
  title: 'Back up node hosts',
  section: '4.2, 5.3.2',
  guideLine: 338,
  risk: 'low',
  summary: 'Copies node configuration, certificates, service settings and the package list into a dated backup directory on each node.',
  parameters: [
    hostParam('host', 'node', 'Node to back up; default: every node', false),
    backupDirParam('Backup directory on the host'),
    yesNo('archive', 'Also pack the backup directory into a tar.gz'),
  ],
  steps: hostBackupSteps({
    role: 'node',
    hosts: 'every node, one at a time (or the one named by host)',
    section: '4.2',
    sysconfig: '/etc/sysconfig/atomic-openshift-node',
    configTitle: 'Back up /etc/origin and /etc/sysconfig/atomic-openshift-node',
    configFile: 'etc/origin/node/node-config.yaml',
    required: ['etc/origin/node/node-config.yaml', 'etc/sysconfig/atomic-openshift-node', 'etc/sysconfig/docker', 'packages.txt'],
    requiredDescribe: 'node-config.yaml, atomic-openshift-node, /etc/sysconfig/docker and packages.txt are in the backup',
  }),
});

export default nodeBackup;
