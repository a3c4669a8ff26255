// The files a DEMO host starts with, laid out as openshift-ansible 3.10 leaves them (the lab's
// test/lab/lab.sh writes the same files on its hosts): etcd's configuration, certificates and data on
// the etcd members, the static pods and master-config.yaml on the masters, node-config.yaml and
// docker's storage configuration on the nodes, and the few /proc files the checks read.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DemoCluster, type DemoHost, defaultServices, dockerStorageText, peerUrl, tcpConnect } from './cluster.js';
import { etcdCaPair, seedEtcdCa } from './etcd-ca.js';
import { writeUnder } from './host-roots.js';
import { demoNodeConfig } from './node-config-maps.js';
import { setOwner } from './owners.js';

const PEM = (what: string) => `-----BEGIN ${what}-----\nZGF5Mi10dWkgZGVtbyBjbHVzdGVyOiBub3QgYSByZWFsIGtleQ==\n-----END ${what}-----\n`;

export function etcdConf(c: DemoCluster, h: DemoHost): string {
  const initial = c.etcd.map((m) => `${m.name}=${peerUrl(m)}`).join(',');
  return [
    `ETCD_NAME=${h.name}`,
    `ETCD_LISTEN_PEER_URLS=https://${h.ip}:2380`,
    'ETCD_DATA_DIR=/var/lib/etcd/',
    `ETCD_LISTEN_CLIENT_URLS=https://${h.ip}:2379`,
    'ETCD_ENABLE_V2=true',
    '',
    '#[cluster]',
    `ETCD_INITIAL_ADVERTISE_PEER_URLS=https://${h.ip}:2380`,
    `ETCD_INITIAL_CLUSTER=${initial}`,
    'ETCD_INITIAL_CLUSTER_STATE=new',
    'ETCD_INITIAL_CLUSTER_TOKEN=etcd-cluster-1',
    `ETCD_ADVERTISE_CLIENT_URLS=https://${h.ip}:2379`,
    'ETCD_QUOTA_BACKEND_BYTES=4294967296',
    '',
    '#[security]',
    'ETCD_TRUSTED_CA_FILE=/etc/etcd/ca.crt',
    'ETCD_CLIENT_CERT_AUTH=true',
    'ETCD_CERT_FILE=/etc/etcd/server.crt',
    'ETCD_KEY_FILE=/etc/etcd/server.key',
    'ETCD_PEER_TRUSTED_CA_FILE=/etc/etcd/ca.crt',
    'ETCD_PEER_CLIENT_CERT_AUTH=true',
    'ETCD_PEER_CERT_FILE=/etc/etcd/peer.crt',
    'ETCD_PEER_KEY_FILE=/etc/etcd/peer.key',
    '',
  ].join('\n');
}

function staticPod(name: string, component: string, command: string): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    '  namespace: kube-system',
    '  labels:',
    '    openshift.io/control-plane: "true"',
    `    openshift.io/component: ${component}`,
    'spec:',
    '  restartPolicy: Always',
    '  hostNetwork: true',
    '  containers:',
    `  - name: ${component}`,
    '    image: registry.redhat.io/openshift3/ose-control-plane:v3.10',
    `    command: ["/bin/bash", "-c"]`,
    `    args: ["${command}"]`,
    '',
  ].join('\n');
}

