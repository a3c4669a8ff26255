// Where the DEMO cluster's hosts keep their files: one directory per host (and one for the bastion)
// under a private temporary directory, so that a procedure's script runs in a real `sh` with real
// coreutils, and what it copies, moves and writes is there when the next command looks. A script's
// absolute paths are moved under the host's directory on the way in and moved back in what it prints,
// so the operator sees /var/lib/etcd, never the temporary directory. The directory is removed on close.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The bastion's directory name (host directories are named after the host). */
export const BASTION_ROOT = '.bastion';

// A runner nobody closed (a test, a console killed by its exit code) still leaves nothing behind.
const open = new Set<string>();
process.on('exit', () => {
  for (const base of open) rmSync(base, { recursive: true, force: true });
});

/** Removes the directories of demo consoles that were killed (kill -9 leaves them): their pid is gone. */
function sweepDeadDemos(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^day2-demo-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class HostRoots {
  readonly base: string;
  private readonly made = new Set<string>();

  constructor(base?: string) {
    if (!base) sweepDeadDemos();
    this.base = base ?? mkdtempSync(join(tmpdir(), `day2-demo-${process.pid}-`));
    open.add(this.base);
  }

  /** The directory standing for `/` on a host (created on first use, `seed` writes its files). */
  rootOf(host: string | undefined, seed: (root: string) => void = () => {}, toolDir?: string): string {
    const root = join(this.base, 'hosts', host ?? BASTION_ROOT);
    if (!this.made.has(root)) {
      this.made.add(root);
      for (const d of ['tmp', 'root', 'etc', 'var/tmp']) mkdirSync(join(root, d), { recursive: true });
      if (toolDir) for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin']) linkTools(root, d, toolDir);
      seed(root);
    }
    return root;
  }

  close(): void {
    open.delete(this.base);
    rmSync(this.base, { recursive: true, force: true });
  }
}

function linkTools(root: string, dir: string, toolDir: string): void {
  mkdirSync(dirname(join(root, dir)), { recursive: true });
  symlinkSync(toolDir, join(root, dir));
}

/** Writes a file under a host's root (its directories made), e.g. writeUnder(root, '/etc/etcd/etcd.conf', text). */
export function writeUnder(root: string, path: string, text: string, mode = 0o644): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, { mode });
}

// An absolute path starts a word, or follows `=`, `:`, a bracket, a redirection or `#` (sed's delimiter),
// possibly inside an opening quote (a quote after a word character closes it: `/a/"$x"/b` is one path);
// an X.509 subject (openssl's `-subj /CN=…`) is not a path.
// `//` (a URL) and /dev stay the machine's own, and so does a one-letter word ending a quoted sed
// expression (`'/^KEY=/d'`: the `/d` of a sed command, never a file), a sed address of a capitalised word
// followed by its command (`'/ExecStart/s/"$/ --force-new-cluster"/p'`, the guide's 5.4.2.1), and a regex
// starting `/-` (awk's `sub(/-.*$/, …)`).
const ABSOLUTE_PATH =
  /(^|[\s=:(`;|&<>,{#@])(["']?)\/(?!dev(?:\/|\b))(?![A-Za-z]['"])(?!(?:CN|O|OU|C|ST|L)=)(?![A-Z]\w*\/[spdaicy](?:\W|$))(?=[A-Za-z0-9_.~])/g;

/** A script with its absolute paths moved under `root`. */
export function pathsUnder(root: string, script: string): string {
  return script.replace(ABSOLUTE_PATH, (_m, before: string, quote: string) => `${before}${quote}${root}/`);
}

/** Text with `root` taken out again (what the operator sees). */
export function pathsOutOf(root: string, text: string): string {
  return text.split(`${root}/`).join('/').split(root).join('/');
}

/** Another host's directory, from one host's root (`root` of a DemoContext); it exists once that host was used. */
export function rootBeside(root: string, host: string): string {
  return join(dirname(root), host);
}
