// 5.4.4.2 Adding an etcd host by hand (and the first half of 5.4.3 etcd-replace). The guide:
//   on the first etcd host (it holds the etcd CA in /etc/etcd/ca/):
//     export NEW_ETCD_HOSTNAME=… NEW_ETCD_IP=… CN=$NEW_ETCD_HOSTNAME SAN="IP:${NEW_ETCD_IP}"
//       PREFIX="/etc/etcd/generated_certs/etcd-$CN/" OPENSSLCFG="/etc/etcd/ca/openssl.cnf"
//     mkdir -p ${PREFIX}
//     openssl req -new -config ${OPENSSLCFG} -keyout ${PREFIX}server.key -out ${PREFIX}server.csr \
//       -reqexts etcd_v3_req -batch -nodes -subj /CN=$CN
//     openssl ca -name etcd_ca -config ${OPENSSLCFG} -out ${PREFIX}server.crt -in ${PREFIX}server.csr \
//       -extensions etcd_v3_ca_server -batch                      (then the same for peer.*, etcd_v3_ca_peer)
//     cp /etc/etcd/etcd.conf ${PREFIX}; cp /etc/etcd/ca.crt ${PREFIX}
//     member list; ss -l4n | grep 2380; member update <id> https://<ip>:2380   (a localhost peer URL, 5.4.2.1.1)
//     etcdctl -C https://${CURRENT_ETCD_HOST}:2379 … member add ${NEW_ETCD_HOSTNAME} https://${NEW_ETCD_IP}:2380
//     ${PREFIX}/etcd.conf: ETCD_NAME, ETCD_INITIAL_CLUSTER, ETCD_INITIAL_CLUSTER_STATE as printed; the
//       LISTEN/ADVERTISE URLs with the new IP
//     tar -czvf /etc/etcd/generated_certs/${CN}.tgz -C ${PREFIX} .; scp it to ${CN}:/tmp/
//   on the new host:
//     yum install -y iptables-services; systemctl enable iptables.service --now
//     iptables -N OS_FIREWALL_ALLOW; iptables -t filter -I INPUT -j OS_FIREWALL_ALLOW
//     iptables -A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 2379 -j ACCEPT  (and 2380)
//     iptables-save | tee /etc/sysconfig/iptables
//     yum install -y etcd (≥ etcd-2.3.7-4.el7); systemctl disable etcd --now
//     rm -Rf /etc/etcd/*; rm -Rf /var/lib/etcd/*; tar xzvf /tmp/${CN}.tgz -C /etc/etcd/
//     chown -R etcd/etcd /etc/etcd/*; chown -R etcd/etcd /var/lib/etcd/; systemctl enable etcd --now
//   cluster-health / endpoint health through every endpoint, the new one included
//   every master: the new URL in etcdClientInfo.urls of /etc/origin/master/master-config.yaml; restart the API
//   flannel: FLANNEL_ETCD_ENDPOINTS in /etc/sysconfig/flanneld on every host; restart flanneld
// The order is not the guide's: the new host is prepared completely first (firewall, etcd installed, reset,
// certificates and the CA host's etcd.conf as a sample unpacked into /etc/etcd), then `member add`, the
// printed values written into the new host's etcd.conf, and the start, one right after the other: between
// the add and the start the cluster has a member that is not up (4 members, 3 answering, quorum 3:
// no failure tolerated), and that window is kept to the start itself.
// Beyond the guide's text: the guide's environment values are written into each command as quoted
// arguments (no shell variables); the SAN also names the host (IP:<ip>,DNS:<name>, as openshift-ansible
// does) so that URLs by name verify too; a PREFIX left by an earlier run is moved aside so that the
// certificates are new; the cluster must be healthy and the count is checked (quorum arithmetic in the
// gate; a warning when it becomes even); `member add` is retried while etcd refuses it right after a
// change (LAB-FACTS); the new host's etcd.conf must not mention the CA host's address anywhere but in
// ETCD_INITIAL_CLUSTER; the archive goes host → bastion → host over SFTP on the product's verified
// connections and its sha256 is checked on arrival, and every transfer copy (it holds private keys) is
// removed once etcd runs; the firewall commands add only what is missing (iptables -C), the saved
// /etc/sysconfig/iptables is kept as .bak-<timestamp>; `rpm -q etcd || yum install -y etcd`; nothing is
// deleted on the new host: /etc/etcd's contents move to /backup/etcd-config-<timestamp>, the data dir to
// /var/lib/etcd.old-<timestamp> (its contents where it is a mount point); `chown -R etcd:etcd` (L1302's
// `etcd/etcd` typo); master-config.yaml and flanneld are edited in place with a .bak-<timestamp> copy
// first, only the list changing (a URL in the style of the list's entries: by name or by IP), and the API
// restarts only where the file changed. A step with nothing to do (already a member, rules present, etcd
// installed, URL listed) is skipped or says so: a repeated or resumed run is safe.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandOutput } from '../src/checks/types.js';
import { capture, captures } from '../src/engine/capture.js';
import type { CommandCheck, Params, Placement, Procedure, Step, StepContext } from '../src/engine/types.js';
import { until } from '../src/engine/wait.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import {
  apiHealthyPredicate,
  apiHealthzUrl,
  controlPlaneProbe,
  disableCommand,
  enableCommand,
  etcdGonePredicate,
  joiningEtcdRuntime,
  type Runtime,
  restartCommand,
  runningCommand,
  runtimeOf,
  startWithinSeconds,
} from '../src/ocp/control-plane.js';
import {
  type EtcdMember,
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdctl3,
  etcdHosts,
  parseV2ClusterHealth,
  parseV2MemberList,
  parseV3EndpointHealth,
} from '../src/ocp/etcd.js';
import { parseRpmQuery, rpmAtLeast } from '../src/ocp/rpm.js';
import { argv, awkVars, literal, type ShellCommand, sedReplacement, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, textParam } from './define.js';
import { DATA_DIR, ETCD_CONF, lastOf, peerUrlFixSteps, quorumOf, text, UNIT_FILE } from './etcd-common.js';
import { addedVerdict, initialCluster, memberAddCommand, memberListNoLeader, moveAsideCommand } from './etcd-restore.js';

export const CA_DIR = '/etc/etcd/ca';
export const OPENSSL_CNF = `${CA_DIR}/openssl.cnf`;
export const GENERATED_DIR = '/etc/etcd/generated_certs';
export const MASTER_CONFIG = '/etc/origin/master/master-config.yaml';
/** Left beside master-config.yaml when it changed and the API has not been restarted since. */
export const API_RESTART_PENDING = '/etc/origin/master/.day2-tui-api-restart-pending';
export const FLANNELD = '/etc/sysconfig/flanneld';
export const IPTABLES_SAVED = '/etc/sysconfig/iptables';
export const FIREWALL_CHAIN = 'OS_FIREWALL_ALLOW';
/** The guide: etcd-2.3.7-4.el7 or later. */
export const MIN_ETCD = { version: '2.3.7', release: '4' };
/** What the archive must hold (tar -C PREFIX .). */
export const ARCHIVE_FILES = ['server.crt', 'server.key', 'peer.crt', 'peer.key', 'ca.crt', 'etcd.conf'];

type Ctx = { params: Params; inventory: Inventory };

// ---- who and where ------------------------------------------------------------------------------

const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_RE = /^[0-9A-Fa-f:]+$/;

/** The host to add (the `host` parameter). */
export function newHost(ctx: Ctx): Host {
  const name = ctx.params['host'];
  const h = ctx.inventory.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`${JSON.stringify(name ?? '')} is not a host of the inventory`);
  return h;
}

/** The new member's address: the `ip` parameter, else the inventory's (openshift_ip, else ansible_host). */
export function newIp(ctx: Ctx): string {
  return ctx.params['ip'] || etcdAddress(newHost(ctx));
}

const inUrl = (ip: string): string => (ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip);
export const newPeerUrl = (ctx: Ctx): string => `https://${inUrl(newIp(ctx))}:2380`;
export const newClientUrl = (ctx: Ctx): string => `https://${inUrl(newIp(ctx))}:2379`;
/** The same client URL by host name (lists written by name, as openshift-ansible writes master-config). */
export const nameClientUrl = (h: Host): string => `https://${h.name}:2379`;

