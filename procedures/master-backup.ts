// 4.1 (and 5.2.2) Creating a master host backup — on each master, one at a time:
//   MYBACKUPDIR=/backup/$(hostname)/$(date +%Y%m%d)
//   mkdir -p ${MYBACKUPDIR}/etc/sysconfig; cp -aR /etc/origin ${MYBACKUPDIR}/etc; cp -aR /etc/sysconfig/atomic-* …
//   cp -aR /etc/sysconfig/{iptables,docker-*,flanneld} …; cp -aR /etc/dnsmasq* /etc/cni …; anchors/* …
//   rpm -qa | sort | tee $MYBACKUPDIR/packages.txt; optionally tar -zcvf /backup/$(hostname)-$(date +%Y%m%d).tar.gz
// Differences from the guide's text: /etc/sysconfig/docker is copied too (L302: the brace glob
// `docker-*` misses it); the "if used" paths (flanneld, /etc/cni, anchors) are skipped with a line
// when absent; the uncompressed directory is kept after the optional archive (the guide removes it).
import type { Procedure } from '../src/engine/types.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import { sh } from '../src/transport/shell.js';
import { backupDirParam, hostBackupSteps } from './backup-common.js';
import { defineProcedure, hostParam, yesNo } from './define.js';

export const masterBackup: Procedure = defineProcedure({
  id: 'master-backup',
  title: 'Back up master hosts',
  section: '4.1, 5.2.2',
  guideLine: 268,
  risk: 'low',
  summary: 'Copies master configuration, certificates, service settings and the package list into a dated backup directory on each master.',
  parameters: [
    hostParam('host', 'master', 'Master to back up; default: every master', false),
    backupDirParam('Backup directory on the host'),
    yesNo('archive', 'Also pack the backup directory into a tar.gz'),
  ],
  steps: hostBackupSteps({
    role: 'master',
    hosts: 'every master, one at a time (or the one named by host)',
    section: '4.1',
    sysconfig: '/etc/sysconfig/atomic-*',
    configTitle: 'Back up /etc/origin and the service settings /etc/sysconfig/atomic-*',
    configFile: 'etc/origin/master/master-config.yaml',
    required: ['etc/origin/master/master-config.yaml', 'etc/sysconfig/docker', 'packages.txt'],
    requiredDescribe: 'master-config.yaml, /etc/sysconfig/docker and packages.txt are in the backup',
    // ca.serial.txt exists only on the first master of the inventory: said either way, never required
    checkLines: (ctx, d) => {
      const first = hostsOfRole(ctx.inventory, 'master')[0]?.name ?? '(none)';
      const isFirst = ctx.host?.name === first;
      const serial = `${d}/etc/origin/master/ca.serial.txt`;
      const present = isFirst
        ? 'ca.serial.txt: backed up (this is the first master of the inventory, the only one that has it)'
        : `ca.serial.txt: backed up, although only the first master of the inventory (${first}) normally has it`;
      const absent = isFirst
        ? 'WARNING: ca.serial.txt is missing on the first master of the inventory, the only master that should have it'
        : `ca.serial.txt: not on this master: it exists only on the first master of the inventory (${first}); back that master up too`;
      return [sh`if test -e ${serial}; then echo ${present}; else echo ${absent}; fi`];
    },
  }),
});

export default masterBackup;