/** The etcd RPM's /usr/lib/systemd/system/etcd.service (etcd 3.2 on RHEL 7). */
export const ETCD_UNIT = `[Unit]
Description=Etcd Server
After=network.target
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
WorkingDirectory=/var/lib/etcd/
EnvironmentFile=-/etc/etcd/etcd.conf
User=etcd
# set GOMAXPROCS to number of processors
ExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd --name=\\"\${ETCD_NAME}\\" --data-dir=\\"\${ETCD_DATA_DIR}\\" --listen-client-urls=\\"\${ETCD_LISTEN_CLIENT_URLS}\\""
Restart=on-failure
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;

function seedEtcd(c: DemoCluster, h: DemoHost, root: string): void {
  writeUnder(root, '/etc/etcd/etcd.conf', etcdConf(c, h));
  writeUnder(root, '/etc/etcd/ca.crt', etcdCaPair()?.crt ?? PEM('CERTIFICATE'));
  if (c.etcd[0] === h) seedEtcdCa(root);
  for (const f of ['peer', 'server']) {
    writeUnder(root, `/etc/etcd/${f}.crt`, PEM('CERTIFICATE'));
    writeUnder(root, `/etc/etcd/${f}.key`, PEM('RSA PRIVATE KEY'), 0o600);
  }
  // an etcd host of its own runs the RPM's unit (the external-etcd scenario); a 3.10 master runs the static pod
  if (h.kind !== 'master') writeUnder(root, '/usr/lib/systemd/system/etcd.service', ETCD_UNIT);
  writeUnder(root, '/var/lib/etcd/member/snap/db', `demo etcd database of ${h.name}\n`, 0o600);
  writeUnder(root, '/var/lib/etcd/member/wal/0000000000000000-0000000000000000.wal', `demo etcd WAL of ${h.name}\n`, 0o600);
  setOwner(root, '/var/lib/etcd', 'etcd:etcd', true);
}

function seedMaster(c: DemoCluster, h: DemoHost, root: string): void {
  const pods = '/etc/origin/node/pods';
  // the etcd members the API talks to, as openshift-ansible writes them (host names)
  const etcdUrls = c.etcd.map((m) => `  - https://${m.name}:2379\n`).join('');
  writeUnder(root, `${pods}/apiserver.yaml`, staticPod('master-api', 'api', 'exec openshift start master api'));
  writeUnder(root, `${pods}/controller.yaml`, staticPod('master-controllers', 'controllers', 'exec openshift start master controllers'));
  if (h.etcdId) writeUnder(root, `${pods}/etcd.yaml`, staticPod('master-etcd', 'etcd', 'source /etc/etcd/etcd.conf && exec etcd'));
  writeUnder(
    root,
    '/etc/origin/master/master-config.yaml',
    `apiVersion: v1\nkind: MasterConfig\netcdClientInfo:\n  ca: master.etcd-ca.crt\n  certFile: master.etcd-client.crt\n` +
      `  keyFile: master.etcd-client.key\n  urls:\n${etcdUrls}masterPublicURL: https://console.demo.example.com:8443\n`,
  );
  // only the first master has the CA's serial file (the guide's warning in 4.1)
  if (h.index === 0) writeUnder(root, '/etc/origin/master/ca.serial.txt', '0B\n');
  for (const [unit, listen] of [
    ['api', '--listen=https://0.0.0.0:8443 --master=https://console-int.demo.example.com:8443'],
    ['controllers', '--listen=https://0.0.0.0:8444'],
  ]) {
    const sysconfig = `OPTIONS=--loglevel=2 ${listen}\nCONFIG_FILE=/etc/origin/master/master-config.yaml\n`;
    writeUnder(root, `/etc/sysconfig/atomic-openshift-master-${unit}`, sysconfig);
  }
  for (const f of ['ca.crt', 'ca.key', 'master.etcd-ca.crt', 'master.etcd-client.crt', 'master.etcd-client.key', 'admin.kubeconfig']) {
    writeUnder(root, `/etc/origin/master/${f}`, f.endsWith('.key') ? PEM('RSA PRIVATE KEY') : PEM('CERTIFICATE'));
  }
}