/** The current members: the inventory's [etcd] hosts but the new one, in inventory order. */
export function currentMembers(ctx: Ctx): Host[] {
  const n = newHost(ctx);
  const hs = etcdHosts(ctx.inventory).filter((h) => h.name !== n.name);
  if (hs.length === 0) throw new Error('the inventory has no [etcd] host besides the new one: there is no cluster to add it to');
  return hs;
}

/** The member that holds the etcd CA: `ca-host`, else the first current member (openshift-ansible's etcd_ca_host). */
export function caHost(ctx: Ctx): Host {
  const name = ctx.params['ca-host'];
  const members = currentMembers(ctx);
  if (!name) return members[0]!;
  const h = members.find((x) => x.name === name);
  if (!h) throw new Error(`ca-host=${JSON.stringify(name)} is not a current etcd member (the inventory's [etcd] hosts but the new one)`);
  return h;
}

const currentEndpoints = (ctx: Ctx): string[] => currentMembers(ctx).map(etcdClientUrl);
const allEndpoints = (ctx: Ctx): string[] => [...currentEndpoints(ctx), newClientUrl(ctx)];
const cn = (ctx: Ctx): string => newHost(ctx).name;
/** PREFIX of the guide: /etc/etcd/generated_certs/etcd-<CN>/ (trailing slash, as the guide writes it). */
export const prefixDir = (ctx: Ctx): string => `${GENERATED_DIR}/etcd-${cn(ctx)}/`;
export const archivePath = (ctx: Ctx): string => `${GENERATED_DIR}/${cn(ctx)}.tgz`;
/** SAN of both certificates: the guide's IP, and the host name (as openshift-ansible does). */
export const sanOf = (ctx: Ctx): string => `IP:${newIp(ctx)},DNS:${cn(ctx)}`;
/** Where the archive goes on the new host (the guide's scp target). */
export const remoteArchive = (ctx: Ctx): string => `/tmp/${cn(ctx)}.tgz`;
/** A copy of the archive the login user can read over SFTP (root-only files, become). */
export const caHostCopy = (ctx: Ctx): string => `/tmp/day2-tui-${cn(ctx)}.tgz`;
/** The archive on the bastion, between the two SFTP copies (0600, in a 0700 directory; removed after). */
export function bastionCopy(ctx: StepContext): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `day2-tui-${uid}`, `etcd-add-${timeStamp(ctx.startedAt)}`, `${cn(ctx)}.tgz`);
}
const stamp = (ctx: StepContext): string => timeStamp(ctx.startedAt);
export const configAside = (ctx: StepContext): string => `/backup/etcd-config-${stamp(ctx)}`;
export const dataAside = (ctx: StepContext): string => `${DATA_DIR}.old-${stamp(ctx)}`;

/** Validator of the `host` parameter: a plausible host name (it becomes the CN, a path and the member name). */
export function validateNewHost(value: string, inventory: Inventory): string | undefined {
  if (!HOSTNAME_RE.test(value)) return `${JSON.stringify(value)} cannot be an etcd member name (letters, digits, dots and dashes only)`;
  if (!inventory.hosts.some((h) => h.name === value)) return `${value} is not a host of the inventory; put it in [new_etcd]`;
  if (!etcdHosts(inventory).some((h) => h.name !== value))
    return 'the inventory has no [etcd] host besides this one: there is no cluster to add it to';
  return undefined;
}

export function validateIp(value: string): string | undefined {
  if (IPV4_RE.test(value) || (value.includes(':') && IPV6_RE.test(value))) return undefined;
  return `${JSON.stringify(value)} is not an IP address; give the address etcd should listen on, e.g. 192.168.55.21`;
}

// ---- the cluster before the change (pure, tested) ------------------------------------------------

export type NewMemberState = 'absent' | 'unstarted' | 'started';

/** Is the new host already in the member list? By peer URL; a name taken by another URL is refused. */
export function memberState(members: EtcdMember[], name: string, peerUrl: string): NewMemberState {
  const byUrl = members.filter((m) => m.peerURLs.includes(peerUrl));
  if (byUrl.length > 1) throw new Error(`${byUrl.length} members advertise ${peerUrl}: ${byUrl.map((m) => m.id).join(', ')}`);
  const m = byUrl[0];
  const clash = members.find((x) => x.name === name && x !== m);
  if (clash)
    throw new Error(
      `a member named ${name} already exists with peer URL ${clash.peerURLs.join(',')} (id ${clash.id}): remove it first ` +
        `(etcd-remove-member)`,
    );
  if (!m) return 'absent';
  if (!m.started) return 'unstarted';
  if (m.name !== name) throw new Error(`${peerUrl} is already the peer URL of member ${m.name} (id ${m.id})`);
  return 'started';
}

/** `member list`, then `--- health`, then cluster-health: every member but the new one healthy. */
export function preflightVerdict(out: string, name: string, peerUrl: string): true | string {
  const [listPart, healthPart = ''] = out.split(/^--- health$/m);
  const members = parseV2MemberList(listPart ?? '');
  if (members.length === 0) return 'the member list is empty or could not be read';
  try {
    memberState(members, name, peerUrl);
  } catch (e) {
    return (e as Error).message;
  }
  const health = parseV2ClusterHealth(healthPart);
  const others = members.filter((m) => !m.peerURLs.includes(peerUrl));
  const bad = others
    .filter((m) => health.members.find((h) => h.id === m.id)?.health !== 'healthy')
    .map((m) => `${m.name || '(unstarted)'} ${m.id} ${health.members.find((h) => h.id === m.id)?.health ?? 'not reported'}`);
  if (bad.length > 0) {
    const after = quorumOf(others.length + 1);
    return (
      `not every current member is healthy (${bad.join(', ')}): with ${name} added the cluster needs ` +
      `${after.quorum} of ${after.members} and only ${others.length - bad.length} answer — remove the failed member ` +
      `first (etcd-remove-member), then add`
    );
  }
  return true;
}

/** Members in the list other than the new host. */
export function membersBefore(listOut: string, peerUrl: string): number {
  return parseV2MemberList(listOut).filter((m) => !m.peerURLs.includes(peerUrl)).length;
}

/** The quorum arithmetic of adding one member to `before`. */
export function additionArithmetic(before: number): string[] {
  const b = quorumOf(before);
  const a = quorumOf(before + 1);
  return [
    `members before: ${b.members}; quorum: ${b.quorum}; failures tolerated: ${b.tolerated}`,
    `members after:  ${a.members}; quorum: ${a.quorum}; failures tolerated: ${a.tolerated}`,
    `from member add until etcd runs on the new host: ${before} of ${a.members} members vote, quorum ${a.quorum}, ` +
      `failures tolerated ${Math.max(0, before - a.quorum)}`,
  ];
}

/** A warning when the count after the addition is even. */
export function additionWarning(before: number): string | undefined {
  const after = before + 1;
  if (after % 2 !== 0) return undefined;
  return (
    `warning: ${after} members is an even count: quorum ${quorumOf(after).quorum}, it tolerates no more failures ` +
    `than ${after - 1} (${quorumOf(after - 1).tolerated}); add one more member, or remove one (etcd-replace adds and removes)`
  );
}

/** The current member (inventory host name) that advertises a localhost peer URL, '' when none. */
export function localhostMember(members: EtcdMember[], current: Host[]): string {
  const local = members.filter((m) => m.peerURLs.some((u) => /localhost|127\.0\.0\.1|\[::1\]/.test(u)));
  if (local.length === 0) return '';
  if (local.length > 1)
    throw new Error(
      `${local.length} members advertise a localhost peer URL (${local.map((m) => m.id).join(', ')}): fix them one by ` +
        `one (etcd-peerurl-fix) first`,
    );
  const m = local[0]!;
  const h = current.find((x) => x.name === m.name) ?? current.find((x) => m.clientURLs.includes(etcdClientUrl(x)));
  if (!h)
    throw new Error(
      `member ${m.id} (${m.name || 'no name'}) advertises ${m.peerURLs.join(',')} and is none of the inventory's [etcd] ` +
        `hosts: fix its peer URL by hand (5.4.2.1.1)`,
    );
  return h.name;
}

