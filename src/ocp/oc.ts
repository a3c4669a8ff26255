// The `oc` client as OpenShift 3.x procedures and screens meet it: which client answered `oc version`
// (oc 3.x, oc 4.x or kubectl) and what that changes (the drain's empty-dir flag), and the version a
// procedure captured in its run; and the commands that drain, cordon and uncordon a node. The one place
// both the Nodes screen and the node and docker procedures take them from.
import { capture } from '../engine/capture.js';
import type { StepContext } from '../engine/types.js';
import { argv, type ShellCommand } from '../transport/shell.js';

export interface OcVersion {
  /** Which client answered: `oc` (3.x or 4.x), `kubectl`, or unknown (no version could be read). */
  client: 'oc' | 'kubectl' | 'unknown';
  /** The client's own version, e.g. `v3.10.45`, `4.7.0`, `v1.20.15`. */
  version?: string;
  major?: number;
  minor?: number;
  /** The Kubernetes minor version the client is built on (oc 3.10 → 10, oc 4.7 → 20, kubectl 1.20 → 20). */
  kubeMinor?: number;
  /** What the server said, when the output has it. */
  server?: { openshift?: string; kubernetes?: string };
}

/** When the version is unknown the product assumes the OCP 3.x client it is written for. */
export const OC_3X: OcVersion = { client: 'unknown' };

function num(s: string | undefined): number | undefined {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * `oc version` (or `kubectl version --client`) output → the client version. Understands oc 3.x
 * (`oc v3.10.45` / `kubernetes v1.10.0+b81c8f8`), oc 4.x and kubectl (`Client Version: 4.7.0`,
 * `Client Version: v1.20.15`, `Client Version: version.Info{Major:"4", Minor:"1+", GitVersion:"v4.1.0+…"}`).
 */
export function parseOcVersion(out: string): OcVersion {
  const lines = out.split(/\r?\n/).map((l) => l.trim());
  const serverAt = lines.findIndex((l) => /^Server\b/i.test(l) && !/^Server Version/i.test(l));
  const clientPart = serverAt >= 0 ? lines.slice(0, serverAt) : lines;
  const result: OcVersion = { client: 'unknown' };
  const oc3 = clientPart.map((l) => /^oc v?(\d+)\.(\d+)(\S*)/.exec(l)).find(Boolean);
  if (oc3) {
    result.client = 'oc';
    result.version = oc3[0].slice(3);
    result.major = num(oc3[1]);
    result.minor = num(oc3[2]);
    const kube = clientPart.map((l) => /^kubernetes v?1\.(\d+)/.exec(l)).find(Boolean);
    result.kubeMinor = kube ? num(kube[1]) : result.major === 3 ? result.minor : undefined;
  } else {
    const cv = lines.map((l) => /^Client Version:\s*(.*)$/i.exec(l)).find(Boolean);
    if (cv) {
      const text = cv[1]!;
      const info = /GitVersion:"(v?[^"]+)"/.exec(text);
      const version = info ? info[1]! : text.split(/\s+/)[0]!;
      const m = /^v?(\d+)\.(\d+)/.exec(version);
      if (m) {
        const major = num(m[1])!;
        const minor = num(m[2])!;
        result.version = version;
        result.major = major;
        result.minor = minor;
        if (major === 1) {
          result.client = 'kubectl';
          result.kubeMinor = minor;
        } else {
          result.client = 'oc';
          // oc 4.N is built on Kubernetes 1.(N+13) (4.1 → 1.13, 4.7 → 1.20).
          result.kubeMinor = major === 4 ? minor + 13 : major === 3 ? minor : undefined;
        }
      }
    }
  }
  if (serverAt >= 0) {
    const server: NonNullable<OcVersion['server']> = {};
    for (const l of lines.slice(serverAt)) {
      const os = /^openshift (v?\S+)/.exec(l);
      const k = /^kubernetes (v?\S+)/.exec(l);
      if (os && !server.openshift) server.openshift = os[1]!;
      if (k && !server.kubernetes) server.kubernetes = k[1]!;
    }
    if (server.openshift || server.kubernetes) result.server = server;
  } else {
    const sv = lines
      .map((l) => /^(Server|Kubernetes) Version:\s*(?:version\.Info\{.*GitVersion:"(v?[^"]+)".*|(\S+))/i.exec(l))
      .find(Boolean);
    if (sv) result.server = { kubernetes: sv[3] ?? sv[4]! };
  }
  return result;
}

/** The flag that lets drain evict pods with emptyDir volumes: renamed in Kubernetes 1.20. */
export function localDataFlag(v: OcVersion): '--delete-local-data' | '--delete-emptydir-data' {
  return v.kubeMinor !== undefined && v.kubeMinor >= 20 ? '--delete-emptydir-data' : '--delete-local-data';
}

/** The name under which a procedure captures the parsed `oc version` (see ocVersionCapture). */
export const OC_VERSION_CAPTURE = 'oc-version';

/** What a step captures from `oc version`'s output: the parsed version, as JSON. */
export function ocVersionCapture(out: string): string {
  return JSON.stringify(parseOcVersion(out));
}