function seedNode(c: DemoCluster, h: DemoHost, root: string): void {
  writeUnder(root, '/etc/origin/node/node-config.yaml', demoNodeConfig(c, h));
  writeUnder(root, '/etc/origin/node/client-ca.crt', PEM('CERTIFICATE'));
  writeUnder(root, '/etc/sysconfig/atomic-openshift-node', 'OPTIONS=\nDEBUG_LOGLEVEL=2\nIMAGE_VERSION=v3.10.45\n');
  writeUnder(root, '/etc/sysconfig/docker', "# /etc/sysconfig/docker\nOPTIONS=' --selinux-enabled --signature-verification=False'\n");
  writeUnder(root, '/etc/sysconfig/docker-network', 'DOCKER_NETWORK_OPTIONS=" --mtu=8951"\n');
  const driver = h.dockerDriver === 'devicemapper' ? 'devicemapper' : 'overlay2';
  // as docker-storage.ts's disks have it: docker-vg on /dev/xvdb, a thin pool or a root LV on /var/lib/docker
  const rootLv =
    driver === 'overlay2' && h.kind !== 'master'
      ? 'CONTAINER_ROOT_LV_NAME=docker-root-lv\nCONTAINER_ROOT_LV_MOUNT_PATH=/var/lib/docker\nCONTAINER_ROOT_LV_SIZE=100%FREE\n'
      : '';
  writeUnder(root, '/etc/sysconfig/docker-storage-setup', `STORAGE_DRIVER=${driver}\nDEVS=/dev/xvdb\nVG=docker-vg\n${rootLv}`);
  // docker's own directory: what 7.1.3 wipes
  writeUnder(root, `/var/lib/docker/${driver === 'devicemapper' ? 'devicemapper/metadata/base' : 'overlay2/l/.keep'}`, '');
  writeUnder(root, `/var/lib/docker/image/${driver}/repositories.json`, '{"Repositories":{}}\n');
  writeUnder(root, '/etc/dnsmasq.conf', 'conf-dir=/etc/dnsmasq.d\n');
  writeUnder(root, '/etc/dnsmasq.d/origin-dns.conf', `no-resolv\ndomain-needed\nserver=/cluster.local/${h.ip}\n`);
  writeUnder(
    root,
    '/etc/cni/net.d/80-openshift-network.conf',
    '{"cniVersion": "0.2.0", "name": "openshift-sdn", "type": "openshift-sdn"}\n',
  );
  writeUnder(root, '/etc/pki/ca-trust/source/anchors/openshift-ca.crt', PEM('CERTIFICATE'));
}

function iptables(h: DemoHost): string {
  const allow = (proto: string, port: number) =>
    `-A OS_FIREWALL_ALLOW -p ${proto} -m state --state NEW -m ${proto} --dport ${port} -j ACCEPT`;
  const rules = ['*filter', ':INPUT ACCEPT [0:0]', ':OS_FIREWALL_ALLOW - [0:0]', '-A INPUT -j OS_FIREWALL_ALLOW', allow('tcp', 22)];
  if (h.kind !== 'lb' && h.kind !== 'other') rules.push(allow('tcp', 10250), allow('udp', 4789));
  if (h.kind === 'master') rules.push(allow('tcp', 8443), allow('tcp', 8053));
  if (h.etcdId) rules.push(allow('tcp', 2379), allow('tcp', 2380));
  return `# Generated by iptables-save v1.4.21\n${rules.join('\n')}\nCOMMIT\n`;
}

/**
 * The load balancer's /etc/haproxy/haproxy.cfg as openshift-ansible's lb role writes it (the lab's, test/lab/lab.sh),
 * with the guide's backend names: the masters behind 8443 (mgmt8443), the infra nodes behind 80 and 443.
 */
export function haproxyCfg(c: DemoCluster): string {
  const servers = (kind: string, port: number) =>
    c.hosts.filter((x) => x.kind === kind).map((x) => `    server      ${x.name} ${x.ip}:${port} check`);
  const router = (port: number) => [
    '',
    `frontend  router${port}`,
    `    bind *:${port}`,
    `    default_backend router${port}`,
    '    mode tcp',
    '    option tcplog',
    '',
    `backend router${port}`,
    '    balance source',
    '    mode tcp',
    ...servers('infra', port),
  ];
  return [
    '# Global settings',
    '#---------------------------------------------------------------------',
    'global',
    '    maxconn     20000',
    '    log         /dev/log local0 info',
    '    chroot      /var/lib/haproxy',
    '    pidfile     /var/run/haproxy.pid',
    '    user        haproxy',
    '    group       haproxy',
    '    daemon',
    '',
    '    # turn on stats unix socket',
    '    stats socket /var/lib/haproxy/stats',
    '',
    '#---------------------------------------------------------------------',
    "# common defaults that all the 'listen' and 'backend' sections will",
    '# use if not designated in their block',
    '#---------------------------------------------------------------------',
    'defaults',
    '    mode                    http',
    '    log                     global',
    '    option                  httplog',
    '    option                  dontlognull',
    '    option forwardfor       except 127.0.0.0/8',
    '    option                  redispatch',
    '    retries                 3',
    '    timeout http-request    10s',
    '    timeout queue           1m',
    '    timeout connect         10s',
    '    timeout client          300s',
    '    timeout server          300s',
    '    timeout http-keep-alive 10s',
    '    timeout check           10s',
    '    maxconn                 20000',
    '',
    'listen stats',
    '    bind :9000',
    '    mode http',
    '    stats enable',
    '    stats uri /',
    '',
    'frontend  atomic-openshift-api',
    '    bind *:8443',
    '    default_backend mgmt8443',
    '    mode tcp',
    '    option tcplog',
    '',
    'backend mgmt8443',
    '    balance source',
    '    mode tcp',
    '    # MASTERS 8443',
    ...servers('master', 8443),
    ...(c.hosts.some((x) => x.kind === 'infra') ? [...router(80), ...router(443)] : []),
    '',
  ].join('\n');
}