// ---- certificates and configuration (pure, tested) -----------------------------------------------

/** The guide's openssl commands for one pair (server or peer), with SAN in their environment. */
export function certPairCommands(kind: 'server' | 'peer', prefix: string, commonName: string, san: string): ShellCommand[] {
  return [
    sh`SAN=${san} openssl req -new
      -config ${OPENSSL_CNF} -keyout ${`${prefix}${kind}.key`} -out ${`${prefix}${kind}.csr`} -reqexts etcd_v3_req
      -batch -nodes -subj ${`/CN=${commonName}`}`,
    sh`SAN=${san} openssl ca -name etcd_ca
      -config ${OPENSSL_CNF} -out ${`${prefix}${kind}.crt`} -in ${`${prefix}${kind}.csr`} -extensions ${`etcd_v3_ca_${kind}`} -batch`,
  ];
}

/** Moves an existing PREFIX aside (its certificates are not this run's), then makes it. */
export function prefixCommand(prefix: string, aside: string): ShellCommand {
  const dir = prefix.replace(/\/+$/, '');
  return sh`if test -e ${dir} && ! test -e ${aside};
    then mv ${dir} ${aside} && echo ${`${dir} existed: moved to ${aside}, new certificates follow`}; fi; mkdir -p ${prefix}`;
}

/** `openssl x509 -text` of both certificates (and `openssl verify` against the CA): signed, with the IP in the SAN. */
export function certVerdict(out: CommandOutput, ip: string, name: string): true | string {
  if (out.exitCode !== 0)
    return `the certificates do not verify against ${CA_DIR}/ca.crt: ${text(out).trim().split('\n').slice(-2).join(' ')}`;
  const sans = [...out.stdout.matchAll(/X509v3 Subject Alternative Name:[^\n]*\n\s*([^\n]*)/g)].map((m) => m[1]!);
  if (sans.length < 2) return 'could not read the Subject Alternative Name of both certificates';
  const bad = sans.filter((s) => !s.split(/,\s*/).includes(`IP Address:${ip}`));
  if (bad.length) return `a certificate's SAN lacks IP Address:${ip}: ${bad[0]}`;
  const subjects = [...out.stdout.matchAll(/Subject: (.*)$/gm)].map((m) => m[1]!);
  if (!subjects.every((s) => new RegExp(`CN ?= ?${name.replace(/\./g, '\\.')}$`).test(s.trim())))
    return `a certificate's subject is not CN=${name}: ${subjects.join('; ')}`;
  return true;
}

/** The keys of the new member's etcd.conf and their values (member add's output and the new address). */
export function newConfSettings(name: string, ip: string, initial: string): [string, string][] {
  const a = inUrl(ip);
  return [
    ['ETCD_NAME', name],
    ['ETCD_INITIAL_CLUSTER', initial],
    ['ETCD_INITIAL_CLUSTER_STATE', 'existing'],
    ['ETCD_LISTEN_PEER_URLS', `https://${a}:2380`],
    ['ETCD_LISTEN_CLIENT_URLS', `https://${a}:2379`],
    ['ETCD_INITIAL_ADVERTISE_PEER_URLS', `https://${a}:2380`],
    ['ETCD_ADVERTISE_CLIENT_URLS', `https://${a}:2379`],
  ];
}

/** sed edit of a copied etcd.conf: each KEY= line replaced (the value quoted), a missing key appended. */
export function newConfCommands(file: string, settings: [string, string][]): ShellCommand[] {
  const exprs = settings.flatMap(([k, v]) => ['-e', `s|^${k}=.*|${k}=${sedReplacement(v)}|`]);
  return [
    sh`sed -i ${exprs} ${file}`,
    ...settings.map(([k, v]) => sh`grep -q ${`^${k}=`} ${file} || echo ${`${k}=${v}`} >> ${file}`),
    sh`grep -v '^#' ${file} | grep -v '^$'`,
  ];
}

/** The edited etcd.conf: every setting as wanted, and the CA host's address nowhere else in active lines. */
export function newConfVerdict(conf: string, settings: [string, string][], caAddress: string): true | string {
  const active = conf
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const [k, v] of settings) {
    const lines = active.filter((l) => l.startsWith(`${k}=`));
    if (lines.length !== 1) return `etcd.conf has ${lines.length} ${k} lines, not 1`;
    const got = lines[0]!.slice(k.length + 1).replace(/^"(.*)"$/, '$1');
    if (got !== v) return `${k} is ${JSON.stringify(got)}, not ${JSON.stringify(v)}`;
  }
  const addr = new RegExp(`(^|[^0-9.])${caAddress.replace(/[.[\]]/g, '\\$&')}($|[^0-9.])`);
  const leftover = active.filter((l) => !l.startsWith('ETCD_INITIAL_CLUSTER=') && addr.test(l));
  if (leftover.length) return `etcd.conf still names the CA host's address ${caAddress}: ${leftover.join('; ')}`;
  return true;
}

