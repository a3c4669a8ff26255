// `oc adm prune builds|deployments|images` on the DEMO cluster: a dry run lists a few old objects of the
// demo's sample project; --confirm lists them as removed, and after that there is nothing left to prune.
import type { DemoCluster } from './cluster.js';
import { hexOf, tabwrite } from './cluster.js';
import type { DemoCommand } from './commands.js';

type Kind = 'builds' | 'deployments' | 'images';

const pruned = new WeakMap<DemoCluster, Set<Kind>>();

const dryRunLine = (kind: Kind) => `Dry run enabled - no modifications will be made. Add --confirm to remove ${kind}`;

function listed(kind: Kind, empty: boolean): string {
  if (kind !== 'images') {
    const rows = empty ? [] : [1, 2, 3].map((n) => ['demo-app', `cakephp-mysql-example-${n}`]);
    return tabwrite([['NAMESPACE', 'NAME'], ...rows]);
  }
  if (empty) return '';
  const images = [1, 2].map((n) => `sha256:${hexOf(`demo-image-${n}`, 64)}`);
  return [
    'Deleting references from image streams to images ...',
    tabwrite([['STREAM', 'IMAGE', 'TAGS'], ...images.map((i) => ['demo-app/cakephp-mysql-example', i, 'latest'])]),
    '',
    'Deleting images from server ...',
    'IMAGE',
    ...images,
  ].join('\n');
}

export const PRUNE_COMMANDS: readonly DemoCommand[] = [
  {
    id: 'oc-adm-prune',
    match: /^oc adm prune (builds|deployments|images)\b/,
    needs: 'oc',
    answer: (c) => {
      const kind = c.match[1] as Kind;
      const done = pruned.get(c.cluster) ?? new Set<Kind>();
      pruned.set(c.cluster, done);
      const confirm = c.words.includes('--confirm');
      const out = [confirm ? undefined : dryRunLine(kind), listed(kind, done.has(kind))].filter((l) => l !== undefined).join('\n');
      if (confirm) done.add(kind);
      return { out };
    },
  },
  // the DEMO is logged in as system:admin, which has no token (prune images needs one)
  {
    id: 'oc-whoami-token',
    match: /^oc whoami (?:-t|--show-token)$/,
    needs: 'oc',
    answer: () => ({ err: 'error: no token is currently in use for this session', code: 1 }),
  },
  {
    id: 'oc-get-registry-route',
    match: /^oc get route docker-registry -n default -o jsonpath=\{\.spec\.host\}$/,
    needs: 'oc',
    answer: (c) => ({ out: `docker-registry-default.apps.${c.cluster.domain}`, noNewline: true }),
  },
];