/** The client version, as a typed capture: a plan reads the 3.x client the product is written for. */
const ocVersion = capture<OcVersion>(
  OC_VERSION_CAPTURE,
  (o) => parseOcVersion(o[0]?.stdout ?? ''),
  () => OC_3X,
);

/** The client version a step captured (OC_VERSION_CAPTURE); the 3.x client while planning, if unknown or not JSON. */
export function ocVersionOf(ctx: StepContext): OcVersion {
  try {
    return ocVersion.maybe(ctx) ?? OC_3X;
  } catch {
    return OC_3X;
  }
}

// ---- drain, cordon, uncordon ------------------------------------------------------------------------

export interface DrainOptions {
  node: string;
  /** --ignore-daemonsets: leave DaemonSet pods (their controller ignores unschedulable anyway). */
  ignoreDaemonsets: boolean;
  /** --delete-local-data (--delete-emptydir-data on kubectl ≥ 1.20): evict pods with emptyDir; their data is lost. */
  deleteLocalData: boolean;
  /** --force: also delete pods no controller recreates (bare pods): they are gone for good. */
  force: boolean;
  /** --grace-period: seconds each pod gets to stop; undefined: the pod's own (-1). */
  gracePeriodSeconds?: number;
  /** --timeout: give up after this long; undefined or 0: wait forever. */
  timeoutSeconds?: number;
}

/** How long a drain may take before oc gives up (--timeout), from the Nodes screen and the node procedures alike. */
export const DRAIN_TIMEOUT_SECONDS = 300;

// ---- commands -------------------------------------------------------------------------------------------

/** A sentence saying what is wrong with the options, or undefined when they are fine. */
export function validateDrainOptions(o: DrainOptions): string | undefined {
  if (!o.node.trim()) return 'No node given: choose the node to drain.';
  if (/\s/.test(o.node) || o.node.startsWith('-')) return `"${o.node}" is not a node name: use the name oc get nodes shows.`;
  const g = o.gracePeriodSeconds;
  if (g !== undefined && (!Number.isInteger(g) || g < -1))
    return `Grace period "${g}" is not a whole number of seconds (-1 or more): leave it empty for each pod's own.`;
  const t = o.timeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || t < 0)) return `Timeout "${t}" is not a whole number of seconds: use 0 to wait forever.`;
  return undefined;
}

/** The drain flags for these options, in the order oc documents them. */
export function drainFlags(o: DrainOptions, oc: OcVersion = OC_3X): string[] {
  const flags: string[] = [];
  if (o.ignoreDaemonsets) flags.push('--ignore-daemonsets');
  if (o.deleteLocalData) flags.push(localDataFlag(oc));
  if (o.force) flags.push('--force');
  if (o.gracePeriodSeconds !== undefined) flags.push(`--grace-period=${o.gracePeriodSeconds}`);
  if (o.timeoutSeconds !== undefined && o.timeoutSeconds > 0) flags.push(`--timeout=${o.timeoutSeconds}s`);
  return flags;
}

/** `oc adm drain NODE [flags]` (`kubectl drain` for a kubectl client). Throws on invalid options. */
export function drainCommand(o: DrainOptions, oc: OcVersion = OC_3X, bin = 'oc'): ShellCommand {
  const bad = validateDrainOptions(o);
  if (bad) throw new Error(bad);
  const verb = oc.client === 'kubectl' ? ['drain'] : ['adm', 'drain'];
  return argv(bin, ...verb, o.node, ...drainFlags(o, oc));
}

/** `oc adm manage-node NODE --schedulable=false`: no new pods are placed on the node. */
export function cordonCommand(node: string, bin = 'oc'): ShellCommand {
  return argv(bin, 'adm', 'manage-node', node, '--schedulable=false');
}

/** `oc adm manage-node NODE --schedulable=true`: the node takes new pods again. */
export function uncordonCommand(node: string, bin = 'oc'): ShellCommand {
  return argv(bin, 'adm', 'manage-node', node, '--schedulable=true');
}

// ---- other node and cluster commands, as the guide types them ---------------------------------------

/** `oc WORDS…` on the bastion, every word quoted. */
export function oc(...words: (string | number)[]): ShellCommand {
  return argv('oc', ...words);
}

/** `oc get node N -o jsonpath={.spec.unschedulable}`: `true` once the node is cordoned, empty otherwise. */
export function unschedulableCommand(node: string): ShellCommand {
  return oc('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}');
}

/** `oc adm manage-node N --list-pods`: the pods left on the node, for the log. */
export function listPodsCommand(node: string): ShellCommand {
  return oc('adm', 'manage-node', node, '--list-pods');
}

/** `oc delete node N`: the node object leaves the cluster. */
export function deleteNodeCommand(node: string): ShellCommand {
  return oc('delete', 'node', node);
}

/** `oc get dc/NAME -n default -o jsonpath={.spec.replicas}`: the replicas a default-project DC asks for. */
export function dcReplicasCommand(dc: string): ShellCommand {
  return oc('get', `dc/${dc}`, '-n', 'default', '-o', 'jsonpath={.spec.replicas}');
}

/** `oc scale dc/NAME --replicas N -n default`. */
export function scaleDcCommand(dc: string, replicas: string | number): ShellCommand {
  return oc('scale', `dc/${dc}`, '--replicas', replicas, '-n', 'default');
}
