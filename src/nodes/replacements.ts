// The pods a drain evicts come back through their controllers on other nodes (guide 5.3.1): the Pending pods
// of the cluster after a drain, and what each one's PodScheduled condition means for the operator. Shared by
// the Nodes screen's drain and the node procedures.
import { argv, type ShellCommand } from '../transport/shell.js';

export const PENDING_JSONPATH =
  '{range .items[?(@.status.phase=="Pending")]}{.metadata.namespace}/{.metadata.name}{"\\t"}' +
  '{.status.conditions[?(@.type=="PodScheduled")].reason}{"\\t"}{.status.conditions[?(@.type=="PodScheduled")].message}{"\\n"}{end}';

export interface PendingPod {
  pod: string;
  /** PodScheduled's reason: `Unschedulable` when the scheduler found no node. */
  reason: string;
  message: string;
}

export function parsePending(out: string): PendingPod[] {
  const res: PendingPod[] = [];
  for (const line of out.split('\n')) {
    const f = line.replace(/\r$/, '').split('\t');
    if (f.length < 3 || !f[0]!.includes('/')) continue;
    res.push({ pod: f[0]!, reason: f[1]!, message: f.slice(2).join('\t') });
  }
  return res;
}

/** What the Pending pods mean, for the operator. */
export function pendingReport(pending: readonly PendingPod[]): string[] {
  if (pending.length === 0) return ['every replacement pod has a node: none is Pending'];
  const lines = [`Pending pods: ${pending.length}`];
  for (const p of pending) {
    let why: string;
    if (/free ports/i.test(p.message)) {
      why = /router/.test(p.pod)
        ? 'the router binds host ports 80 and 443, so one router runs per infra node: it stays Pending until an ' +
          'infra node is added or dc/router is scaled down (router-replicas)'
        : 'it needs host ports already taken on every node that could run it';
    } else if (/node selector|didn't match/i.test(p.message)) {
      why = 'no Ready, schedulable node matches its node selector: it waits for such a node (for router and registry: an infra node)';
    } else if (p.reason === 'Unschedulable') {
      why = `the scheduler has no node for it (${p.message || 'no message'})`;
    } else {
      why = 'still starting (image pull, volumes): check again with oc get pods -o wide';
    }
    lines.push(`${p.pod}: ${why}`);
  }
  return lines;
}

/** The cluster's Pending pods, one line each: namespace/name, PodScheduled's reason and message (tab-separated). */
export function pendingPodsCommand(oc = 'oc'): ShellCommand {
  return argv(oc, 'get', 'pods', '--all-namespaces', '-o', `jsonpath=${PENDING_JSONPATH}`);
}

/** Pods the scheduler has placed or is still placing: anything Pending but those it found no node for. */
export function stillStarting(pending: readonly PendingPod[]): PendingPod[] {
  return pending.filter((p) => p.reason !== 'Unschedulable');
}
