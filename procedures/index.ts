// Every built procedure, by id. A procedure is built when it has a file here; the catalogue's `built`
// flag follows from this list.
import type { Procedure } from '../src/engine/types.js';
import { etcdBackup } from './etcd-backup.js';
import { etcdConfigRestore } from './etcd-config-restore.js';
import { etcdPeerUrlFix } from './etcd-peerurl-fix.js';
import { etcdRemoveMember } from './etcd-remove-member.js';
import { etcdRestore } from './etcd-restore.js';
import { masterBackup } from './master-backup.js';
import { nodeBackup } from './node-backup.js';
import { registryCertsBackup } from './registry-certs-backup.js';

export const PROCEDURES: readonly Procedure[] = [masterBackup, nodeBackup, registryCertsBackup, etcdBackup, etcdConfigRestore, etcdRestore, etcdPeerUrlFix, etcdRemoveMember];

export function findProcedure(id: string): Procedure | undefined {
  return PROCEDURES.find((p) => p.entry.id === id);
}
