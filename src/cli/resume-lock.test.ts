// Two `day2-tui resume` of one interrupted run at the same time, as real processes of the CLI against the
// DEMO cluster: exactly one proceeds (it pauses after its step, holding the lock), the other refuses at
// once saying who holds the run. Ten tries, each from a fresh copy of the interrupted journal. The same
// against the lab: test/engine/resume-lock-lab.test.ts.
import { test } from 'node:test';
import { resumeRaces } from '../../test/engine/resume-race.js';

const TRIES = 10;

test(`two resumes of one run at once: exactly one proceeds, in ${TRIES} of ${TRIES} tries`, { timeout: 300_000 }, async () => {
  // master-backup killed -9 after its first step; the resume that proceeds pauses after the first master of the serial config step
  await resumeRaces(
    { clusterArgs: ['--demo'], run: ['master-backup'], firstPause: 'hostname', resumePause: 'config@master-0.demo.example.com' },
    TRIES,
  );
});
