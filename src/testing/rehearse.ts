// Procedures rehearsed one after the other on one runner (the DEMO's, in tests and bench/), every gate
// approved as `--yes` would: the status each ended with and the log of each. Shared by the demo's tests and
// bench/demo-pacing.ts (not product code: the console and `run` ask the operator).
import { PROCEDURES } from '../../procedures/index.js';
import { startProcedureRun } from '../engine/run.js';
import { CannedOperator } from '../engine/test-helpers.js';
import type { Params } from '../engine/types.js';
import type { Host, Inventory } from '../inventory/types.js';
import { parseV2ClusterHealth, parseV3MemberList } from '../ocp/etcd.js';
import { sh } from '../transport/shell.js';
import type { Runner } from '../transport/types.js';

export interface Rehearsal {
  /** The last run's status: 'ok' when every one ended ok (the first that did not stops the rehearsal). */
  status: string;
  /** `== <id>: <status>` then the run's log, per run. */
  log: string;
}

export async function rehearseInOrder(
  steps: readonly { id: string; params: Params }[],
  o: { inventory: Inventory; runner: Runner; stateDir: string },
): Promise<Rehearsal> {
  let status = 'ok';
  let log = '';
  for (const { id, params } of steps) {
    const procedure = PROCEDURES.find((p) => p.entry.id === id);
    if (!procedure) throw new Error(`no procedure ${id} in the registry`);
    const run = startProcedureRun({ procedure, params, ...o, operator: new CannedOperator(), gateApprovedBy: '--yes' });
    status = (await run.result()).status;
    log += `== ${id}: ${status}\n${run
      .getSnapshot()
      .log.map((l) => l.text)
      .join('\n')}\n`;
    if (status !== 'ok') break;
  }
  return { status, log };
}

/** What the etcd cluster is after a rehearsal, asked on `on`: started members (v3 member list) and v2 cluster-health. */
export async function etcdStanding(runner: Runner, inventory: Inventory, on: Host): Promise<{ members: number; health: string }> {
  const eps = inventory.hosts.filter((h) => h.roles.includes('etcd')).map((h) => `https://${h.openshift?.ip ?? h.address}:2379`);
  const certs = sh`--cert /etc/etcd/peer.crt --key /etc/etcd/peer.key --cacert /etc/etcd/ca.crt --endpoints ${eps.join(',')}`;
  const v3 = await runner.run({ kind: 'host', host: on }, sh`ETCDCTL_API=3 etcdctl ${certs} member list -w json`);
  const v2certs = sh`--cert-file /etc/etcd/peer.crt --key-file /etc/etcd/peer.key --ca-file /etc/etcd/ca.crt --endpoints ${eps.join(',')}`;
  const v2 = await runner.run({ kind: 'host', host: on }, sh`ETCDCTL_API=2 etcdctl ${v2certs} cluster-health`);
  return {
    members: parseV3MemberList(v3.stdout).filter((m) => m.started).length,
    health: parseV2ClusterHealth(`${v2.stdout}\n${v2.stderr}`).cluster,
  };
}