/** Writes the host's files under `root` (undefined = the bastion). */
export function seedHostFiles(c: DemoCluster, h: DemoHost | undefined, root: string): void {
  writeUnder(root, '/etc/redhat-release', 'Red Hat Enterprise Linux Server release 7.5 (Maipo)\n');
  writeUnder(root, '/proc/uptime', '3540127.42 6925031.13\n');
  // the session leader's start tick is field 22 of /proc/self/stat (the ntp check's clock sample)
  writeUnder(root, '/proc/self/stat', `${['1', '(bash)', 'S', ...Array(18).fill('0'), '354012742'].join(' ')}\n`);
  if (!h) return;
  writeUnder(root, '/proc/sys/kernel/random/entropy_avail', `${h.entropy}\n`);
  if (h.dockerDriver !== 'none') writeUnder(root, '/etc/sysconfig/docker-storage', `${dockerStorageText(h)}\n`);
  writeUnder(root, '/etc/sysconfig/iptables', iptables(h));
  if (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute') seedNode(c, h, root);
  if (h.kind === 'lb') writeUnder(root, '/etc/haproxy/haproxy.cfg', haproxyCfg(c));
  if (h.etcdId) seedEtcd(c, h, root);
  if (h.kind === 'master') seedMaster(c, h, root);
}

/** Where a demo host's `/dev/tcp/ADDRESS/PORT` points (under its root): one file per connection that would succeed. */
export const DEMO_NET = '/.demo-net/';

/**
 * bash's `/dev/tcp/HOST/PORT` would open a real connection, so a script's `/dev/tcp/` is moved to
 * DEMO_NET, where `reachableFrom` keeps one file for each address and port the host could connect to:
 * the redirection succeeds there, and fails ("No such file or directory") where the host could not
 * connect. The address may be a variable, as in the kubelet-port check's loop.
 */
export function demoTcp(script: string): string {
  return script.replace(/\/dev\/(?:tcp|udp)\//g, DEMO_NET);
}

// Every port the checks and procedures connect to. A redirection `<>` creates a file that is not there,
// so a closed port is a directory (which `<>` cannot open): a port outside this list would seem open.
const KNOWN_PORTS = [22, 53, 80, 443, 1936, 2379, 2380, 4789, 5000, 6443, 8053, 8080, 8443, 8444, 9000, 10250, 10256];

/** Writes DEMO_NET under the host's root as the simulated network stands now (rewritten only when that changed). */
export function reachableFrom(c: DemoCluster, from: DemoHost | undefined, root: string): void {
  const addresses = c.hosts.flatMap((h) => [h.ip, h.name, h.short]);
  addresses.push(...defaultServices(c).map((s) => s.clusterIP), '127.0.0.1', 'localhost');
  const open = addresses.flatMap((a) => KNOWN_PORTS.filter((p) => tcpConnect(c, from, a, p).ok).map((p) => `${a}/${p}`));
  const stamp = join(root, DEMO_NET, '.open');
  const now = open.join('\n');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === now) return;
  // built aside and renamed into place: a script of another run on this host never sees it half made
  const next = mkdtempSync(join(root, '.demo-net-'));
  for (const a of addresses) for (const p of KNOWN_PORTS) mkdirSync(join(next, a, String(p)), { recursive: true });
  for (const ap of open) {
    rmdirSync(join(next, ap));
    writeFileSync(join(next, ap), '');
  }
  writeFileSync(join(next, '.open'), now);
  const old = `${next}.old`;
  if (existsSync(join(root, DEMO_NET))) renameSync(join(root, DEMO_NET), old);
  renameSync(next, join(root, DEMO_NET));
  rmSync(old, { recursive: true, force: true });
}
