// A toy procedure (three parameters: a host chosen from the etcd role, free text, a secret) and its
// plan, for the screen tests and the dev script. Nothing here runs anything.

import type { Params, PlanStep, Procedure } from '../../src/engine/types.js';
import type { CatalogueEntry } from '../../src/model/catalogue.js';
import { argv } from '../../src/transport/shell.js';

export const TOY_ENTRY: CatalogueEntry = {
  id: 'etcd-backup',
  kind: 'procedure',
  title: 'Back up etcd',
  chapter: 4,
  chapterTitle: 'Backups',
  section: '4.6',
  guideLine: 438,
  risk: 'medium',
  built: true,
  summary: 'Saves the etcd configuration and data of each member.',
  parameters: [
    { name: 'host', description: 'Member to restore on', required: true, choices: { fromRole: 'etcd' } },
    { name: 'backup-dir', description: 'Where the backup goes', required: true, default: '/backup/etcd-20240501' },
    { name: 'token', description: 'Registry token', required: false, secret: true },
  ],
};

export function toyProcedure(entry: CatalogueEntry = TOY_ENTRY): Procedure {
  return {
    entry,
    parameters: entry.parameters.map((p) =>
      p.name === 'backup-dir'
        ? { ...p, validate: (v: string) => (v.startsWith('/') ? undefined : `"${v}" is not an absolute path: start it with /`) }
        : { ...p },
    ),
    steps: [
      {
        id: 'snapshot',
        title: 'Take an etcd snapshot',
        section: '4.6.1',
        where: { on: 'param', param: 'host' },
        commands: () => [argv('etcdctl', 'snapshot', 'save', '/tmp/x')],
      },
    ],
  };
}

export function toyPlan(params: Params): PlanStep[] {
  const host = params['host'] ?? 'master-0.example.com';
  const dir = params['backup-dir'] ?? '/backup/etcd-20240501';
  return [
    {
      id: 'copy-config',
      title: 'Save the etcd configuration',
      section: '4.6.1',
      where: 'role etcd, one at a time',
      hosts: ['master-0.example.com', 'master-1.example.com'],
      destructive: false,
      commands: [
        { host: 'master-0.example.com', command: `mkdir -p ${dir} && cp -a /etc/etcd ${dir}/` },
        { host: 'master-1.example.com', command: `mkdir -p ${dir} && cp -a /etc/etcd ${dir}/` },
      ],
    },
    {
      id: 'snapshot',
      title: 'Take an etcd snapshot',
      section: '4.6.1',
      where: `host ${host}`,
      hosts: [host],
      destructive: false,
      gate: { kind: 'confirm', what: `Writes a snapshot of the etcd data to ${dir} on ${host}.` },
      verify: 'etcdctl snapshot status reports a hash and a revision',
      commands: [{ host, command: `ETCDCTL_API=3 etcdctl snapshot save ${dir}/snapshot.db` }],
    },
    {
      id: 'wipe',
      title: 'Move the old data directory aside',
      section: '5.4.2.1',
      where: `host ${host}`,
      hosts: [host],
      destructive: true,
      gate: {
        kind: 'type-host',
        what: `Moves /var/lib/etcd to /var/lib/etcd.old-<timestamp> on ${host}: etcd there starts empty.`,
        protectedBy: `${dir}/snapshot.db on ${host}`,
      },
      precondition: 'the snapshot exists and passes etcdctl snapshot status',
      commands: [{ host, command: 'mv /var/lib/etcd /var/lib/etcd.old-<timestamp>' }],
    },
    {
      id: 'start',
      title: 'Start etcd',
      where: `host ${host}`,
      hosts: [host],
      destructive: false,
      commands: [{ host, command: 'systemctl start etcd' }],
    },
  ];
}
