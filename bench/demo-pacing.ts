// Pacing of the DEMO cluster (issue 14 item 3): a whole restore rehearsal — etcd-backup, then etcd-restore
// from that backup, every gate approved — with the pacing the console uses (output lines, etcd start-ups,
// probes at a believable pace), beside the same rehearsal with no pacing at all, in this invocation.
// The goal: under a minute with pacing (the time a person spends reading and typing at the gates comes on
// top). Usage: node --import tsx bench/demo-pacing.ts [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DOMAIN, demoInventory } from '../src/demo/inventory.js';
import { DemoRunner } from '../src/demo/runner.js';
import { rehearseInOrder } from '../src/testing/rehearse.js';

const runs = Number(process.argv[2] ?? 3);
const NO_PACING = { lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } };
const REHEARSAL: { id: string; params: Record<string, string> }[] = [
  { id: 'etcd-backup', params: { 'backup-dir': '/backup/etcd-bench' } },
  { id: 'etcd-restore', params: { host: `master-0.${DEMO_DOMAIN}`, backup: '/backup/etcd-bench' } },
];

async function rehearsal(paced: boolean): Promise<number> {
  const inventory = demoInventory();
  const runner = new DemoRunner(paced ? { inventory } : { inventory, ...NO_PACING });
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-bench-pacing-'));
  const started = performance.now();
  try {
    const { status, log } = await rehearseInOrder(REHEARSAL, { inventory, runner, stateDir });
    if (status !== 'ok') throw new Error(`the rehearsal ended ${status} in the demo:\n${log}`);
    return (performance.now() - started) / 1000;
  } finally {
    await runner.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const paced: number[] = [];
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  paced.push(await rehearsal(true));
  bare.push(await rehearsal(false));
}
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' ');
console.log(`etcd-backup + etcd-restore in the DEMO, ${runs} runs each, interleaved`);
console.log(`  with the console's pacing: median ${median(paced).toFixed(1)} s  (${fmt(paced)})  goal < 60 s`);
console.log(`  baseline, no pacing:       median ${median(bare).toFixed(1)} s  (${fmt(bare)})`);
console.log(`  pacing adds ${(median(paced) - median(bare)).toFixed(1)} s`);