/** `tar -tzf` of the archive holds the certificates, the CA and etcd.conf. */
export function archiveVerdict(listing: string): true | string {
  const names = new Set(
    listing
      .split('\n')
      .map((l) => l.trim().replace(/^\.\//, ''))
      .filter(Boolean),
  );
  const missing = ARCHIVE_FILES.filter((f) => !names.has(f));
  return missing.length === 0 || `the archive lacks ${missing.join(', ')}`;
}

/** The sha256 printed by `sha256sum FILE`. */
export function parseSha256(out: string): string {
  const m = /^([0-9a-f]{64})\s/m.exec(out);
  if (!m) throw new Error(`no sha256 in ${JSON.stringify(out.trim().slice(0, 120))}`);
  return m[1]!;
}

// ---- the new host (pure, tested) -----------------------------------------------------------------

/** The firewall rules of the guide, as `iptables -A` arguments (without the -A CHAIN). */
export const FIREWALL_RULES = [2379, 2380].map((port) => [
  '-p',
  'tcp',
  '-m',
  'state',
  '--state',
  'NEW',
  '-m',
  'tcp',
  '--dport',
  String(port),
  '-j',
  'ACCEPT',
]);

/**
 * What the firewall lacks, from `iptables -S` (live) and the OS_FIREWALL_ALLOW lines of
 * /etc/sysconfig/iptables (saved): [] when the chain, the INPUT jump and both port rules are there.
 */
export function firewallMissing(live: string, saved: string): string[] {
  const missing: string[] = [];
  const has = (t: string, line: string) => t.split('\n').some((l) => l.trim().replace(/\s+/g, ' ') === line);
  if (!has(live, `-N ${FIREWALL_CHAIN}`)) missing.push(`chain ${FIREWALL_CHAIN}`);
  if (!has(live, `-A INPUT -j ${FIREWALL_CHAIN}`)) missing.push(`INPUT → ${FIREWALL_CHAIN}`);
  for (const r of FIREWALL_RULES) {
    const line = `-A ${FIREWALL_CHAIN} ${r.join(' ')}`;
    if (!has(live, line)) missing.push(`tcp ${r[9]} (live)`);
    if (!has(saved, line)) missing.push(`tcp ${r[9]} (saved in ${IPTABLES_SAVED})`);
  }
  return missing;
}

/** The guide's firewall commands, each only when its rule is missing; the saved rules kept as .bak first. */
export function firewallCommands(bak: string): ShellCommand[] {
  const c = FIREWALL_CHAIN;
  return [
    literal('rpm -q iptables-services || yum install -y iptables-services'),
    argv('systemctl', 'enable', 'iptables.service', '--now'),
    sh`iptables -L ${c} -n > /dev/null 2>&1 || iptables -N ${c}`,
    sh`iptables -C INPUT -j ${c} 2> /dev/null || iptables -t filter -I INPUT -j ${c}`,
    ...FIREWALL_RULES.map((r) => sh`iptables -C ${c} ${r} 2> /dev/null || iptables -A ${c} ${r}`),
    sh`test -e ${bak} || ! test -e ${IPTABLES_SAVED} || cp -p ${IPTABLES_SAVED} ${bak}`,
    sh`iptables-save | tee ${IPTABLES_SAVED}`,
  ];
}

/** Moves a directory's contents (dot files too) into `aside` — never deletes; an empty directory is left as it is. */
export function moveContentsAsideCommand(dir: string, aside: string): ShellCommand {
  return sh`if test -z "$(ls -A ${dir} 2> /dev/null)"; then echo ${`${dir} is empty: nothing to move aside`};
    else mkdir -p ${aside} && for f in ${dir}/* ${dir}/.[!.]* ${dir}/..?*; do if test -e "$f" || test -L "$f";
    then mv "$f" ${aside}/ || exit 1; fi; done; echo ${`${dir}: its contents moved to ${aside}`}; fi`;
}

/** `systemctl is-active` and the entries of /etc/etcd and /var/lib/etcd, for the reset's verification. */
export function resetVerdict(out: string): true | string {
  if (/^active: running$/m.test(out)) return 'etcd still runs';
  const conf = /^etc: (\d+)$/m.exec(out)?.[1];
  const data = /^data: (\d+)$/m.exec(out)?.[1];
  if (conf !== '0') return `/etc/etcd is not empty (${conf ?? '?'} entries)`;
  if (data !== '0') return `${DATA_DIR} is not empty (${data ?? '?'} entries)`;
  return true;
}

// ---- the clients: master-config.yaml and flanneld (pure, tested) ----------------------------------

// awk programs (our own text; no single quote in them): edit etcdClientInfo.urls of master-config.yaml.
// -v add=<ip URL> addname=<name URL> same="<URLs that already count as the new host>" drop="<URLs to drop>"
// exit 0 changed, 10 unchanged, 3 no etcdClientInfo.urls list, 4 the list would be empty.
const AWK_URLS_EDIT = [
  'BEGIN { q = sprintf("%c", 39); n = split(drop, d, " "); for (i = 1; i <= n; i++) gone[d[i]] = 1; n = split(same, s, " ' +
    '"); for (i = 1; i <= n; i++) have[s[i]] = 1 }',
  'function val(v) { sub(/^[ \\t]*-[ \\t]*/, "", v); sub(/[ \\t]+#.*$/, "", v); sub(/[ \\t]+$/, "", v); c = substr(v, 1, ' +
    '1); if ((c == "\\"" || c == q) && substr(v, length(v), 1) == c) v = substr(v, 2, length(v) - 2); return v }',
  'function finish() { if (add != "" && !present) { u = (lastv == "" || lastv ~ /^https?:\\/\\/(\\[|[0-9.]+:)/) ? add : ' +
    'addname; print lastp u; kept++; changed = 1 } inurls = 0; found = 1 }',
  '{ if (inurls) { if ($0 ~ /^[ \\t]*- /) { v = val($0); p = $0; sub(/-.*$/, "", p); lastp = p "- "; lastv = v; if (v in ' +
    'gone) { changed = 1; next } if (v in have) present = 1; kept++; print; next } finish() }',
  '  else if (!found) { if ($0 ~ /^etcdClientInfo:[ \\t]*$/) block = 1; else if (block && $0 ~ /^[^ \\t#]/) block = 0; ' +
    'else if (block && $0 ~ /^[ \\t]+urls:[ \\t]*$/) inurls = 1 }',
  '  print }',
  'END { if (inurls) finish(); if (!found) exit 3; if (kept == 0) exit 4; if (!changed) exit 10 }',
].join('\n');

const AWK_URLS_LIST = [
  '$0 ~ /^etcdClientInfo:[ \\t]*$/ { b = 1; next }',
  'b && u && $0 ~ /^[ \\t]*- / { v = $0; sub(/^[ \\t]*-[ \\t]*/, "", v); sub(/[ \\t]+#.*$/, "", v); sub(/[ \\t]+$/, "", ' +
    'v); gsub(/"/, "", v); print v; next }',
  'b && u { exit }',
  'b && $0 ~ /^[^ \\t#]/ { b = 0 }',
  'b && $0 ~ /^[ \\t]+urls:[ \\t]*$/ { u = 1 }',
].join('\n');

// FLANNEL_ETCD_ENDPOINTS=a,b,c (optionally in double quotes): the same variables, the same exit codes.
const AWK_FLANNEL_EDIT = [
  'BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) gone[d[i]] = 1; n = split(same, s, " "); for (i = 1; i <= ' +
    'n; i++) have[s[i]] = 1 }',
  '/^FLANNEL_ETCD_ENDPOINTS=/ && !done { v = substr($0, 24); qc = ""; if (v ~ /^".*"$/) { qc = "\\""; v = substr(v, 2, length(v) - 2) }',
  '  n = split(v, a, ","); out = ""; first = ""; present = 0',
  '  for (i = 1; i <= n; i++) { if (a[i] == "") continue; if (first == "") first = a[i]; if (a[i] in gone) { changed = ' +
    '1; continue } if (a[i] in have) present = 1; out = out (out == "" ? "" : ",") a[i] }',
  '  if (add != "" && !present) { u = (first == "" || first ~ /^https?:\\/\\/(\\[|[0-9.]+:)/) ? add : addname; out = out ' +
    '(out == "" ? "" : ",") u; changed = 1 }',
  '  if (out == "") exit 4; print "FLANNEL_ETCD_ENDPOINTS=" qc out qc; done = 1; next }',
  '{ print }',
  'END { if (!done) exit 3; if (!changed) exit 10 }',
].join('\n');

export interface UrlEdit {
  /** The new member's client URL by IP and by name (the list's style decides which is written); '' adds nothing. */
  add: string;
  addName: string;
  /** URLs that already stand for the new member (present → nothing added). */
  same: string[];
  /** URLs to drop (a removed member's, by IP and by name). */
  drop: string[];
}

/** The client URLs that stand for a host: by IP, by inventory name, by openshift_hostname. */
export function urlsOf(h: Host, ip = etcdAddress(h)): string[] {
  const out = [`https://${inUrl(ip)}:2379`, nameClientUrl(h)];
  const osh = h.vars['openshift_hostname'];
  if (osh && !out.includes(`https://${osh}:2379`)) out.push(`https://${osh}:2379`);
  return out;
}

function awkEditCommand(file: string, program: string, e: UrlEdit, what: string, marker?: string): ShellCommand {
  const tmp = `${file}.day2-tui-edit`;
  // awk -v reads escapes: backslashes doubled so that a value reaches the program as written
  const vars = awkVars({ add: e.add, addname: e.addName, same: e.same.join(' '), drop: e.drop.join(' ') });
  const onChange = marker ? sh` && touch ${marker}` : sh``;
  return sh`cp -p ${file} ${tmp} && awk ${vars} ${literal(`'${program}'`)} ${file} > ${tmp}; rc=$?;
    case $rc in
      0) mv ${tmp} ${file}${onChange} && echo ${`${file}: ${what} updated`} ;;
      10) rm -f ${tmp}; echo ${`${file}: ${what} already as wanted, unchanged`} ;;
      3) rm -f ${tmp}; echo ${`${file}: no ${what} found, unchanged`}; exit 1 ;;
      4) rm -f ${tmp}; echo ${`${file}: refusing to leave ${what} empty, unchanged`}; exit 1 ;;
      *) rm -f ${tmp}; exit 1 ;;
    esac`;
}

/** Edits etcdClientInfo.urls in master-config.yaml in place (only the list's lines change); touches `marker` when it changed. */
export function masterConfigEditCommand(file: string, e: UrlEdit, marker?: string): ShellCommand {
  return awkEditCommand(file, AWK_URLS_EDIT, e, 'etcdClientInfo.urls', marker);
}

/** Prints the etcdClientInfo.urls entries, one a line. */
export function masterConfigUrlsCommand(file: string): ShellCommand {
  return sh`awk ${literal(`'${AWK_URLS_LIST}'`)} ${file}`;
}

/** Edits FLANNEL_ETCD_ENDPOINTS in place; restarts flanneld when it changed and runs; nothing where the file is absent. */
export function flannelEditCommand(file: string, e: UrlEdit, bak: string): ShellCommand {
  const changed = `${file}.day2-tui-changed`;
  return sh`if test -e ${file}; then
      test -e ${bak} || cp -p ${file} ${bak};
      ${awkEditCommand(file, AWK_FLANNEL_EDIT, e, 'FLANNEL_ETCD_ENDPOINTS', changed)};
      if test -e ${changed}; then
        if systemctl is-active -q flanneld.service; then systemctl restart flanneld.service && rm -f ${changed};
        else rm -f ${changed}; echo 'flanneld.service is not running here: not restarted'; fi;
      fi;
    else echo ${`no ${file} here: flannel is not used on this host`}; fi`;
}

/** Entries of a list printed one a line (quotes dropped). */
export function parseUrlList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}

/** The list has one of `want` (when given) and none of `gone`. */
export function urlListVerdict(urls: string[], want: string[], gone: string[], what: string): true | string {
  if (urls.length === 0) return `${what} is empty or could not be read`;
  if (want.length && !urls.some((u) => want.includes(u))) return `${what} has none of ${want.join(', ')}: ${urls.join(', ')}`;
  const left = urls.filter((u) => gone.includes(u));
  return left.length === 0 || `${what} still has ${left.join(', ')}`;
}

// ---- what the operator still does ---------------------------------------------------------------

export function remainingWork(ctx: StepContext): string[] {
  const h = newHost(ctx);
  const after = currentMembers(ctx).length + 1;
  const lines = [
    `${h.name} is an etcd member (${newPeerUrl(ctx)}). Still to do by hand:`,
    `- the Ansible inventory: move ${h.name} from [new_etcd] to [etcd] (so that playbooks and this console know it as a member)`,
    `- ${caHost(ctx).name} keeps the new member's certificates in ${prefixDir(ctx)} and ${archivePath(ctx)}`,
  ];
  const w = additionWarning(after - 1);
  if (w) lines.push(`- ${w}`);
  return lines;
}

// ---- the steps ----------------------------------------------------------------------------------

export interface AddStepsOptions {
  /** Edit the clients (master-config.yaml + API restart, flanneld). etcd-replace does it after the removal. */
  clients: boolean;
}

const onCa: Placement = {
  on: 'hosts',
  describe: 'the etcd member that holds the CA (`ca-host`)',
  mode: 'serial',
  hosts: (ctx) => [caHost(ctx)],
};
const onNew: Placement = { on: 'param', param: 'host' };

/** How etcd runs on the new host: as a master already does there, else the RPM's etcd.service. */
const newRuntime = (ctx: StepContext): Runtime => joiningEtcdRuntime(ctx, newHost(ctx));

const listed = (o: CommandOutput[]) => parseV2MemberList(text(o[1] ?? lastOf([])));
/** Is the new host a member already (an earlier attempt)? A plan assumes not. */
const newState = capture(
  'new-state',
  (o, ctx) => memberState(listed(o), newHost(ctx).name, newPeerUrl(ctx)),
  (): NewMemberState => 'absent',
);
/** The members before the addition (the new host not counted). */
export const membersBeforeAdd = capture(
  'members-before',
  (o, ctx) => membersBefore(text(o[1] ?? lastOf([])), newPeerUrl(ctx)),
  (ctx) => currentMembers(ctx).length,
);

/** Skips a step that changes nothing for a host that is already a started member. */
function skipIfMember(ctx: StepContext): string | undefined {
  return newState.maybe(ctx) === 'started'
    ? `${newHost(ctx).name} is already a started member of the cluster (${newPeerUrl(ctx)})`
    : undefined;
}
function skipIfMemberOr(ctx: StepContext, also: () => string | undefined): string | undefined {
  return skipIfMember(ctx) ?? also();
}

const listAndHealth = (ctx: StepContext): ShellCommand =>
  sh`${etcdctl.memberListV2(currentEndpoints(ctx))}; echo '--- health'; ${etcdctl.clusterHealth(currentEndpoints(ctx))}`;
const preflightCheck = (describe: string): CommandCheck => ({
  describe,
  command: listAndHealth,
  ok: (out, ctx) => preflightVerdict(text(out), newHost(ctx).name, newPeerUrl(ctx)),
});

function addGateWhat(ctx: StepContext): string {
  const h = newHost(ctx);
  const w = additionWarning(membersBeforeAdd.of(ctx));
  return [
    `${h.name} (${newPeerUrl(ctx)}) is added to the etcd cluster; etcdctl runs on ${caHost(ctx).name}.`,
    ...additionArithmetic(membersBeforeAdd.of(ctx)),
    ...(w ? [w] : []),
  ].join(' ');
}

/** The current member that advertises a localhost peer URL ('' when none); a plan reads the CA host, the guide's "first member". */
const localhostMemberName = capture(
  'localhost-member',
  (o, ctx) => localhostMember(listed(o), currentMembers(ctx)),
  (ctx) => caHost(ctx).name,
);

/** Where the localhost peer URL fix runs: the member that needs it (planned on the CA host). */
const onLocalhostMember: Placement = {
  on: 'hosts',
  describe: 'the current member that advertises a localhost peer URL (the guide: the first member)',
  mode: 'serial',
  hosts: (ctx) => {
    const name = localhostMemberName.of(ctx);
    const h = currentMembers(ctx).find((x) => x.name === name);
    if (!h) throw new Error(`no current member is named ${JSON.stringify(name)}`);
    return [h];
  },
};

function peerUrlSteps(): Step[] {
  return peerUrlFixSteps(onLocalhostMember).map((s) => ({
    ...s,
    title: `${s.title} — only when a member advertises a localhost peer URL`,
    section: '5.4.4.2',
    skipIf: (ctx: StepContext) => {
      const own = skipIfMemberOr(ctx, () => (localhostMemberName.of(ctx) === '' ? 'no member advertises a localhost peer URL' : undefined));
      return own ?? s.skipIf?.(ctx);
    },
  }));
}

/** The steps of 5.4.4.2 for the host of parameter `host`; etcd-replace reuses them (clients: false). */
export function addMemberSteps(options: AddStepsOptions): Step[] {
  const steps: Step[] = [
    {
      id: 'preflight',
      guard: true,
      title: 'Check the cluster first: member list and cluster-health through the current members; the CA files on the CA host',
      section: '5.4.4',
      where: onCa,
      allowFailure: true,
      precondition: {
        describe: `${OPENSSL_CNF}, the CA certificate and key, etcd.conf and the peer certificates are on the CA host`,
        command: () => {
          const files = [
            OPENSSL_CNF,
            `${CA_DIR}/ca.crt`,
            `${CA_DIR}/ca.key`,
            ETCD_CONF,
            '/etc/etcd/ca.crt',
            '/etc/etcd/peer.crt',
            '/etc/etcd/peer.key',
          ];
          return sh`for f
            in ${files}; do test -s "$f" || echo "missing: $f"; done`;
        },
        ok: (out, ctx) => {
          const missing = out.stdout
            .split('\n')
            .filter((l) => l.startsWith('missing: '))
            .map((l) => l.slice(9));
          return (
            missing.length === 0 || `${caHost(ctx).name} lacks ${missing.join(', ')}: name the member that holds the etcd CA with ca-host=`
          );
        },
      },
      commands: (ctx) => [
        etcdctl.clusterHealth(currentEndpoints(ctx)),
        etcdctl.memberListV2(currentEndpoints(ctx)),
        etcdctl.endpointHealth(currentEndpoints(ctx)),
      ],
      capture: captures(newState, membersBeforeAdd, localhostMemberName),
      verify: preflightCheck('every current member is healthy and the new host is not a member under another name or URL'),
    },
    {
      id: 'quorum',
      guard: true,
      title: 'Show the quorum arithmetic of the addition (a warning when the count becomes even)',
      section: '5.4.4',
      where: onCa,
      commands: (ctx) => {
        const state = newState.of(ctx);
        const w = additionWarning(membersBeforeAdd.of(ctx));
        const lines = [
          `adding ${newHost(ctx).name} (${newPeerUrl(ctx)}, client ${newClientUrl(ctx)}); certificates and etcdctl on ${caHost(ctx).name}`,
          ...(state === 'started'
            ? [`${newHost(ctx).name} is already a started member: nothing to add`]
            : state === 'unstarted'
              ? [`${newHost(ctx).name} was added by an earlier attempt and has not started yet: the run goes on from there`]
              : []),
          ...additionArithmetic(membersBeforeAdd.of(ctx)),
          ...(w ? [w] : []),
        ];
        return [sh`printf '%s\\n' ${lines}`];
      },
    },
    {
      id: 'survey',
      title: 'Look at the new host: etcd and iptables-services installed? the firewall rules? etcd running?',
      section: '5.4.4.2',
      where: onNew,
      allowFailure: true,
      commands: (ctx) => [
        literal('rpm -q etcd || true'),
        literal('iptables -S 2>&1 || true'),
        sh`grep -E ${`^(:${FIREWALL_CHAIN}|-A (INPUT|${FIREWALL_CHAIN}) )`} ${IPTABLES_SAVED} || true`,
        sh`echo "etcd: $(${runningCommand(newRuntime(ctx))})"`,
      ],
      capture: {
        'etcd-rpm': (o) => {
          const v = parseRpmQuery(o[0]?.stdout ?? '', 'etcd');
          return v ? `${v.version}-${v.release}` : '';
        },
        firewall: (o) => {
          const missing = firewallMissing(o[1]?.stdout ?? '', o[2]?.stdout ?? '');
          return missing.length === 0 ? 'complete' : `missing: ${missing.join(', ')}`;
        },
      },
    },
    {
      id: 'firewall',
      title:
        'Open 2379/2380 on the new host: the OS_FIREWALL_ALLOW chain and rules (only what is missing); iptables-save | ' +
        'tee /etc/sysconfig/iptables',
      section: '5.4.4.2',
      where: onNew,
      skipIf: (ctx) =>
        skipIfMemberOr(ctx, () =>
          ctx.captured.get('firewall') === 'complete'
            ? `the ${FIREWALL_CHAIN} rules for 2379 and 2380 are there, live and saved`
            : undefined,
        ),
      commands: (ctx) => firewallCommands(`${IPTABLES_SAVED}.bak-${stamp(ctx)}`),
      verify: {
        describe: `the ${FIREWALL_CHAIN} chain, its INPUT jump and the 2379/2380 rules, live and saved`,
        command: () =>
          sh`iptables -S; echo '--- saved'; grep -E ${`^(:${FIREWALL_CHAIN}|-A (INPUT|${FIREWALL_CHAIN}) )`} ${IPTABLES_SAVED} || true`,
        ok: (out) => {
          const [live, saved = ''] = out.stdout.split(/^--- saved$/m);
          const missing = firewallMissing(live ?? '', saved);
          return missing.length === 0 || `missing: ${missing.join(', ')}`;
        },
      },
    },
    {
      id: 'install-etcd',
      title: `Install etcd on the new host (rpm -q etcd || yum install -y etcd), etcd-${MIN_ETCD.version}-${MIN_ETCD.release} or later`,
      section: '5.4.4.2',
      where: onNew,
      skipIf: (ctx) =>
        skipIfMemberOr(ctx, () => {
          const [version = '', release = ''] = ctx.captured.get('etcd-rpm').split(/-(?=[^-]*$)/);
          return version && rpmAtLeast({ version, release }, MIN_ETCD) ? `etcd-${ctx.captured.get('etcd-rpm')} is installed` : undefined;
        }),
      commands: () => [literal('rpm -q etcd || yum install -y etcd'), literal('rpm -q etcd')],
      timeoutMs: 10 * 60_000,
      verify: {
        describe: `etcd-${MIN_ETCD.version}-${MIN_ETCD.release} or later is installed, with its unit`,
        command: () => sh`rpm -q etcd && test -f ${UNIT_FILE}`,
        ok: (out) => {
          const v = parseRpmQuery(out.stdout, 'etcd');
          if (!v) return 'etcd is not installed';
          if (!rpmAtLeast(v, MIN_ETCD))
            return `etcd-${v.version}-${v.release} is older than ${MIN_ETCD.version}-${MIN_ETCD.release}: yum update etcd`;
          return out.exitCode === 0 || `${UNIT_FILE} is missing`;
        },
      },
    },
    {
      id: 'reset-new-host',
      title:
        'Stop etcd for good on the new host (systemctl disable etcd --now, or a static pod’s manifest moved to ' +
        'pods-stopped/); move /etc/etcd’s contents and the data in /var/lib/etcd aside (never deleted)',
      section: '5.4.4.2',
      where: onNew,
      skipIf: skipIfMember,
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) =>
          `On ${newHost(ctx).name}: etcd is stopped and does not start again until the new member starts, the contents ` +
          `of /etc/etcd move to ${configAside(ctx)} and the data in ${DATA_DIR} to ${dataAside(ctx)}, leaving both ` +
          `empty for the new member.`,
        protectedBy: (ctx) => `nothing is deleted: ${configAside(ctx)} and ${dataAside(ctx)} on ${newHost(ctx).name}`,
      },
      commands: (ctx) => [
        disableCommand(newRuntime(ctx)),
        until(etcdGonePredicate(newRuntime(ctx), newIp(ctx)), { withinMs: 90_000, what: `etcd on ${newHost(ctx).name} did not stop` }),
        moveContentsAsideCommand('/etc/etcd', configAside(ctx)),
        moveAsideCommand(dataAside(ctx)),
      ],
      timeoutMs: 3 * 60_000,
      verify: {
        describe: 'etcd is stopped, /etc/etcd and /var/lib/etcd are empty',
        command: (ctx) =>
          sh`echo "active: $(${runningCommand(newRuntime(ctx))})"; echo "etc: $(ls -A /etc/etcd | wc -l)";
            echo "data: $(ls -A ${DATA_DIR} | wc -l)"`,
        ok: (out) => resetVerdict(out.stdout),
      },
    },
    {
      id: 'certs',
      title:
        'Make the server and peer certificates, signed by the etcd CA (openssl req -reqexts etcd_v3_req; openssl ca ' +
        '-name etcd_ca -extensions etcd_v3_ca_server / _peer)',
      section: '5.4.4.2',
      where: onCa,
      skipIf: skipIfMember,
      commands: (ctx) => [
        prefixCommand(prefixDir(ctx), `${prefixDir(ctx).replace(/\/+$/, '')}.old-${stamp(ctx)}`),
        ...certPairCommands('server', prefixDir(ctx), cn(ctx), sanOf(ctx)),
        ...certPairCommands('peer', prefixDir(ctx), cn(ctx), sanOf(ctx)),
      ],
      verify: {
        describe: 'both certificates verify against the etcd CA, with CN=<host> and the IP in their SAN',
        command: (ctx) => {
          const p = prefixDir(ctx);
          return sh`openssl verify -CAfile ${`${CA_DIR}/ca.crt`} ${`${p}server.crt`} ${`${p}peer.crt`} && openssl x509
            -in ${`${p}server.crt`} -noout -text && openssl x509 -in ${`${p}peer.crt`} -noout -text`;
        },
        ok: (out, ctx) => certVerdict(out, newIp(ctx), cn(ctx)),
      },
    },
    {
      id: 'copy-conf',
      title:
        'Copy the current etcd.conf and ca.crt into PREFIX as the new member’s sample (cp /etc/etcd/etcd.conf /etc/etcd/ca.crt ${PREFIX})',
      section: '5.4.4.2',
      where: onCa,
      skipIf: skipIfMember,
      commands: (ctx) => [sh`cp ${ETCD_CONF} ${prefixDir(ctx)}`, sh`cp /etc/etcd/ca.crt ${prefixDir(ctx)}`],
      verify: {
        describe: 'etcd.conf and ca.crt are in PREFIX',
        command: (ctx) => sh`test -s ${`${prefixDir(ctx)}etcd.conf`} && cmp /etc/etcd/ca.crt ${`${prefixDir(ctx)}ca.crt`}`,
        ok: (out) => out.exitCode === 0 || 'etcd.conf or ca.crt is missing from PREFIX',
      },
    },
    {
      id: 'archive',
      title:
        'Pack the certificates, ca.crt and etcd.conf (tar -czvf /etc/etcd/generated_certs/<CN>.tgz -C ${PREFIX} .) and ' +
        'fetch it to the bastion over SFTP',
      section: '5.4.4.2',
      where: onCa,
      skipIf: skipIfMember,
      commands: (ctx) => [
        sh`tar -czvf ${archivePath(ctx)} -C ${prefixDir(ctx)} .`,
        sh`umask 077 && cp ${archivePath(ctx)} ${caHostCopy(ctx)} && if test -n "$SUDO_USER";
          then chown "$SUDO_USER" ${caHostCopy(ctx)}; fi`,
        sh`sha256sum ${archivePath(ctx)}`,
      ],
      capture: { 'archive-sha256': (o) => parseSha256(lastOf(o).stdout) },
      downloads: (ctx) => [{ remote: caHostCopy(ctx), local: bastionCopy(ctx) }],
      verify: {
        describe: 'the archive holds the certificates, ca.crt and etcd.conf',
        command: (ctx) => sh`tar -tzf ${archivePath(ctx)}`,
        ok: (out) => (out.exitCode === 0 ? archiveVerdict(out.stdout) : 'tar cannot read the archive'),
      },
    },
    {
      id: 'transfer',
      title: 'Copy the archive to the new host’s /tmp over SFTP (the guide’s scp) and check its sha256',
      section: '5.4.4.2',
      where: onNew,
      skipIf: skipIfMember,
      commands: (ctx) => [argv('rm', '-f', remoteArchive(ctx))],
      uploads: (ctx) => [{ local: bastionCopy(ctx), remote: remoteArchive(ctx) }],
      verify: {
        describe: 'the archive on the new host has the sha256 of the one made on the CA host',
        command: (ctx) => argv('sha256sum', remoteArchive(ctx)),
        ok: (out, ctx) => {
          if (out.exitCode !== 0) return `${remoteArchive(ctx)} is missing on the new host`;
          return (
            parseSha256(out.stdout) === ctx.captured.get('archive-sha256') ||
            `${remoteArchive(ctx)} differs from the archive made on ${caHost(ctx).name}`
          );
        },
      },
    },
    {
      id: 'bastion-copy-removed',
      title: 'Remove the bastion’s copy of the archive (it holds private keys)',
      section: '5.4.4.2',
      where: { on: 'bastion' },
      skipIf: skipIfMember,
      commands: (ctx) => [sh`rm -f ${bastionCopy(ctx)} && rmdir ${bastionCopy(ctx).replace(/\/[^/]*$/, '')} 2> /dev/null; true`],
    },
    {
      id: 'unpack',
      title:
        'Unpack the certificates and the sample etcd.conf into /etc/etcd (tar xzvf /tmp/<CN>.tgz -C /etc/etcd/); chown ' +
        '-R etcd:etcd /etc/etcd /var/lib/etcd',
      section: '5.4.4.2',
      where: onNew,
      skipIf: skipIfMember,
      commands: (ctx) => [
        sh`tar xzvf ${remoteArchive(ctx)} -C /etc/etcd/`,
        sh`chmod 0600 /etc/etcd/server.key /etc/etcd/peer.key`,
        sh`chown -R etcd:etcd /etc/etcd/ ${DATA_DIR}/`,
      ],
      verify: {
        describe: 'etcd.conf and the certificates are there, owned by etcd',
        command: () =>
          sh`stat -c '%U %n' ${ETCD_CONF} /etc/etcd/server.crt /etc/etcd/server.key /etc/etcd/peer.crt /etc/etcd/peer.key /etc/etcd/ca.crt`,
        ok: (out) => {
          if (out.exitCode !== 0) return 'etcd.conf or a certificate is missing in /etc/etcd';
          const notEtcd = out.stdout.split('\n').filter((l) => /^\S+ \/etc\/etcd\//.test(l) && !l.startsWith('etcd '));
          return notEtcd.length === 0 || `not owned by etcd: ${notEtcd.join('; ')}`;
        },
      },
    },
    ...peerUrlSteps(),
    {
      id: 'member-add',
      title:
        'Add the member: etcdctl2 member add <name> https://<ip>:2380 through the current members (retried while etcd ' +
        'refuses right after a change)',
      section: '5.4.4.2',
      where: onCa,
      skipIf: skipIfMember,
      gate: {
        kind: 'confirm',
        what: addGateWhat,
        protectedBy: () => 'an etcd backup (etcd-backup, the guide’s prerequisite); the member can be removed again (etcd-remove-member)',
      },
      precondition: preflightCheck('every current member is healthy (checked again just before)'),
      commands: (ctx) => [memberAddCommand(currentEndpoints(ctx), cn(ctx), newPeerUrl(ctx)), memberListNoLeader(currentEndpoints(ctx))],
      capture: {
        'initial-cluster': (o, ctx) => initialCluster(o[0]?.stdout ?? '', text(lastOf(o)), cn(ctx), newPeerUrl(ctx)),
      },
      timeoutMs: 2 * 60_000,
      verify: {
        describe: 'the member list has the new peer URL (v3 list: a cluster of one started member has no leader until it joins)',
        command: (ctx) => memberListNoLeader(currentEndpoints(ctx)),
        ok: (out, ctx) => addedVerdict(out, newPeerUrl(ctx)),
      },
    },
    {
      id: 'new-conf',
      title:
        'Write the printed ETCD_NAME, ETCD_INITIAL_CLUSTER, ETCD_INITIAL_CLUSTER_STATE=existing and the new IP’s ' +
        'LISTEN/ADVERTISE URLs into the new host’s /etc/etcd/etcd.conf',
      section: '5.4.4.2',
      where: onNew,
      skipIf: skipIfMember,
      commands: (ctx) => newConfCommands(ETCD_CONF, newConfSettings(cn(ctx), newIp(ctx), ctx.captured.get('initial-cluster'))),
      verify: {
        describe: 'etcd.conf has every value, and the CA host’s address only in ETCD_INITIAL_CLUSTER',
        command: () => sh`cat ${ETCD_CONF}`,
        ok: (out, ctx) =>
          newConfVerdict(out.stdout, newConfSettings(cn(ctx), newIp(ctx), ctx.captured.get('initial-cluster')), etcdAddress(caHost(ctx))),
      },
    },
    {
      id: 'start',
      title:
        'Start etcd on the new host (systemctl enable etcd --now, or its static pod’s manifest moved back to ' +
        '/etc/origin/node/pods/) and wait until it is healthy',
      section: '5.4.4.2',
      where: onNew,
      skipIf: skipIfMember,
      commands: (ctx) => [
        enableCommand(newRuntime(ctx)),
        until(etcdctl3([newClientUrl(ctx)], ['endpoint', 'health']), {
          withinMs: startWithinSeconds(newRuntime(ctx)) * 1000,
          what: `${cn(ctx)} did not become healthy`,
        }),
        until(sh`${etcdctl.clusterHealth(allEndpoints(ctx))} | grep -q '^cluster is healthy'`, {
          withinMs: 60_000,
          what: 'the cluster did not report healthy',
        }),
      ],
      timeoutMs: 8 * 60_000,
      verify: {
        describe: 'the new member is started under its name and answers endpoint health',
        command: (ctx) => sh`${etcdctl.memberListV2(allEndpoints(ctx))} && ${etcdctl3([newClientUrl(ctx)], ['endpoint', 'health'])}`,
        ok: (out, ctx) => {
          const m = parseV2MemberList(text(out)).find((x) => x.peerURLs.includes(newPeerUrl(ctx)));
          if (!m) return `${newPeerUrl(ctx)} is not in the member list`;
          if (!m.started || m.name !== cn(ctx)) return `member ${m.id} is ${m.started ? `named ${m.name}` : 'not started'}`;
          return out.exitCode === 0 || `${cn(ctx)} is not healthy`;
        },
      },
    },
    {
      id: 'verify-health',
      title: 'Check the health through every endpoint, the new one included (etcdctl2 cluster-health; etcdctl3 endpoint health)',
      section: '5.4.4.2',
      where: onCa,
      commands: (ctx) => [
        etcdctl.clusterHealth(allEndpoints(ctx)),
        etcdctl.endpointHealth(allEndpoints(ctx)),
        etcdctl.memberListV2(allEndpoints(ctx)),
      ],
      verify: {
        describe: 'every endpoint is healthy and the cluster has one member more',
        command: (ctx) => sh`${etcdctl.endpointHealth(allEndpoints(ctx))}; echo '--- list'; ${etcdctl.memberListV2(allEndpoints(ctx))}`,
        ok: (out, ctx) => {
          // etcdctl 3.4 prints endpoint health on stderr: health from both streams, the list from stdout after the mark
          const r = parseV3EndpointHealth(text(out));
          const listPart = out.stdout.split(/^--- list$/m)[1] ?? '';
          const bad = allEndpoints(ctx).filter((e) => !r.some((x) => x.endpoint === e && x.healthy));
          if (bad.length) return `not healthy: ${bad.join(', ')}`;
          const ms = parseV2MemberList(listPart);
          const unstarted = ms.filter((m) => !m.started);
          if (unstarted.length) return `unstarted members: ${unstarted.map((m) => m.id).join(', ')}`;
          const want = (membersBeforeAdd.maybe(ctx) ?? ms.length - 1) + 1;
          return ms.length === want || `${ms.length} members, expected ${want}`;
        },
      },
    },
  ];
  if (options.clients) steps.push(...clientSteps({ idPrefix: '', add: true, drop: () => [] }));
  steps.push({
    id: 'cleanup',
    title: 'Remove the transfer copies of the archive (/tmp on the new host and on the CA host; it holds private keys)',
    section: '5.4.4.2',
    where: { on: 'hosts', describe: 'the CA host and the new host', mode: 'serial', hosts: (ctx) => [caHost(ctx), newHost(ctx)] },
    commands: (ctx) => [argv('rm', '-f', ctx.host?.name === newHost(ctx).name ? remoteArchive(ctx) : caHostCopy(ctx))],
  });
  return steps;
}

