// 3.4 Router: `oc -n default get deploymentconfigs/router` DESIRED == CURRENT (one per infra node), pods Running.

import { type Problem, withProblem } from './common.js';
import { type DcFacts, dcCommands, judgeDc, parseDc } from './dc-health.js';
import type { Check } from './types.js';

export const routerCheck: Check<DcFacts | Problem> = {
  id: 'router',
  title: 'Router',
  section: '3.4',
  placement: { on: 'bastion' },
  commands: (_h, ctx) => dcCommands('router', ctx),
  parse: (outputs, _h, ctx) => parseDc('router', outputs, ctx),
  verdict: (facts, _h, ctx) =>
    withProblem(facts, (f) =>
      judgeDc(f, ctx, {
        label: 'router',
        missing: {
          status: 'fail',
          message: 'no router deployment config in project default: routes are not served',
          fix: { text: 'Deploy the router (oc adm router, or the openshift-hosted playbook).' },
        },
        replicasShouldMatchInfra: true,
        fix: {
          text:
            'oc -n default describe dc/router; oc -n default get events — a router pod stays Pending when no ' +
            'node with free ports 80/443 matches its selector.',
        },
      }),
    ),
};
