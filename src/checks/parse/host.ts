// Parsers for host command output: timedatectl, df, docker info, docker-storage, ip link/addr/route,
// node-config.yaml, dig, curl. Pure.

export interface TimeSync {
  /** "NTP enabled:" (RHEL 7) or "NTP service: active" (newer systemd). undefined when not printed. */
  ntpEnabled?: boolean;
  /** "NTP synchronized:" (RHEL 7) or "System clock synchronized:" (newer systemd). */
  synchronized?: boolean;
  timeZone?: string;
}

function yes(v: string): boolean {
  return /^(yes|active|true)$/i.test(v.trim());
}

/** `timedatectl` (status). Key/value lines; the flattened one-line form of the guide works too. */
export function parseTimedatectl(text: string): TimeSync {
  const out: TimeSync = {};
  const enabled = /(?:NTP enabled|NTP service|Network time on):\s*(\S+)/.exec(text);
  if (enabled) out.ntpEnabled = yes(enabled[1]!);
  const sync = /(?:NTP synchronized|System clock synchronized):\s*(\S+)/.exec(text);
  if (sync) out.synchronized = yes(sync[1]!);
  const tz = /Time zone:\s*([^\n]*?)\s*(?:\n|$|NTP|System clock|Network time)/.exec(text);
  if (tz) out.timeZone = tz[1]!.trim();
  return out;
}

export interface Filesystem {
  device: string;
  type: string;
  sizeBytes: number;
  usedBytes: number;
  availBytes: number;
  usePercent: number;
  mountedOn: string;
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

/** A df size cell: bytes (`-B1`), 1K blocks are not supported (use -B1), or human (`45G`, `3.6G`, `732M`, `0`). */
export function parseSize(cell: string): number {
  const r = /^(\d+(?:[.,]\d+)?)([BKMGTP]?)i?$/i.exec(cell.trim());
  if (!r) throw new Error(`unexpected size ${JSON.stringify(cell)}`);
  return Math.round(Number(r[1]!.replace(',', '.')) * UNITS[r[2]!.toUpperCase()]!);
}

/**
 * `df -PT -B1` (exact bytes) or the guide's `df -hT`: Filesystem Type Size Used Avail Use% Mounted on.
 * The mount point is the rest of the line (it may contain spaces).
 */
export function parseDf(text: string): Filesystem[] {
  const out: Filesystem[] = [];
  for (const line of text.split(/\r?\n/)) {
    const r = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)%\s+(\/.*)$/.exec(line.trim());
    if (!r || r[1] === 'Filesystem') continue;
    out.push({
      device: r[1]!,
      type: r[2]!,
      sizeBytes: parseSize(r[3]!),
      usedBytes: parseSize(r[4]!),
      availBytes: parseSize(r[5]!),
      usePercent: Number(r[6]),
      mountedOn: r[7]!.trim(),
    });
  }
  return out;
}

/** The filesystem that holds `path`: the mount point that is its longest prefix. */
export function filesystemOf(fss: Filesystem[], path: string): Filesystem | undefined {
  let best: Filesystem | undefined;
  for (const fs of fss) {
    const m = fs.mountedOn;
    const covers = m === '/' || path === m || path.startsWith(m.endsWith('/') ? m : `${m}/`);
    if (covers && (!best || m.length > best.mountedOn.length)) best = fs;
  }
  return best;
}

export interface DockerInfo {
  storageDriver?: string;
  backingFilesystem?: string;
  supportsDType?: boolean;
  /** devicemapper on loop files ("Data loop file: …"): not for production. */
  dataLoopFile?: string;
  rootDir?: string;
  serverVersion?: string;
  /** devicemapper: the thin pool (`Pool Name`) and its space, in bytes. */
  thinPool?: ThinPool;
}

export interface ThinPool {
  name?: string;
  dataUsed?: number;
  dataTotal?: number;
  dataAvailable?: number;
  metadataUsed?: number;
  metadataTotal?: number;
  metadataAvailable?: number;
  /** `Thin Pool Minimum Free Space` (dm.min_free_space): below it docker creates no more containers. */
  minFreeSpace?: number;
}

const DECIMAL: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

/**
 * A size of `docker info` (go-units HumanSize: decimal units, 4 significant digits): `21.47 GB` as RHEL's
 * docker 1.13 prints it, `390.6MB` as later ones do, `0 B`.
 */
