// 6.5 Pruning images and containers — guidance: the guide sends the operator to "Pruning Resources".
// What it comes to: oc adm prune for builds, deployments and images; always a dry run first (without
// --confirm nothing is removed), then the same with --confirm. The procedure `prune` does exactly that.
import type { InfoPage } from '../src/model/info-page.js';
import { PRUNE_DEFAULTS, pruneCommand } from './prune.js';

const d = PRUNE_DEFAULTS;
const ROUTE = 'https://$(oc get route docker-registry -n default -o jsonpath={.spec.host})';

export const infoPruning: InfoPage = {
  id: 'info-pruning',
  lead: 'Old builds, deployments and images pile up in etcd and in the registry: prune them now and then.',
  procedure: { id: 'prune', what: 'dry-run, then prune for real after a gate' },
  sections: () => [
    {
      heading: 'Dry run first',
      text: [
        'oc adm prune only reports what it would remove until you add --confirm. Read the list, then run the same command with --confirm.',
        `What stays: the newest ${d['keep-complete']} completed and ${d['keep-failed']} failed builds or deployments of each config, anything younger than ${d['keep-younger-than']}, and ${d['keep-tag-revisions']} revisions of each image tag (oc's defaults; change them with the --keep-* options).`,
      ],
      commands: [
        { what: 'builds that would go', command: pruneCommand('builds', {}, false).script },
        { what: 'deployments that would go', command: pruneCommand('deployments', {}, false).script },
      ],
    },
    {
      heading: 'Images need a token user and the registry route',
      text: [
        'oc adm prune images refuses system:admin (a certificate login has no token): log in as a user with the cluster-admin role. It talks to the registry through its route, so check the route answers first.',
      ],
      commands: [
        { what: 'who you are, and that you have a token', command: 'oc whoami && oc whoami -t > /dev/null && echo token ok' },
        { what: 'the registry route', command: 'oc get route docker-registry -n default' },
        { what: 'images that would go', command: `${pruneCommand('images', {}, false).script} --registry-url=${ROUTE}` },
      ],
    },
    {
      heading: 'Then for real',
      text: ['The same commands with --confirm remove what the dry run listed. Nothing brings a pruned object back.'],
      commands: [
        { what: 'remove old builds', command: pruneCommand('builds', {}, true).script },
        { what: 'remove old deployments', command: pruneCommand('deployments', {}, true).script },
        { what: 'remove unused images', command: `${pruneCommand('images', {}, false).script} --registry-url=${ROUTE} --confirm` },
      ],
    },
  ],
};
