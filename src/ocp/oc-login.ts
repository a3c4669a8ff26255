// Who the `oc` login on this machine is, on which API server, and whether it can read what the oc-based
// health checks read: `oc whoami`, `oc whoami --show-server`, and one `oc auth can-i VERB RESOURCE [-n NS]`
// per read (real oc prints yes or no and exits 0 or 1). Read once, in the background, when the console starts;
// the verdict is src/model/oc-login.ts's.
import { argv, type ShellCommand } from '../transport/shell.js';
import type { CommandOutput, Runner, Target } from '../transport/types.js';

/** One thing the oc-based checks read, and the checks that read it. */
export interface OcRead {
  verb: 'get' | 'list';
  resource: string;
  namespace?: string;
  checks: readonly string[];
}

/** What src/checks/*.ts run `oc` for (nodes-ready, router, registry, mtu, skydns, default-storageclass, controllers-leader). */
export const OC_READS: readonly OcRead[] = [
  { verb: 'list', resource: 'nodes', checks: ['nodes-ready'] },
  { verb: 'list', resource: 'pods', namespace: 'default', checks: ['router', 'registry'] },
  { verb: 'get', resource: 'deploymentconfigs', namespace: 'default', checks: ['router', 'registry', 'mtu'] },
  { verb: 'list', resource: 'services', namespace: 'default', checks: ['skydns'] },
  { verb: 'list', resource: 'storageclasses', checks: ['default-storageclass'] },
  { verb: 'get', resource: 'configmaps', namespace: 'kube-system', checks: ['controllers-leader'] },
];

/** "list nodes", "get deploymentconfigs in default". */
export function readPhrase(r: Pick<OcRead, 'verb' | 'resource' | 'namespace'>): string {
  return `${r.verb} ${r.resource}${r.namespace ? ` in ${r.namespace}` : ''}`;
}

export function whoamiCommand(oc: string): ShellCommand {
  return argv(oc, 'whoami');
}

export function serverCommand(oc: string): ShellCommand {
  return argv(oc, 'whoami', '--show-server');
}

export function canICommand(oc: string, r: OcRead): ShellCommand {
  return argv(oc, 'auth', 'can-i', r.verb, r.resource, ...(r.namespace ? ['-n', r.namespace] : []));
}

/** What the login answered; `unavailable` when oc cannot be used at all (not installed: the --oc sentence). */
export interface OcLoginFacts {
  unavailable?: string;
  whoami?: CommandOutput;
  server?: CommandOutput;
  /** Each read with its `auth can-i` answer (only asked when whoami answered). */
  canI: { read: OcRead; out: CommandOutput }[];
}

export interface ReadOcLoginOptions {
  runner: Runner;
  /** The oc binary (--oc). Default `oc`. */
  oc?: string;
  /** When oc cannot be used: the sentence, and nothing is run. */
  ocUnavailable?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  reads?: readonly OcRead[];
}

const BASTION: Target = { kind: 'bastion' };

/** Runs the reads on the bastion; a command the runner could not run is an output with its message and no exit code. */
export async function readOcLogin(o: ReadOcLoginOptions): Promise<OcLoginFacts> {
  if (o.ocUnavailable) return { unavailable: o.ocUnavailable, canI: [] };
  const oc = o.oc ?? 'oc';
  const opts = { timeoutMs: o.timeoutMs ?? 20_000, ...(o.signal ? { signal: o.signal } : {}) };
  const run = async (cmd: ShellCommand): Promise<CommandOutput> => {
    try {
      const r = await o.runner.run(BASTION, cmd, opts);
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      return { exitCode: null, stdout: '', stderr: e instanceof Error ? e.message : String(e) };
    }
  };
  const [whoami, server] = await Promise.all([run(whoamiCommand(oc)), run(serverCommand(oc))]);
  if (whoami.exitCode !== 0) return { whoami, server, canI: [] };
  const reads = o.reads ?? OC_READS;
  const answers = await Promise.all(reads.map((r) => run(canICommand(oc, r))));
  return { whoami, server, canI: reads.map((read, i) => ({ read, out: answers[i]! })) };
}