export function parseDockerSize(text: string): number {
  const r = /^(\d+(?:\.\d+)?)\s*([kKMGTP]?B)$/.exec(text.trim());
  if (!r) throw new Error(`unexpected docker info size ${JSON.stringify(text.trim())}`);
  return Math.round(Number(r[1]) * DECIMAL[r[2]!.toUpperCase()]!);
}

/** `docker info` (key: value lines; the flattened form of the guide works too). */
export function parseDockerInfo(text: string): DockerInfo {
  const out: DockerInfo = {};
  const get = (key: string): string | undefined => {
    const r = new RegExp(`${key}:\\s*(\\S+)`).exec(text);
    return r ? r[1] : undefined;
  };
  const d = get('Storage Driver');
  if (d) out.storageDriver = d;
  const b = get('Backing Filesystem');
  if (b) out.backingFilesystem = b;
  const t = get('Supports d_type');
  if (t) out.supportsDType = t === 'true';
  const l = get('Data loop file');
  if (l) out.dataLoopFile = l;
  const root = get('Docker Root Dir');
  if (root) out.rootDir = root;
  const v = get('Server Version');
  if (v) out.serverVersion = v;
  if (out.storageDriver === 'devicemapper') {
    const pool: ThinPool = {};
    const size = (key: string): number | undefined => {
      const r = new RegExp(`${key}:[ \\t]*(\\d+(?:\\.\\d+)?[ \\t]*[kKMGTP]?B)\\b`).exec(text);
      return r ? parseDockerSize(r[1]!) : undefined;
    };
    const fields: [keyof ThinPool, string][] = [
      ['dataUsed', 'Data Space Used'],
      ['dataTotal', 'Data Space Total'],
      ['dataAvailable', 'Data Space Available'],
      ['metadataUsed', 'Metadata Space Used'],
      ['metadataTotal', 'Metadata Space Total'],
      ['metadataAvailable', 'Metadata Space Available'],
      ['minFreeSpace', 'Thin Pool Minimum Free Space'],
    ];
    for (const [k, key] of fields) {
      const n = size(key);
      if (n !== undefined) (pool as Record<string, number>)[k] = n;
    }
    const name = get('Pool Name');
    if (name) pool.name = name;
    out.thinPool = pool;
  }
  return out;
}

export interface Link {
  index: number;
  name: string;
  mtu: number;
  up: boolean;
}

/** `ip link show` / `ip -o link show` (the `N: name: <FLAGS> mtu M …` lines). */
export function parseIpLink(text: string): Link[] {
  const out: Link[] = [];
  for (const m of text.matchAll(/^(\d+):\s+([^:\s@]+)(?:@\S+)?:\s+<([^>]*)>.*?\bmtu (\d+)/gm)) {
    out.push({ index: Number(m[1]), name: m[2]!, up: m[3]!.split(',').includes('UP'), mtu: Number(m[4]) });
  }
  return out;
}