/**
 * The clients of etcd: etcdClientInfo.urls of every master's master-config.yaml (a .bak copy first; the new
 * member's URL added, `drop` URLs removed), the API restarted where it changed; FLANNEL_ETCD_ENDPOINTS on
 * every host that has /etc/sysconfig/flanneld. etcd-replace uses it with `drop` (and restarts the masters
 * in its own later step: `restart: false`).
 */
export function clientSteps(o: { idPrefix: string; add: boolean; drop: (ctx: StepContext) => string[]; restart?: boolean }): Step[] {
  const restart = o.restart ?? true;
  const edit = (ctx: StepContext): UrlEdit => ({
    add: o.add ? newClientUrl(ctx) : '',
    addName: o.add ? nameClientUrl(newHost(ctx)) : '',
    same: o.add ? urlsOf(newHost(ctx), newIp(ctx)) : [],
    drop: o.drop(ctx),
  });
  const bak = (file: string, ctx: StepContext) => `${file}.bak-${stamp(ctx)}`;
  const masters: Placement = { on: 'role', role: 'master', mode: 'serial' };
  const steps: Step[] = [
    {
      id: `${o.idPrefix}master-config`,
      title:
        'Every master: the etcd URLs in etcdClientInfo.urls of /etc/origin/master/master-config.yaml (a .bak copy first; ' +
        'only the list changes)',
      section: '5.4.4.2',
      where: masters,
      gate: {
        kind: 'confirm',
        what: (ctx) => {
          const e = edit(ctx);
          const parts = [
            e.add ? `adds ${newHost(ctx).name}'s client URL (${e.add}, or by name in a list written by name)` : '',
            e.drop.length ? `drops ${e.drop.join(', ')}` : '',
          ].filter(Boolean);
          return `On every master (${hostsOfRole(ctx.inventory, 'master')
            .map((h) => h.name)
            .join(', ')}), etcdClientInfo.urls in ${MASTER_CONFIG} ${parts.join(' and ')}; ${
            restart ? 'the master API restarts ' + 'where the file changed, one master at a time' : 'the masters restart in a later step'
          }.`;
        },
        protectedBy: (ctx) => `${bak(MASTER_CONFIG, ctx)} on each master`,
      },
      commands: (ctx) => [
        sh`test -e ${bak(MASTER_CONFIG, ctx)} || cp -p ${MASTER_CONFIG} ${bak(MASTER_CONFIG, ctx)}`,
        masterConfigEditCommand(MASTER_CONFIG, edit(ctx), restart ? API_RESTART_PENDING : undefined),
        masterConfigUrlsCommand(MASTER_CONFIG),
      ],
      verify: {
        describe: 'etcdClientInfo.urls has the new member (and none of the dropped URLs)',
        command: () => masterConfigUrlsCommand(MASTER_CONFIG),
        ok: (out, ctx) => urlListVerdict(parseUrlList(out.stdout), edit(ctx).same, edit(ctx).drop, 'etcdClientInfo.urls'),
      },
    },
  ];
  if (restart) {
    steps.push({
      id: `${o.idPrefix}restart-api`,
      title:
        'Restart the master API where master-config.yaml changed (master-restart api), one master at a time: the next ' +
        'once this one’s /healthz says ok',
      section: '5.4.4.2',
      where: masters,
      commands: (ctx) => {
        const api = runtimeOf(ctx, ctx.host!, 'api');
        const url = apiHealthzUrl(ctx.inventory, ctx.host!);
        return [
          sh`if test -e ${API_RESTART_PENDING}; then ${restartCommand(api)} && rm -f ${API_RESTART_PENDING};
            else echo 'master-config.yaml did not change on this master: the API is not restarted'; fi`,
          until(apiHealthyPredicate(url), { withinMs: startWithinSeconds(api) * 1000, what: `${ctx.host!.name}: ${url} did not say ok` }),
        ];
      },
      timeoutMs: 8 * 60_000,
      verify: {
        describe: 'no API restart is pending',
        command: () => sh`test ! -e ${API_RESTART_PENDING}`,
        ok: (out) => out.exitCode === 0 || 'the API restart is still pending',
      },
    });
  }
  steps.push({
    id: `${o.idPrefix}flanneld`,
    title:
      'Every host with /etc/sysconfig/flanneld: the etcd URLs in FLANNEL_ETCD_ENDPOINTS (a .bak copy first), flanneld ' +
      'restarted where it runs',
    section: '5.4.4.2',
    where: { on: 'hosts', describe: 'every host of the inventory', mode: 'parallel', hosts: (ctx) => ctx.inventory.hosts },
    commands: (ctx) => [flannelEditCommand(FLANNELD, edit(ctx), bak(FLANNELD, ctx))],
  });
  return steps;
}

