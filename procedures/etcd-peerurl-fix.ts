// 5.4.2.1.1 Fixing the peerURLs parameter: after a restore with --force-new-cluster the member advertises
// http://localhost:2380. The guide:
//   etcdctl2 member list                       → the member id
//   ss -l4n | grep 2380                         → the IP etcd listens on for peers
//   etcdctl2 member update <id> https://<ip>:2380
//   etcdctl2 member list                       → the IP is in the list
// Beyond the guide's text: the address is the inventory's (openshift_ip), which must agree with
// ETCD_INITIAL_ADVERTISE_PEER_URLS in the member's etcd.conf and be listed by `ss -l4n` (which on a
// shared-namespace host lists other hosts' sockets too, so the host's own IP is matched, not "the" line).
// The update is skipped when the member already advertises that URL. Shared with etcd-restore.
import type { Procedure } from '../src/engine/types.js';
import { defineProcedure, hostParam } from './define.js';
import { onParamHost, paramMember, peerUrlFixSteps } from './etcd-common.js';
import { etcdPanel } from './etcd-panel.js';

export const etcdPeerUrlFix: Procedure = defineProcedure({
  id: 'etcd-peerurl-fix',
  title: 'Fix an etcd member peer URL',
  section: '5.4.2.1.1',
  guideLine: 1128,
  risk: 'medium',
  summary: 'Replaces the localhost peer URL a member advertises after a forced new cluster with its real https address.',
  parameters: [hostParam('host', 'etcd', 'Member whose peer URL to fix')],
  panel: etcdPanel(paramMember),
  steps: peerUrlFixSteps(onParamHost),
});

export default etcdPeerUrlFix;