/** `ip -o -4 addr show`: interface → its IPv4 addresses. */
export function parseIpAddr(text: string): { iface: string; address: string }[] {
  const out: { iface: string; address: string }[] = [];
  for (const m of text.matchAll(/^\d+:\s+(\S+)\s+inet6?\s+([0-9a-f.:]+)\//gim)) out.push({ iface: m[1]!, address: m[2]! });
  return out;
}

/** `ip route show default` → the device of the default route. */
export function parseDefaultRouteDev(text: string): string | undefined {
  const r = /^default\b.*?\bdev (\S+)/m.exec(text);
  return r ? r[1] : undefined;
}

/** `dig +short NAME`: the addresses (CNAME targets ending in `.` are skipped; `;;` errors too). */
export function parseDigShort(text: string): { addresses: string[]; cnames: string[]; errors: string[] } {
  const addresses: string[] = [];
  const cnames: string[] = [];
  const errors: string[] = [];
  for (const l of text
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (l.startsWith(';;')) errors.push(l.replace(/^;;\s*/, ''));
    else if (/^[0-9.]+$/.test(l) || /^[0-9a-f:]+:[0-9a-f:]*$/i.test(l)) addresses.push(l);
    else if (l.endsWith('.')) cnames.push(l);
    else errors.push(l);
  }
  return { addresses, cnames, errors };
}

export interface CurlResult {
  /** "* Connected to …" seen. */
  connected: boolean;
  /** "* Initializing NSS" (RHEL curl) seen. */
  nssInitialized: boolean;
  /** A TLS handshake finished ("SSL connection using …"). */
  tlsEstablished: boolean;
  /** Status of the last response line (`< HTTP/1.1 200 OK`, `< HTTP/2 200`). */
  httpStatus?: number;
  /** The body, when `-v` output went to stderr and the body to stdout. */
  body: string;
  /** curl's own error line ("curl: (28) …"). */
  error?: string;
}

/** `curl -v …`: pass stdout as `body`, stderr as `verbose`. */
export function parseCurlVerbose(verbose: string, body = ''): CurlResult {
  const out: CurlResult = {
    connected: /^\* +Connected to /m.test(verbose),
    nssInitialized: /^\* +Initializing NSS/m.test(verbose),
    tlsEstablished: /^\* +(SSL connection using|ALPN, server accepted|TLSv1\.[23] \(IN\), TLS handshake, Finished)/m.test(verbose),
    body: body.trim(),
  };
  const statuses = [...verbose.matchAll(/^< HTTP\/[\d.]+ (\d{3})/gm)];
  if (statuses.length > 0) out.httpStatus = Number(statuses[statuses.length - 1]![1]);
  const err = /^curl: \(\d+\).*$/m.exec(verbose);
  if (err) out.error = err[0];
  return out;
}

export interface ClockSample {
  /** The host's `date +%s.%N`, ms since the epoch. */
  hostMs: number;
  /** Its resolution (1 ns with %N; 1 s without). */
  resolutionMs: number;
  /**
   * How long the session's first process (its process group leader: the shell sshd started for this
   * command or batch) had been running when the sample was taken, by the host's own uptime — 10 ms
   * ticks, rounded down; 0 when unknown.
   */
  sessionAgeMs: number;
}

/**
 * The ntp check's clock sample: four lines — `cut -d' ' -f1 /proc/uptime` (seconds since boot),
 * `date +%s.%N`, the start time of the process group leader in clock ticks since boot (field 22 of its
 * /proc/PID/stat) and `getconf CLK_TCK`. When only the date could be read the session's age is 0
 * (unknown: the bracket stays as wide as the whole round trip).
 */
export function parseClockSample(text: string): ClockSample {
  const ls = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (ls.length === 4 && /^\d+(\.\d+)?$/.test(ls[0]!) && /^\d+$/.test(ls[2]!) && /^\d+$/.test(ls[3]!) && Number(ls[3]) > 0) {
    const date = parseEpochSeconds(ls[1]!);
    const ageMs = (Number(ls[0]) - Number(ls[2]) / Number(ls[3])) * 1000;
    // a tick and the uptime's centisecond, both rounded down: take 20 ms off so the age is never overstated
    return { hostMs: date.ms, resolutionMs: date.resolutionMs, sessionAgeMs: Math.max(0, ageMs - 20) };
  }
  // the date alone (no /proc, no getconf): the session's age is unknown
  const dateLine = ls.length >= 2 && /^\d+\.\d{1,2}$/.test(ls[0]!) ? ls[1] : ls[0];
  if (dateLine !== undefined && /^\d{9,11}(\.\d{3,9})?$/.test(dateLine)) {
    const date = parseEpochSeconds(dateLine);
    return { hostMs: date.ms, resolutionMs: date.resolutionMs, sessionAgeMs: 0 };
  }
  throw new Error(`not a clock sample (uptime, date +%s.%N, leader start, CLK_TCK): ${JSON.stringify(text.trim().slice(0, 120))}`);
}

/**
 * `date +%s.%N` (GNU coreutils): seconds since the epoch with nanoseconds, e.g. `1538644353.517281634`,
 * → milliseconds. Without a fraction (a `date` that has no %N) the time is good to a second only.
 */
export function parseEpochSeconds(text: string): { ms: number; resolutionMs: number } {
  const r = /^(\d{9,11})(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!r) throw new Error(`not a date +%s.%N time: ${JSON.stringify(text.trim().slice(0, 40))}`);
  const frac = r[2] ?? '';
  return { ms: Number(r[1]) * 1000 + (frac ? Number(frac.padEnd(9, '0')) / 1e6 : 0), resolutionMs: 1000 / 10 ** frac.length };
}
