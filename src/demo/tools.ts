// The programs a DEMO host has: the machine's own coreutils, grep, sed, awk… (they act on the host's
// directory, see host-roots.ts), and the cluster's tools — etcdctl, oc, systemctl, docker, rpm… — as
// small shims that ask the simulated cluster (tool-server.ts) over a Unix socket. Nothing else is on
// the PATH: a program the demo does not know is "command not found", and nothing can reach the network.
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Real programs, used as they are (none of them opens a network connection). */
export const REAL_TOOLS: readonly string[] = (
  'awk base64 basename cat chmod cmp comm cp cut date diff dirname du env expr false find gawk getconf ' +
  'grep egrep fgrep gzip gunzip head install jq ln ls md5sum mkdir mktemp mv od openssl paste printf readlink ' +
  'realpath rm rmdir sed seq sha256sum sleep sort tac tail tee test timeout touch tr true uniq ' +
  'wc xargs zcat echo sync'
).split(' ');

/** Programs answered by the simulated cluster. */
export const CLUSTER_TOOLS: readonly string[] = (
  'chcon chown curl df dig docker etcdctl hostname id ip iptables iptables-save journalctl master-logs master-restart ' +
  'mountpoint oc pgrep restorecon rpm rsync ss stat systemctl timedatectl uname update-ca-trust whoami' +
  // disks and LVM (docker-storage.ts)
  ' docker-storage-setup findmnt haproxy lsblk lvextend lvremove lvs pvcreate pvremove pvs umount vgcreate vgextend vgremove vgs wipefs xfs_growfs'
).split(' ');

/** Variables of the command's environment a cluster tool reads (`ETCDCTL_API=3 etcdctl …`). */
export const TOOL_ENV = ['ETCDCTL_API', 'KUBECONFIG'] as const;

// The shim: sends its words, its directory, the variables above and its standard input; prints what
// comes back and exits with the code that comes back. CommonJS so it runs without the console's bundle.
const CLIENT = `'use strict';
const net = require('node:net');
const [tool, ...args] = process.argv.slice(2);
const env = {};
for (const k of ${JSON.stringify(TOOL_ENV)}) if (process.env[k] !== undefined) env[k] = process.env[k];
const chunks = [];
function ask() {
  const s = net.connect(process.env.DAY2_DEMO_SOCKET);
  const req = { run: process.env.DAY2_DEMO_RUN, tool, args, cwd: process.cwd(), env, stdin: Buffer.concat(chunks).toString() };
  s.write(JSON.stringify(req) + '\\n');
  let buf = '';
  s.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
      const m = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const end = m.n === 0 ? '' : '\\n';
      if (m.o !== undefined) process.stdout.write(m.o + end);
      else if (m.e !== undefined) process.stderr.write(m.e + end);
      else if (m.x !== undefined) { process.exitCode = m.x; s.end(); }
    }
  });
  s.on('error', (e) => { process.stderr.write(tool + ': the demo cluster does not answer (' + e.message + ')\\n'); process.exit(126); });
}
if (process.stdin.isTTY) ask();
else { process.stdin.on('data', (d) => chunks.push(d)); process.stdin.on('end', ask); process.stdin.on('error', ask); }
`;

// `sudo [-opts] CMD…` on a host where everything already runs as root.
const SUDO = '#!/bin/sh\nwhile [ $# -gt 0 ]; do case "$1" in -u|-g) shift 2;; -*) shift;; *) break;; esac; done\nexec "$@"\n';

function which(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Makes the demo's one program directory: the shims, `sudo`, and links to the real tools this machine
 * has (`sh` is bash, as on RHEL). Returns what a real tool it needs is missing, if any.
 */
export function makeToolDir(dir: string, machinePath = process.env.PATH ?? '/usr/bin:/bin'): { missing: string[] } {
  mkdirSync(dir, { recursive: true });
  const missing: string[] = [];
  const client = join(dir, '..', 'tool-client.cjs');
  writeFileSync(client, CLIENT);
  for (const tool of CLUSTER_TOOLS) {
    const shim = join(dir, tool);
    writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(client)} ${tool} "$@"\n`);
    chmodSync(shim, 0o755);
  }
  writeFileSync(join(dir, 'sudo'), SUDO, { mode: 0o755 });
  // GNU tar keeps the member names a real host would store (etc/origin/…, not the demo directory's path)
  const tar = which('tar', machinePath);
  const bash = which('bash', machinePath);
  if (tar && bash) {
    const transform = '--transform="s|^${DAY2_DEMO_ROOT#/}/||" --show-transformed-names';
    // the options come after the first word: an old-style first word (`tar xzvf F`) gets its dash
    const oldStyle = 'case "$1" in -*|"") ;; *) a=$1; shift; set -- "-$a" "$@" ;; esac';
    writeFileSync(join(dir, 'tar'), `#!${bash}\n${oldStyle}\nexec -a tar ${JSON.stringify(tar)} ${transform} "$@"\n`, { mode: 0o755 });
  } else missing.push('tar');
  if (bash) {
    symlinkSync(bash, join(dir, 'sh'));
    symlinkSync(bash, join(dir, 'bash'));
  } else missing.push('bash');
  for (const tool of REAL_TOOLS) {
    const real = which(tool, machinePath);
    if (real) symlinkSync(real, join(dir, tool));
    else if (!['gawk', 'jq', 'egrep', 'fgrep', 'zcat'].includes(tool)) missing.push(tool);
  }
  return { missing };
}
