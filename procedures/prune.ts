// 6.5 Pruning images and containers — the guide points to "Pruning Resources": old builds, deployments and
// images are removed with `oc adm prune`, which only reports what it would remove until --confirm is given.
// So the run is: who is logged in and where the registry route is (read-only), a dry run of each kind
// (what would go), a gate, then the same commands with --confirm. `oc adm prune images` needs a user with a
// token (system:admin has none: `oc login` as a cluster-admin user) and reaches the registry through its
// route; without either, the image steps are skipped with the reason. The defaults are oc's own.
import { capture, captures } from '../src/engine/capture.js';
import type { ParameterSpec, Procedure, Step, StepContext } from '../src/engine/types.js';
import { type ShellCommand, sh } from '../src/transport/shell.js';
import { defineProcedure, textParam, yesNo } from './define.js';

const SECTION = '6.5';

export type PruneKind = 'builds' | 'deployments' | 'images';

/** The options of the dry run and of the real run, with oc's defaults. */
export const PRUNE_DEFAULTS = {
  'keep-complete': '5',
  'keep-failed': '1',
  'keep-younger-than': '60m',
  'keep-tag-revisions': '3',
} as const;

type Option = keyof typeof PRUNE_DEFAULTS;

const OPTIONS: Record<PruneKind, readonly Option[]> = {
  builds: ['keep-complete', 'keep-failed', 'keep-younger-than'],
  deployments: ['keep-complete', 'keep-failed', 'keep-younger-than'],
  images: ['keep-tag-revisions', 'keep-younger-than'],
};

const COUNT = /^[0-9]{1,5}$/;
const DURATION = /^([0-9]+(h|m|s))+$/;

function validCount(name: string) {
  return (v: string) => (COUNT.test(v) ? undefined : `${name} ${JSON.stringify(v)} is not a count: give a whole number such as 5`);
}
function validDuration(v: string) {
  return DURATION.test(v) ? undefined : `keep-younger-than ${JSON.stringify(v)} is not a duration: give one such as 60m, 24h or 1h30m`;
}

const option = (name: Option): string => `--${name}`;

/** `oc adm prune <kind> …` with the chosen options; without `confirm` it only reports. */
export function pruneCommand(
  kind: PruneKind,
  values: Partial<Record<Option, string>>,
  confirm: boolean,
  registryUrl?: string,
): ShellCommand {
  const words = OPTIONS[kind].map((o) => `${option(o)}=${values[o] ?? PRUNE_DEFAULTS[o]}`);
  if (kind !== 'images') words.unshift('--orphans');
  if (registryUrl) words.push(`--registry-url=${registryUrl}`);
  if (confirm) words.push('--confirm');
  return sh`oc adm prune ${kind} ${words}`;
}

/** Who is logged in, whether that login has a token, and the registry route's host ('' when none). */
interface Login {
  user: string;
  token: boolean;
  route: string;
}
const login = capture<Login>(
  'prune-login',
  (o) => ({
    user: (o[0]?.stdout ?? '').trim(),
    token: o[1]?.exitCode === 0,
    route: o[2]?.exitCode === 0 ? (o[2]?.stdout ?? '').trim() : '',
  }),
  () => ({ user: '<user>', token: true, route: '<registry route>' }),
);

/** Why the image steps cannot run, or undefined when they can. */
export function imagesBlocked(ctx: StepContext): string | undefined {
  if (ctx.params['images'] === 'no') return 'images=no: images are left as they are';
  const l = login.maybe(ctx);
  if (!l) return undefined;
  if (!l.token)
    return `logged in as ${l.user || 'a user'}, whose login has no token; oc adm prune images needs one — log in with oc login as a cluster-admin user (not system:admin) and run it again`;
  if (!l.route)
    return 'the registry has no route (oc get route docker-registry -n default): expose it first, oc adm prune images reaches the registry through it';
  return undefined;
}

const registryUrl = (ctx: StepContext) => `https://${login.of(ctx).route}`;

function command(kind: PruneKind, ctx: StepContext, confirm: boolean): ShellCommand {
  return pruneCommand(kind, ctx.params, confirm, kind === 'images' ? registryUrl(ctx) : undefined);
}

/** The image steps are skipped, with the reason, when images cannot be pruned. */
const imagesSkip = (kind: PruneKind): Pick<Step, 'skipIf'> => (kind === 'images' ? { skipIf: imagesBlocked } : {});

function dryRun(kind: PruneKind): Step {
  return {
    id: `dry-run-${kind}`,
    title: `Dry run: which ${kind} would be pruned`,
    section: SECTION,
    where: { on: 'bastion' },
    ...imagesSkip(kind),
    commands: (ctx) => [command(kind, ctx, false)],
  };
}

function prune(kind: PruneKind, gated: boolean): Step {
  return {
    id: `prune-${kind}`,
    title: `Prune ${kind} (--confirm)`,
    section: SECTION,
    where: { on: 'bastion' },
    ...imagesSkip(kind),
    commands: (ctx) => [command(kind, ctx, true)],
    timeoutMs: 30 * 60_000,
    ...(gated
      ? {
          gate: {
            kind: 'confirm' as const,
            what: (ctx: StepContext) =>
              `Removes for good what the dry runs above listed: old builds and deployments${imagesBlocked(ctx) ? '' : ', and images no longer referenced (from the registry too)'}.`,
            protectedBy: () => 'nothing restores a pruned object: read the dry runs first; keep-* decides what stays',
          },
        }
      : {}),
  };
}

const parameters: ParameterSpec[] = [
  {
    ...textParam('keep-complete', 'Completed builds / deployments kept per config', false, PRUNE_DEFAULTS['keep-complete']),
    validate: validCount('keep-complete'),
  },
  {
    ...textParam('keep-failed', 'Failed builds / deployments kept per config', false, PRUNE_DEFAULTS['keep-failed']),
    validate: validCount('keep-failed'),
  },
  {
    ...textParam('keep-younger-than', 'Nothing younger than this is pruned (e.g. 60m, 24h)', false, PRUNE_DEFAULTS['keep-younger-than']),
    validate: validDuration,
  },
  {
    ...textParam('keep-tag-revisions', 'Image revisions kept per image stream tag', false, PRUNE_DEFAULTS['keep-tag-revisions']),
    validate: validCount('keep-tag-revisions'),
  },
  yesNo('images', 'Prune images too (needs a token login and the registry route)', 'yes'),
];

export const pruneResources: Procedure = defineProcedure({
  id: 'prune',
  title: 'Prune builds, deployments and images',
  section: SECTION,
  guideLine: 1488,
  risk: 'medium',
  summary: 'oc adm prune builds, deployments and images: a dry run of each first, then a gate, then the same with --confirm.',
  parameters,
  steps: [
    {
      id: 'login',
      title: 'Who is logged in, and the registry route (prune images needs a token and the route)',
      section: SECTION,
      where: { on: 'bastion' },
      allowFailure: true,
      commands: () => [
        sh`oc whoami`,
        // the token itself is never printed: only whether there is one
        sh`oc whoami -t > /dev/null`,
        sh`oc get route docker-registry -n default -o 'jsonpath={.spec.host}'`,
      ],
      capture: captures(login),
    },
    dryRun('builds'),
    dryRun('deployments'),
    dryRun('images'),
    prune('builds', true),
    prune('deployments', false),
    prune('images', false),
  ],
});

export default pruneResources;
