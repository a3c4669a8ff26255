// 4.4 Backing up other installation files — the part the console can do itself: copy the Ansible inventory
// it loaded, with the group_vars/host_vars beside it, /etc/ansible/ansible.cfg and (disconnected installs)
// /etc/yum.repos.d/ose.repo, into a dated directory on the bastion (mode 0700: an inventory may hold
// passwords). A file that is not there is reported, not an error. The DEMO has no inventory file: the step
// is skipped there with the reason. Offered by the info page info-inventory-backup (Enter).
import { dirname } from 'node:path';
import type { Procedure, StepContext } from '../src/engine/types.js';
import { argv, sh } from '../src/transport/shell.js';
import { copyIfPresent, resolveBackupDir, summarizeDirCommand, validateBackupDir } from './backup-common.js';
import { defineProcedure, textParam } from './define.js';

const SECTION = '4.4';
const DEFAULT_DIR = '/backup/ansible/<YYYYMMDD>';

/** The inventory file the console loaded; undefined in the DEMO (no file). */
export function loadedInventory(ctx: StepContext): string | undefined {
  return ctx.inventory.source.kind === 'file' ? ctx.inventory.source.path : undefined;
}

const dirOf = (ctx: StepContext) => resolveBackupDir(ctx.params['backup-dir'] ?? DEFAULT_DIR, ctx);
const inventoryOf = (ctx: StepContext) => loadedInventory(ctx) ?? '<inventory>';
const copyName = (ctx: StepContext) => `${dirOf(ctx)}/${inventoryOf(ctx).split('/').pop()}`;

function validateDir(value: string): string | undefined {
  if (value.includes('<hostname>')) return 'backup-dir: <hostname> has no meaning on the bastion; use <YYYYMMDD> only';
  return validateBackupDir(value);
}

const noFile = (ctx: StepContext) =>
  loadedInventory(ctx) ? undefined : 'the DEMO has no inventory file: on a cluster this copies the inventory the console loaded';

export const inventoryBackup: Procedure = defineProcedure({
  id: 'inventory-backup',
  title: 'Back up the Ansible inventory',
  section: SECTION,
  guideLine: 410,
  risk: 'low',
  summary: 'Copies the inventory the console loaded, group_vars/host_vars, ansible.cfg and ose.repo to a dated directory on the bastion.',
  parameters: [
    {
      ...textParam('backup-dir', 'Directory on the bastion for the copies (<YYYYMMDD>: the date of the run)', false, DEFAULT_DIR),
      validate: validateDir,
    },
  ],
  steps: [
    {
      id: 'copy',
      title: 'Copy the inventory and the files beside it to the backup directory',
      section: SECTION,
      where: { on: 'bastion' },
      skipIf: noFile,
      commands: (ctx) => {
        const inventory = inventoryOf(ctx);
        const dir = dirOf(ctx);
        const beside = dirname(inventory);
        return [
          sh`mkdir -p -m 0700 ${dir}`,
          sh`cp -p ${inventory} ${dir}/`,
          copyIfPresent(`${beside}/group_vars`, `${dir}/`),
          copyIfPresent(`${beside}/host_vars`, `${dir}/`),
          copyIfPresent('/etc/ansible/ansible.cfg', `${dir}/`),
          copyIfPresent('/etc/yum.repos.d/ose.repo', `${dir}/`),
          summarizeDirCommand(dir),
        ];
      },
      verify: {
        describe: 'the copy is the same as the inventory',
        command: (ctx) => argv('cmp', inventoryOf(ctx), copyName(ctx)),
        ok: (out) => out.exitCode === 0 || `the copy differs from the inventory: ${out.stdout.trim() || out.stderr.trim()}`,
      },
    },
    {
      id: 'next',
      title: 'What next: keep a copy off the bastion',
      section: SECTION,
      where: { on: 'bastion' },
      skipIf: noFile,
      commands: (ctx) => [
        sh`printf '%s\\n' ${[
          `The inventory is copied to ${dirOf(ctx)}.`,
          'A backup on the machine it protects is lost with it: copy that directory elsewhere too (scp, your backup system),',
          'with your own playbooks and notes of what you did by hand after the installer.',
        ]}`,
      ],
    },
  ],
});

export default inventoryBackup;
