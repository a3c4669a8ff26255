// 4.4 Backing up other installation files — guidance: a restore means reinstalling, so keep every file
// the installation used: the Ansible inventory and playbooks (with group_vars/host_vars and ansible.cfg),
// /etc/yum.repos.d/ose.repo for a disconnected install, and notes of the steps done after the installer.
// The commands copy the inventory this console loaded (quoted: the path comes from the operator).
import { dirname } from 'node:path';
import type { InfoPage, InfoPageContext } from '../src/model/info-page.js';
import { literal, sh } from '../src/transport/shell.js';

const DIR = literal('~/inventory-backup-$(date +%Y%m%d)');
const DEFAULT_INVENTORY = '/etc/ansible/hosts';

const inventoryOf = (ctx: InfoPageContext) => ctx.inventoryPath ?? DEFAULT_INVENTORY;

export const infoInventoryBackup: InfoPage = {
  id: 'info-inventory-backup',
  procedure: { id: 'inventory-backup', what: 'copy the inventory this console loaded to a dated directory on the bastion' },
  lead: 'Restoring a cluster means reinstalling it: keep every file the installation used, off the cluster.',
  sections: (ctx) => {
    const inventory = inventoryOf(ctx);
    const beside = dirname(inventory);
    return [
      {
        heading: 'What to keep',
        text: [
          'The Ansible inventory, with the group_vars and host_vars beside it and ansible.cfg; your own playbooks; /etc/yum.repos.d/ose.repo if the install was disconnected; and notes of what you did by hand after the installer (monitoring agents, extra authentication, changes outside OpenShift).',
          ctx.inventoryPath
            ? `This console loaded ${inventory}.`
            : `No inventory file is loaded (DEMO): the commands use ${DEFAULT_INVENTORY}.`,
        ],
      },
      {
        heading: 'Copy them to a dated directory on the bastion',
        text: ['Each copy keeps the mode and time (-p). A file you do not have is just reported missing.'],
        commands: [
          { what: 'the backup directory, dated', command: sh`mkdir -p ${DIR}`.script },
          { what: 'the inventory', command: sh`cp -p ${inventory} ${DIR}/`.script },
          {
            what: 'group_vars and host_vars beside it',
            command: sh`cp -rp ${`${beside}/group_vars`} ${`${beside}/host_vars`} ${DIR}/`.script,
          },
          { what: 'the Ansible settings', command: sh`cp -p /etc/ansible/ansible.cfg ${DIR}/`.script },
          { what: 'the repository file (disconnected install)', command: sh`cp -p /etc/yum.repos.d/ose.repo ${DIR}/`.script },
        ],
      },
      {
        heading: 'Then off the bastion',
        text: ['A backup on the machine it protects is lost with it: pack it and copy it elsewhere.'],
        commands: [{ what: 'one archive to copy away', command: sh`tar czf ${DIR}.tar.gz ${DIR}`.script }],
      },
    ];
  },
};
