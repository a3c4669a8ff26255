// What the DEMO cluster answers: a table of command matchers → output. Each rule's `match` is tested
// against one simple command (or pipeline) with its quoting removed and its words single-spaced, e.g.
//   ETCDCTL_API=3 etcdctl --cert=/etc/etcd/peer.crt … --endpoints=https://10.0.0.1:2379 endpoint health
// The first matching rule answers. `needs` names the binary the rule needs on the target: where it is
// not installed the answer is `sh: X: command not found` (exit 127), as on a real host.
import { dirname } from 'node:path';
import {
  controllersLeaderJson,
  curlAnswer,
  DEMO_VERSIONS,
  type DemoCluster,
  type DemoHost,
  dfText,
  dockerInfo,
  dockerStorageText,
  ipAddrText,
  ipLinks,
  ipLinksOneLine,
  ipRouteText,
  masterApiStatus,
  nodeConfigYaml,
  ocGetDc,
  ocGetNodes,
  ocGetNodesJson,
  ocGetPodsDefault,
  ocGetStorageClass,
  ocGetSvcDefault,
  resolveName,
  stableHash,
  tabwrite,
  timedatectlText,
} from './cluster.js';
import { DOCKER_STORAGE_COMMANDS } from './docker-storage.js';

import { ENTROPY_COMMANDS } from './entropy.js';
import { ETCD_COMMANDS, etcdView } from './etcd.js';
import { IPTABLES_COMMANDS } from './iptables.js';

import { demoTun0Mtu, NODE_CONFIG_MAP_COMMANDS } from './node-config-maps.js';
import { demoDrain, demoManageNode, NODE_COMMANDS, ocGetPodsJson, ocPodNodeColumns, withNodeKubeconfig } from './nodes.js';
import { OWNER_COMMANDS } from './owners.js';
import { demoPackages, installedPackage, rpmQuery, yumInstall } from './packages.js';
import { PRUNE_COMMANDS } from './prune.js';
import type { DemoStep } from './runner.js';
import { flagValue } from './words.js';

export interface DemoContext {
  cluster: DemoCluster;
  /** The target host; undefined on the bastion. */
  host: DemoHost | undefined;
  /** The command's words, quotes removed (environment assignments included). */
  words: string[];
  /** `words` joined by single spaces: what `match` was tested against. */
  text: string;
  /** The whole script, normalised the same way (e.g. to see an earlier `export ETCDCTL_API=3`). */
  script: string;
  /** The directory standing for `/` on the target (its files: read `join(root, '/etc/etcd/etcd.conf')`); undefined in table-only tests. */
  root?: string;
  match: RegExpExecArray;
}

export interface DemoAnswer {
  /** Standard output, lines separated by \n (no trailing newline needed). */
  out?: string;
  /** Standard output ends without a newline (kubectl's -o jsonpath prints none after its template). */
  noNewline?: boolean;
  err?: string;
  /** Exit code, default 0. */
  code?: number;
  /** Extra time the command takes (e.g. `sleep`), after its output. */
  waitMs?: number;
  /** Output spread over time, with changes made as it goes (a drain); `out`/`err` then hold its text too. */
  steps?: DemoStep[];
}

export interface DemoCommand {
  id: string;
  match: RegExp;
  needs?: string;
  /** Extra condition beyond the regex. */
  when?: (ctx: DemoContext) => boolean;
  answer: (ctx: DemoContext) => DemoAnswer;
}

// ---------------------------------------------------------------------------------------------------
// Helpers for rules

function isV3(ctx: DemoContext): boolean {
  return /\bETCDCTL_API=3\b/.test(ctx.text) || /\bexport ETCDCTL_API=3\b/.test(ctx.script);
}

function hasCerts(ctx: DemoContext): boolean {
  return isV3(ctx)
    ? flagValue(ctx.words, '--cert') !== undefined && flagValue(ctx.words, '--cacert') !== undefined
    : flagValue(ctx.words, '--cert-file') !== undefined && flagValue(ctx.words, '--ca-file') !== undefined;
}

function namespace(words: readonly string[]): string | undefined {
  return flagValue(words, '-n', '--namespace');
}

function inDefaultNs(ctx: DemoContext): boolean {
  const ns = namespace(ctx.words);
  return ns === undefined || ns === 'default';
}