// ---- the procedure ------------------------------------------------------------------------------

/** The refusal when the new host's etcd could not be started the way its peers' is (a master with no etcd manifest). */
export function refuseJoining(ctx: StepContext): string | undefined {
  if (!ctx.facts) return undefined; // a plan without the hosts' facts: the run reads them and decides
  try {
    joiningEtcdRuntime(ctx, newHost(ctx));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export const etcdAddMember: Procedure = defineProcedure({
  id: 'etcd-add-member',
  title: 'Add an etcd member by hand',
  section: '5.4.4.2',
  guideLine: 1214,
  risk: 'high',
  summary: 'Issues certificates from the etcd CA, adds the member, installs and starts etcd on the new host and points the masters at it.',
  // the new member runs etcd as a master there already does (static pod or unit), else as the RPM's unit
  facts: [controlPlaneProbe],
  refuse: (ctx) => refuseJoining(ctx),
  parameters: [
    // any host of the inventory: usually one of [new_etcd], or a member removed earlier being added back (5.4.3)
    { ...textParam('host', 'Host to add: a [new_etcd] host, or a removed member coming back'), validate: validateNewHost },
    { ...textParam('ip', 'IP address of the new host; default: resolved on the host', false), validate: (v) => validateIp(v) },
    hostParam('ca-host', 'etcd', 'Member holding /etc/etcd/ca; default: the first etcd host', false),
  ],
  steps: [
    ...addMemberSteps({ clients: true }),
    {
      id: 'remaining-work',
      title: 'What the operator still does: the inventory’s [etcd] group',
      section: '5.4.4.2',
      where: { on: 'bastion' },
      commands: (ctx) => [sh`printf '%s\\n' ${remainingWork(ctx)}`],
    },
  ],
});

export default etcdAddMember;
