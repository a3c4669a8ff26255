// Every built procedure, by id. A procedure is built when it has a file here; the catalogue's `built`
// flag follows from this list.
import type { Procedure } from '../src/engine/types.js';
import { dockerStorageExpand } from './docker-storage-expand.js';
import { dockerStorageOverlay2 } from './docker-storage-overlay2.js';
import { etcdAddMember } from './etcd-add-member.js';
import { etcdBackup } from './etcd-backup.js';
import { etcdConfigRestore } from './etcd-config-restore.js';
import { etcdPeerUrlFix } from './etcd-peerurl-fix.js';
import { etcdRemoveMember } from './etcd-remove-member.js';
import { etcdReplace } from './etcd-replace.js';
import { etcdRestore } from './etcd-restore.js';
import { etcdSnapshotRestore } from './etcd-snapshot-restore.js';
import { fixEntropy } from './fix-entropy.js';
import { fixMtu } from './fix-mtu.js';
import { fixNtp } from './fix-ntp.js';
import { inventoryBackup } from './inventory-backup.js';
import { masterBackup } from './master-backup.js';
import { masterDecommission } from './master-decommission.js';
import { nodeBackup } from './node-backup.js';
import { nodeDecommission } from './node-decommission.js';
import { nodeEvacuate } from './node-evacuate.js';
import { pruneResources } from './prune.js';
import { registryCertsBackup } from './registry-certs-backup.js';

export const PROCEDURES: readonly Procedure[] = [
  fixNtp,
  fixEntropy,
  fixMtu,
  masterBackup,
  nodeBackup,
  registryCertsBackup,
  inventoryBackup,
  etcdBackup,
  etcdConfigRestore,
  etcdRestore,
  etcdSnapshotRestore,
  etcdPeerUrlFix,
  etcdAddMember,
  etcdRemoveMember,
  etcdReplace,
  masterDecommission,
  nodeDecommission,
  nodeEvacuate,
  dockerStorageExpand,
  dockerStorageOverlay2,
  pruneResources,
];

export function findProcedure(id: string): Procedure | undefined {
  return PROCEDURES.find((p) => p.entry.id === id);
}
