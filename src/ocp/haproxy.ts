// haproxy on the [lb] hosts of an OpenShift 3.x cluster (the installer's `backend mgmt8443`, `router80`,
// `router443`): the listing of haproxy.cfg's section headers and server lines, the server lines of a host,
// and the edit that drops them (every other byte kept, checked by its diff). The decommission procedures'
// load balancer steps are built from these.
import { type ShellCommand, sh } from '../transport/shell.js';

export const HAPROXY_CFG = '/etc/haproxy/haproxy.cfg';
const SECTION_RE = /^(global|defaults|frontend|backend|listen|userlist|peers|resolvers|mailers|program|http-errors|ring|cache)$/;

/** Prints `NR<TAB>line` for every section header and `server` line of haproxy.cfg (nothing else: no secrets). */
export function haproxyListingCommand(file = HAPROXY_CFG): ShellCommand {
  const awk = `{ k = $1 } k ~ /${SECTION_RE.source}/ || k == "server" { print NR "\\t" $0 }`;
  return sh`awk ${awk} ${file}`;
}

export interface CfgLine {
  line: number;
  text: string;
}

export function parseListing(out: string): CfgLine[] {
  const res: CfgLine[] = [];
  for (const l of out.split('\n')) {
    const m = /^(\d+)\t(.*)$/.exec(l.replace(/\r$/, ''));
    if (m) res.push({ line: Number(m[1]), text: m[2]! });
  }
  return res;
}

export interface ServerLine extends CfgLine {
  backend: string;
  server: string;
  address: string;
}

/**
 * The `server` lines of the given backends (or listen sections) that point at the host: by server name
 * (the host's names, full or short) or by address (any of its addresses or IPs, any port).
 */
export function serverLinesFor(
  listing: readonly CfgLine[],
  backends: readonly string[],
  names: readonly string[],
  addresses: readonly string[],
): ServerLine[] {
  const lowNames = new Set(names.map((n) => n.toLowerCase()));
  const addrs = new Set(addresses.filter(Boolean).map((a) => a.toLowerCase()));
  const out: ServerLine[] = [];
  let section: string | undefined;
  for (const l of listing) {
    const f = l.text.trim().split(/\s+/);
    if (SECTION_RE.test(f[0] ?? '')) {
      section = (f[0] === 'backend' || f[0] === 'listen') && f[1] && backends.includes(f[1]) ? f[1] : undefined;
      continue;
    }
    if (!section || f[0] !== 'server' || f.length < 3) continue;
    const server = f[1]!;
    const address = f[2]!;
    const hostPart = (address.startsWith('[') ? address.slice(1, address.indexOf(']')) : address.replace(/:[^:]*$/, '')).toLowerCase();
    const short = server.toLowerCase().split('.')[0]!;
    if (
      lowNames.has(server.toLowerCase()) ||
      (!/^[0-9.]+$/.test(server) && lowNames.has(short) && [...lowNames].some((n) => n.includes('.') && n.split('.')[0] === short)) ||
      addrs.has(hostPart)
    ) {
      out.push({ ...l, backend: section, server, address });
    }
  }
  return out;
}

/** haproxy.cfg without the given lines (what the edit writes; used by the tests and to check the diff). */
export function withoutLines(cfg: string, lines: readonly number[]): string {
  const drop = new Set(lines);
  const parts = cfg.split('\n');
  return parts.filter((_, i) => !drop.has(i + 1) || (i === parts.length - 1 && parts[i] === '')).join('\n');
}

/**
 * `diff OLD NEW` (normal format) shows exactly the deletion of these lines and nothing else. true, or
 * what differs.
 */
export function diffIsDeletion(diff: string, lines: readonly number[]): true | string {
  const deleted: number[] = [];
  for (const l of diff.split('\n')) {
    if (l === '' || l.startsWith('< ') || l === '<' || l.startsWith('\\ ')) continue;
    const m = /^(\d+)(?:,(\d+))?d\d+$/.exec(l);
    if (!m) return `the file differs from its copy in more than the removed lines (${l.slice(0, 80)})`;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let i = a; i <= b; i++) deleted.push(i);
  }
  const want = [...lines].sort((x, y) => x - y);
  if (deleted.join(',') !== want.join(',')) return `removed lines ${deleted.join(',') || '(none)'}, expected ${want.join(',')}`;
  return true;
}
