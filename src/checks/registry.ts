// 3.4 Registry: `oc -n default get deploymentconfigs/docker-registry` DESIRED == CURRENT, pods Running.
// The guide: one replica is fine when the storage allows a single writer only; no internal registry at
// all is fine when an external one is used — so a missing registry is 'warn', not 'fail'.

import { type Problem, withProblem } from './common.js';
import { type DcFacts, dcCommands, judgeDc, parseDc } from './dc-health.js';
import type { Check } from './types.js';

export const registryCheck: Check<DcFacts | Problem> = {
  id: 'registry',
  title: 'Integrated registry',
  section: '3.4',
  placement: { on: 'bastion' },
  commands: (_h, ctx) => dcCommands('docker-registry', ctx),
  parse: (outputs, _h, ctx) => parseDc('docker-registry', outputs, ctx),
  verdict: (facts, _h, ctx) =>
    withProblem(facts, (f) =>
      judgeDc(f, ctx, {
        label: 'docker-registry',
        missing: {
          status: 'warn',
          message: 'no internal registry (dc/docker-registry) in project default — fine only if an external registry is used',
        },
        replicasShouldMatchInfra: false,
        singleReplicaNote: 'one replica: fine when its storage allows a single writer only',
        fix: {
          text:
            'oc -n default describe dc/docker-registry; oc -n default logs dc/docker-registry — check its ' +
            'storage volume is bound and writable.',
        },
      }),
    ),
};
