// Every check, in the guide's order (chapter 2, then chapter 3).
import { apiHealthCheck } from './api-health.js';
import { controllersLeaderCheck } from './controllers-leader.js';
import { defaultStorageClassCheck } from './default-storageclass.js';
import { diskCheck } from './disk.js';
import { dockerStorageCheck } from './docker-storage.js';
import { entropyCheck } from './entropy.js';
import { etcdHealthCheck } from './etcd-health.js';
import { etcdMembersCheck } from './etcd-members.js';
import { kubeletPortCheck } from './kubelet-port.js';
import { mtuCheck } from './mtu.js';
import { nodesReadyCheck } from './nodes-ready.js';
import { ntpCheck } from './ntp.js';
import { registryCheck } from './registry.js';
import { registryRouteCheck } from './registry-route.js';
import { routerCheck } from './router.js';
import { routerDnsCheck } from './router-dns.js';
import { skydnsCheck } from './skydns.js';
import type { Check } from './types.js';

export const ALL_CHECKS: readonly Check<unknown, unknown>[] = [
  ntpCheck,
  entropyCheck,
  defaultStorageClassCheck,
  nodesReadyCheck,
  etcdHealthCheck,
  etcdMembersCheck,
  routerCheck,
  registryCheck,
  skydnsCheck,
  apiHealthCheck,
  kubeletPortCheck,
  routerDnsCheck,
  registryRouteCheck,
  diskCheck,
  dockerStorageCheck,
  controllersLeaderCheck,
  mtuCheck,
];

export function checkById(id: string): Check<unknown, unknown> | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}

export { evaluate } from './common.js';
export type { Check, CheckContext, CheckPlacement, CheckStatus, CommandOutput, Fix, PreStage, Verdict } from './types.js';
