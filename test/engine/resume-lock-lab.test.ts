// Two `day2-tui resume` of one interrupted lab run at the same time (issue 12): exactly one proceeds, the
// other refuses naming the holder, in 10 of 10 tries. The run: master-backup of master-0 against the lab,
// killed -9 after its first step; the resume that proceeds pauses after master-0's config step.
//   bash scripts/with-lab.sh node --import tsx --test test/engine/resume-lock-lab.test.ts
import { after, before, test } from 'node:test';
import { assertLabUp, labArgs, MASTERS, ssh } from '../procedures/lab-helpers.js';
import { resumeRaces } from './resume-race.js';

const TRIES = 10;

const dir = `/backup/lock-race-${process.pid}`;

before(assertLabUp);
after(async () => {
  await ssh(MASTERS[0]!, `rm -rf ${dir}`);
});

test(`lab: two resumes of one run at once: exactly one proceeds, in ${TRIES} of ${TRIES} tries`, { timeout: 900_000 }, async () => {
  const clusterArgs = labArgs('').slice(0, -2); // -i and --known-hosts; each process gets its own --state-dir
  await resumeRaces(
    {
      clusterArgs,
      run: ['master-backup', '--param', `host=${MASTERS[0]}`, '--param', `backup-dir=${dir}`],
      firstPause: 'hostname',
      resumePause: `config@${MASTERS[0]}`,
    },
    TRIES,
  );
});