function isNode(h: DemoHost | undefined): h is DemoHost {
  return h !== undefined && (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute');
}

/** Is the binary installed on the target? */
export function hasBinary(c: DemoCluster, h: DemoHost | undefined, bin: string): boolean {
  switch (bin) {
    case 'oc':
      return h === undefined || isNode(h);
    case 'etcdctl':
      // the etcd RPM ships it
      return installedPackage(c, h, 'etcd') !== undefined;
    case 'docker':
      return isNode(h);
    case 'master-restart':
    case 'master-logs':
      return h?.kind === 'master';
    case 'jq':
      return h === undefined || h.kind === 'master';
    case 'haproxy':
      return h?.kind === 'lb';
    default:
      void c;
      return true;
  }
}

const NO_SUCH_FILE = (path: string): DemoAnswer => ({ err: `cat: ${path}: No such file or directory`, code: 1 });

const UNITS: Record<string, (h: DemoHost | undefined) => boolean> = {
  etcd: (h) => h?.etcdId !== undefined,
  docker: (h) => isNode(h),
  'atomic-openshift-node': (h) => isNode(h),
  'atomic-openshift-master-api': (h) => h?.kind === 'master',
  'atomic-openshift-master-controllers': (h) => h?.kind === 'master',
  haproxy: (h) => h?.kind === 'lb',
  chronyd: () => true,
  sshd: () => true,
};

function unitName(word: string | undefined): string {
  return (word ?? '').replace(/\.service$/, '');
}

// ---------------------------------------------------------------------------------------------------
// The table

export const DEMO_COMMANDS: readonly DemoCommand[] = [
  // Shell basics
  { id: 'true', match: /^(true|:)$/, answer: () => ({}) },
  { id: 'false', match: /^false$/, answer: () => ({ code: 1 }) },
  { id: 'exit', match: /^exit(?: (\d+))?$/, answer: (c) => ({ code: Number(c.match[1] ?? 0) }) },
  {
    id: 'echo',
    match: /^echo\b/,
    answer: (c) => {
      const args = c.words.slice(1);
      while (args[0] === '-n' || args[0] === '-e') args.shift();
      return { out: args.join(' ') };
    },
  },
  { id: 'sleep', match: /^sleep (\d+(?:\.\d+)?)s?$/, answer: (c) => ({ waitMs: Number(c.match[1]) * 1000 }) },
  { id: 'shell-state', match: /^(set|export|cd|umask|test|\[|unset|source|\.)\b/, answer: () => ({}) },
  {
    id: 'hostname',
    match: /^hostname(?: (-f|--fqdn|-s|--short|-i|-I))?$/,
    answer: (c) => {
      const name = c.host?.name ?? c.cluster.bastion;
      const flag = c.match[1];
      if (flag === '-s' || flag === '--short') return { out: name.split('.')[0] };
      if (flag === '-i' || flag === '-I') return { out: c.host?.ip ?? '10.0.0.254' };
      return { out: name };
    },
  },
  { id: 'whoami', match: /^whoami$/, answer: () => ({ out: 'root' }) },
  {
    id: 'id',
    match: /^id(?: (-u|-un|-nu))?$/,
    answer: (c) => ({
      out:
        c.match[1] === '-u'
          ? '0'
          : c.match[1]
            ? 'root'
            : 'uid=0(root) gid=0(root) groups=0(root) context=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023',
    }),
  },
  {
    id: 'uname',
    match: /^uname(?: (-r|-n|-a|-s))?$/,
    answer: (c) => {
      const name = c.host?.name ?? c.cluster.bastion;
      switch (c.match[1]) {
        case '-r':
          return { out: DEMO_VERSIONS.kernel };
        case '-n':
          return { out: name };
        case '-a':
          return { out: `Linux ${name} ${DEMO_VERSIONS.kernel} #1 SMP Wed Aug 15 12:56:53 EDT 2018 x86_64 x86_64 x86_64 GNU/Linux` };
        default:
          return { out: 'Linux' };
      }
    },
  },

  // Chapter 2: NTP, entropy
  { id: 'timedatectl', match: /^timedatectl(?: status)?$/, answer: () => ({ out: timedatectlText() }) },
  { id: 'timedatectl-set', match: /^timedatectl set-(ntp|timezone)\b/, answer: () => ({}) },
  // the ntp check's clock samples (uptime, date, the session leader's start tick, CLK_TCK): the demo hosts'
  // clocks agree with this machine's, and their sessions are "just started" (age 0: the whole round trip counts)
  { id: 'date-epoch', match: /^date \+%s\.%N$/, answer: () => ({ out: (Date.now() / 1000).toFixed(9) }) },
  { id: 'proc-uptime', match: /^cut -d\s+-f1 \/proc\/uptime$/, answer: () => ({ out: '3540127.42' }) },
  { id: 'proc-leader-start', match: /^awk .*\/proc\/self\/stat$/, answer: () => ({ out: '354012742' }) },
  { id: 'getconf-clk-tck', match: /^getconf CLK_TCK$/, answer: () => ({ out: '100' }) },
  { id: 'entropy', match: /^cat \/proc\/sys\/kernel\/random\/entropy_avail$/, answer: (c) => ({ out: String(c.host?.entropy ?? 3011) }) },
  ...ENTROPY_COMMANDS,
  {
    id: 'redhat-release',
    match: /^cat \/etc\/redhat-release$/,
    answer: () => ({ out: 'Red Hat Enterprise Linux Server release 7.5 (Maipo)' }),
  },
  {
    id: 'docker-storage-file',
    match: /^cat \/etc\/sysconfig\/docker-storage$/,
    answer: (c) =>
      c.host && c.host.dockerDriver !== 'none' ? { out: dockerStorageText(c.host) } : NO_SUCH_FILE('/etc/sysconfig/docker-storage'),
  },
  {
    id: 'node-config',
    match: /^cat \/etc\/origin\/node\/node-config\.yaml$/,
    answer: (c) => (isNode(c.host) ? { out: nodeConfigYaml(c.host) } : NO_SUCH_FILE('/etc/origin/node/node-config.yaml')),
  },
  { id: 'cat-other', match: /^cat (\S+)$/, answer: (c) => NO_SUCH_FILE(c.match[1]!) },

  // Chapter 3: disk, docker, MTU
  // disks, LVM, docker-storage-setup, docker and the node service stopped and started (docker-storage.ts)
  ...DOCKER_STORAGE_COMMANDS,
  {
    id: 'df',
    match: /^df(?: (?:-[hTPkB0-9]+|--block-size=\S+|--portability|--human-readable|--print-type))*(?: (\/\S*))?$/,
    answer: (c) => {
      const flags = c.words.slice(1).filter((w) => w.startsWith('-'));
      const short = flags.filter((f) => !f.startsWith('--')).join('');
      const b = /B(\d+)/.exec(short)?.[1] ?? /^--block-size=(\d+)$/.exec(flags.find((f) => f.startsWith('--block-size=')) ?? '')?.[1];
      const text = dfText(c.host, {
        human: /h/.test(short) || flags.includes('--human-readable'),
        posix: /P/.test(short) || flags.includes('--portability'),
        type: /T/.test(short) || flags.includes('--print-type'),
        blockSize: b !== undefined ? Number(b) : 1024,
      });
      const path = c.match[1];
      if (!path) return { out: text };
      const [header, ...rows] = text.split('\n');
      const mount = (r: string) => r.split(/\s+/).pop()!;
      const best = rows
        .filter((r) => path === mount(r) || path.startsWith(mount(r) === '/' ? '/' : `${mount(r)}/`))
        .sort((a, b) => mount(b).length - mount(a).length)[0];
      return { out: [header, best].join('\n') };
    },
  },
  { id: 'docker-info', match: /^docker info$/, needs: 'docker', answer: (c) => dockerInfo(c.host!) },
  {
    id: 'docker-version',
    match: /^docker (?:--version|-v)$/,
    needs: 'docker',
    answer: () => ({ out: `Docker version ${DEMO_VERSIONS.docker}, build 8633870/${DEMO_VERSIONS.docker}` }),
  },
  {
    id: 'ip',
    match:
      /^ip (?:-(?:o|oneline|4|6|d|details|s|br|brief) )*(link|l|address|addr|a|route|ro|r)(?: (show|list|sh|ls|lst))?(?: (?:dev )?(\S+))?$/,
    answer: (c) => {
      const oneline = c.words.includes('-o') || c.words.includes('-oneline');
      const family = c.words.includes('-4') ? 4 : c.words.includes('-6') ? 6 : undefined;
      const obj = c.match[1]!;
      const name = c.match[3];
      if (obj.startsWith('r')) {
        if (name !== undefined && name !== 'default') return { out: '' };
        return { out: family === 6 ? '' : ipRouteText(c.host, name === 'default') };
      }
      if (obj.startsWith('a')) {
        const text = ipAddrText(c.host, { oneline, ...(family ? { family } : {}), ...(name ? { dev: name } : {}) });
        return text === undefined ? { err: `Device "${name}" does not exist.`, code: 1 } : { out: text };
      }
      const tun0 = c.host && c.root ? demoTun0Mtu(c.cluster, c.host, c.root) : undefined;
      const links = (oneline ? ipLinksOneLine(c.host) : ipLinks(c.host)).map((l) =>
        l.name === 'tun0' && tun0 !== undefined ? { ...l, text: l.text.replace(/ mtu \d+ /, ` mtu ${tun0} `) } : l,
      );
      if (!name) return { out: links.map((l) => l.text).join('\n') };
      const l = links.find((x) => x.name === name);
      return l ? { out: l.text } : { err: `Device "${name}" does not exist.`, code: 1 };
    },
  },

  // etcd with state (etcd.ts): members, which hosts run it, backups and snapshots; before the generic
  // service rules (systemctl … etcd, master-restart etcd) and the etcdctl rules below
  ...ETCD_COMMANDS,

  // Services
  {
    id: 'systemctl-is-active',
    match: /^systemctl is-active (\S+)$/,
    answer: (c) => (UNITS[unitName(c.match[1])]?.(c.host) ? { out: 'active' } : { out: 'unknown', code: 3 }),
  },
  {
    id: 'systemctl-show',
    match: /^systemctl show (?:(?:--property=|-p ?)\S+ )*(\S+)$/,
    answer: (c) => {
      const u = unitName(c.match[1]);
      const up = UNITS[u]?.(c.host) ?? false;
      const values: [string, string][] = [
        ['Type', up ? 'notify' : 'simple'],
        ['MainPID', up ? String(1_000 + (stableHash(`${c.host?.name}:${u}`) % 60_000)) : '0'],
        ['Id', `${u}.service`],
        ['LoadState', up ? 'loaded' : 'not-found'],
        ['ActiveState', up ? 'active' : 'inactive'],
        ['SubState', up ? 'running' : 'dead'],
        ['UnitFileState', up ? 'enabled' : ''],
      ];
      const wanted = c.words.flatMap((w, i) =>
        w.startsWith('--property=')
          ? w.slice(11).split(',')
          : w === '-p' || w === '--property'
            ? (c.words[i + 1] ?? '').split(',')
            : w.startsWith('-p') && w.length > 2
              ? w.slice(2).split(',')
              : [],
      );
      const shown = wanted.length ? values.filter(([k]) => wanted.includes(k)) : values;
      return { out: shown.map(([k, v]) => `${k}=${v}`).join('\n') };
    },
  },
  {
    id: 'systemctl-status-master-api',
    match: /^systemctl status atomic-openshift-master-api(?:\.service)?(?: .*)?$/,
    answer: (c) =>
      c.host?.kind === 'master'
        ? { out: masterApiStatus(c.host) }
        : { err: 'Unit atomic-openshift-master-api.service could not be found.', code: 4 },
  },
  {
    id: 'systemctl-status',
    match: /^systemctl status (\S+)/,
    answer: (c) => {
      const u = unitName(c.match[1]);
      if (!UNITS[u]?.(c.host)) return { err: `Unit ${u}.service could not be found.`, code: 4 };
      return {
        out:
          `● ${u}.service\n   Loaded: loaded (/usr/lib/systemd/system/${u}.service; enabled; vendor ` +
          `preset: disabled)\n   Active: active (running) since Mon 2018-08-24 11:40:19 UTC; 1 ` +
          `months 10 days ago`,
      };
    },
  },
  { id: 'systemctl-change', match: /^systemctl (start|stop|restart|reload|enable|disable|daemon-reload)\b/, answer: () => ({}) },
  { id: 'master-restart', match: /^master-restart (api|controllers)$/, needs: 'master-restart', answer: () => ({ out: '2' }) },

  // etcd (etcdctl2/etcdctl3 are interactive aliases: in `sh -c` they are "command not found", as on a real host)
  {
    id: 'etcdctl-no-certs',
    match: /\betcdctl\b.*\b(cluster-health|member|endpoint|snapshot save)\b/,
    needs: 'etcdctl',
    when: (c) => !hasCerts(c),
    answer: (c) =>
      isV3(c)
        ? { err: 'Error: context deadline exceeded', code: 1 }
        : { err: 'Error:  client: etcd cluster is unavailable or misconfigured; error #0: remote error: tls: bad certificate', code: 4 },
  },
  {
    id: 'etcdctl-v3-version',
    match: /\betcdctl(?: .*)? version$/,
    needs: 'etcdctl',
    when: isV3,
    answer: () => ({ out: `etcdctl version: ${DEMO_VERSIONS.etcd}\nAPI version: 3.2` }),
  },
  {
    id: 'etcdctl-v2-version',
    match: /\betcdctl(?: .*)? --version$/,
    needs: 'etcdctl',
    answer: () => ({ out: `etcdctl version: ${DEMO_VERSIONS.etcd}\nAPI version: 2` }),
  },

  // oc: on the bastion and the masters (logged in as system:admin); nodes have no kubeconfig
  {
    id: 'oc-no-login',
    match: /^oc\b/,
    needs: 'oc',
    when: (c) => c.host !== undefined && c.host.kind !== 'master' && !withNodeKubeconfig(c),
    answer: () => ({ err: 'The connection to the server localhost:8080 was refused - did you specify the right host or port?', code: 1 }),
  },
  // etcd without quorum: the API servers cannot serve (3.10's master-api static pods fail their health check)
  {
    id: 'oc-api-down',
    match: /^oc\b/,
    needs: 'oc',
    when: (c) =>
      c.root !== undefined && !/^oc (?:version --client|whoami --show-server)/.test(c.text) && !etcdView(c.cluster, dirname(c.root)).quorum,
    answer: (c) => ({
      err: `The connection to the server console-int.${c.cluster.domain}:8443 was refused - did you specify the right host or port?`,
      code: 1,
    }),
  },
  // the node procedures' oc forms: jsonpath, -o name, scale, delete node, --list-pods (nodes.ts)
  ...NODE_CONFIG_MAP_COMMANDS,
  ...NODE_COMMANDS,
  ...OWNER_COMMANDS,
  ...PRUNE_COMMANDS,
  { id: 'oc-whoami', match: /^oc whoami$/, needs: 'oc', answer: () => ({ out: 'system:admin' }) },
  {
    id: 'oc-whoami-server',
    match: /^oc whoami --show-server$/,
    needs: 'oc',
    answer: (c) => ({ out: `https://console-int.${c.cluster.domain}:8443` }),
  },
  // system:admin may do anything: real oc prints yes and exits 0 (no and 1 when it may not)
  { id: 'oc-auth-can-i', match: /^oc auth can-i [a-z*]+ [a-z*.]+(?: -n [a-z0-9-]+)?$/, needs: 'oc', answer: () => ({ out: 'yes' }) },
  {
    id: 'oc-version',
    match: /^oc version$/,
    needs: 'oc',
    answer: (c) => ({
      out:
        `oc ${DEMO_VERSIONS.oc}\nkubernetes ${DEMO_VERSIONS.kubernetes}\n` +
        `features: Basic-Auth GSSAPI Kerberos SPNEGO\n\n` +
        `Server https://console-int.${c.cluster.domain}:8443\nopenshift ${DEMO_VERSIONS.oc}\n` +
        `kubernetes ${DEMO_VERSIONS.kubernetes}`,
    }),
  },
  {
    id: 'oc-get-nodes-json',
    match: /^oc\b.* get (?:nodes?|no)\b.*(?:-o|--output)[ =]json\b/,
    needs: 'oc',
    answer: (c) => ({ out: ocGetNodesJson(c.cluster) }),
  },
  {
    id: 'oc-get-nodes',
    match: /^oc\b.* get (?:nodes?|no)(?: ([a-z0-9][\w.-]*))?(?: |$)/,
    needs: 'oc',
    answer: (c) => {
      const text = ocGetNodes(c.cluster, flagValue(c.words, '-o', '--output') === 'wide');
      const name = c.match[1];
      if (!name || name.startsWith('-')) return { out: text };
      const lines = text.split('\n');
      const row = lines.find((l) => l.split(/\s+/)[0] === name);
      return row ? { out: `${lines[0]}\n${row}` } : { err: `Error from server (NotFound): nodes "${name}" not found`, code: 1 };
    },
  },
  {
    id: 'oc-get-storageclass',
    match: /^oc\b.* get (?:storageclass(?:es)?|sc)$/,
    needs: 'oc',
    answer: () => ({ out: ocGetStorageClass() }),
  },
  {
    id: 'oc-registry-address',
    match: /^oc\b.* get (?:dc|deploymentconfigs?)(?:\/| )docker-registry .*OPENSHIFT_DEFAULT_REGISTRY/,
    needs: 'oc',
    when: inDefaultNs,
    answer: () => ({ out: 'docker-registry.default.svc:5000' }),
  },
  {
    id: 'oc-get-dc',
    match: /^oc\b.* get (?:dc|deploymentconfigs?)(?:\/| )(router|docker-registry)(?: |$)/,
    needs: 'oc',
    when: inDefaultNs,
    answer: (c) => ({ out: ocGetDc(c.cluster, c.match[1] as 'router' | 'docker-registry') }),
  },
  {
    id: 'oc-get-pods-node-json',
    match: /^oc\b.* get (?:pods?|po)\b.*(?:-o|--output)[ =]json\b/,
    needs: 'oc',
    when: (c) => c.words.includes('--all-namespaces') || /^spec\.nodeName=/.test(flagValue(c.words, '--field-selector') ?? ''),
    answer: (c) => ({ out: ocGetPodsJson(c.cluster, /^spec\.nodeName=(.*)$/.exec(flagValue(c.words, '--field-selector') ?? '')?.[1]) }),
  },
  {
    id: 'oc-get-pods-node-columns',
    match: /^oc\b.* get (?:pods?|po) --all-namespaces --no-headers -o custom-columns=NODE:\.spec\.nodeName,PHASE:\.status\.phase$/,
    needs: 'oc',
    answer: (c) => ({ out: ocPodNodeColumns(c.cluster) }),
  },
  {
    id: 'oc-get-pods-default',
    match: /^oc\b.* get (?:pods?|po)(?: |$)/,
    needs: 'oc',
    when: (c) => namespace(c.words) === 'default',
    answer: (c) => ({ out: ocGetPodsDefault(c.cluster, flagValue(c.words, '-o', '--output') === 'wide') }),
  },
  {
    id: 'oc-get-svc-default',
    match: /^oc\b.* get (?:svc|services?)(?:(?:\/| )([a-z0-9][a-z0-9-]*))?(?: |$)/,
    needs: 'oc',
    when: inDefaultNs,
    answer: (c) => {
      const name = c.match[1];
      const text = ocGetSvcDefault(c.cluster, name);
      return text ? { out: text } : { err: `Error from server (NotFound): services "${name}" not found`, code: 1 };
    },
  },
  {
    id: 'oc-controllers-leader-jq',
    match: /^oc\b.* get .*\bcm openshift-master-controllers -o json \| jq\b/,
    needs: 'oc',
    answer: (c) => ({
      out: /holderIdentity":"master-(.*)-[0-9.]*-[0-9a-z]{8}"/.exec(controllersLeaderJson(c.cluster).replace(/\\"/g, '"'))?.[1] ?? '',
    }),
  },
  {
    id: 'oc-controllers-leader',
    match: /^oc\b.* get .*\bcm openshift-master-controllers -o json$/,
    needs: 'oc',
    answer: (c) => ({ out: controllersLeaderJson(c.cluster) }),
  },
  {
    id: 'oc-manage-node',
    match: /^oc adm manage-node (\S+) --schedulable(?:=(true|false))?$/,
    needs: 'oc',
    answer: (c) => {
      const h = demoManageNode(c.cluster, c.match[1]!, c.match[2] !== 'false');
      if (!h) return { err: `Error from server (NotFound): nodes "${c.match[1]}" not found`, code: 1 };
      const status = (h.down ? 'NotReady' : 'Ready') + (c.match[2] === 'false' ? ',SchedulingDisabled' : '');
      return {
        out: tabwrite([
          ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
          [h.name, status, h.kind === 'master' ? 'master' : h.kind, '41d', DEMO_VERSIONS.kubernetes],
        ]),
      };
    },
  },
  {
    id: 'oc-adm-cordon',
    match: /^oc adm (cordon|uncordon) (\S+)$/,
    needs: 'oc',
    answer: (c) => ({ out: `node/${c.match[2]} ${c.match[1]}ed` }),
  },
  {
    id: 'oc-adm-drain',
    match: /^oc adm drain (\S+)\b/,
    needs: 'oc',
    answer: (c) => demoDrain(c.cluster, c.match[1]!, c.words),
  },
  { id: 'oc-get-other', match: /^oc\b.* get \S+/, needs: 'oc', answer: () => ({ err: 'No resources found.' }) },

  // Network checks from the guide (3.5)
  {
    id: 'dig-apps',
    match: /^dig \+short \S*\.apps\.(\S+)$/,
    answer: (c) => ({ out: `apps.${c.match[1]}.\n${c.cluster.hosts.find((h) => h.kind === 'lb')?.ip ?? '10.0.0.10'}` }),
  },
  {
    // dig +short NAME: an A record, or nothing (NXDOMAIN); services resolve on nodes (dnsmasq → SkyDNS)
    id: 'dig',
    match: /^dig \+short ([A-Za-z0-9.-]+)(?: A)?$/,
    answer: (c) => {
      const ip = /^\d+\.\d+\.\d+\.\d+$/.test(c.match[1]!) ? undefined : resolveName(c.cluster, c.host, c.match[1]!);
      return { out: ip ?? '' };
    },
  },
  {
    id: 'curl',
    match: /^curl\b.* (https?:\/\/\S+)$/,
    answer: (c) => {
      const short = c.words
        .slice(1)
        .filter((w) => /^-[a-zA-Z]+$/.test(w))
        .join('');
      return curlAnswer(c.cluster, c.host, {
        url: c.match[1]!,
        verbose: short.includes('v') || c.words.includes('--verbose'),
        insecure: short.includes('k') || c.words.includes('--insecure'),
        silent: short.includes('s') || c.words.includes('--silent'),
        showError: short.includes('S') || c.words.includes('--show-error'),
      });
    },
  },
  {
    id: 'ss-listen',
    match: /^ss -l(?:t|u)?4?n/,
    answer: (c) => {
      const rows = [
        ['Netid', 'State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'],
        ['tcp', 'LISTEN', '0', '128', '*:22', '*:*'],
      ];
      if (c.host?.etcdId)
        rows.push(['tcp', 'LISTEN', '0', '128', `${c.host.ip}:2379`, '*:*'], ['tcp', 'LISTEN', '0', '128', `${c.host.ip}:2380`, '*:*']);
      if (isNode(c.host)) rows.push(['tcp', 'LISTEN', '0', '128', '*:10250', '*:*']);
      return { out: rows.map((r) => r.join('  ')).join('\n') };
    },
  },

  // Packages and file operations the procedures run: quiet success, as on a real host
  {
    id: 'rpm-qa',
    match: /^rpm -qa$/,
    answer: (c) => ({ out: demoPackages(c.cluster, c.host).join('\n') }),
  },
  {
    id: 'rpm-q',
    match: /^rpm -q (\S+)$/,
    answer: (c) => rpmQuery(c, c.match[1]!),
  },
  {
    id: 'yum-install',
    match: /^yum install -y ((?:[a-z][\w.+-]* ?)+)$/,
    answer: (c) => yumInstall(c, c.match[1]!.trim().split(' ')),
  },
  ...IPTABLES_COMMANDS,
  {
    id: 'file-ops',
    match: /^(mkdir|cp|mv|chmod|chcon|restorecon|ln|touch|tar|sync|update-ca-trust|rsync)\b/,
    answer: () => ({}),
  },
];

/** Names of the commands the DEMO cluster can answer (for docs and tests). */
export const DEMO_COMMAND_IDS: readonly string[] = DEMO_COMMANDS.map((c) => c.id);
