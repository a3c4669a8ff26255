// The RPM database of an OpenShift 3.x host: the list of installed packages that the master and node
// backups (4.1, 4.2) keep beside the configuration, to tell later what the host ran; one package's version
// (`rpm -q`) and whether it is recent enough.
import { type ShellCommand, sh } from '../transport/shell.js';

/** The package list's name under a backup directory. */
export const PACKAGE_LIST = 'packages.txt';

/** `rpm -qa | sort > DIR/packages.txt`, failing when the list comes out empty (rpm missing or broken). */
export function packageListCommand(dir: string): ShellCommand {
  const file = `${dir}/${PACKAGE_LIST}`;
  return sh`rpm -qa | sort > ${file} && test -s ${file} && wc -l ${file}`;
}

/** `rpm -q NAME` → version and release; undefined when not installed. */
export function parseRpmQuery(out: string, name: string): { version: string; release: string } | undefined {
  const re = new RegExp(
    `^${name.replace(/[.+]/g, '\\$&')}-([^-\\s]+)-([^-\\s]+?)(?:\\.(?:x86_64|noarch|ppc64le|s390x|aarch64|i686))?$`,
    'm',
  );
  const m = re.exec(out);
  return m ? { version: m[1]!, release: m[2]! } : undefined;
}

function cmpParts(a: string, b: string): number {
  const pa = a.split(/[.\-_~]/);
  const pb = b.split(/[.\-_~]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (x === '') return -1;
    if (y === '') return 1;
    const nx = /^\d+/.exec(x)?.[0];
    const ny = /^\d+/.exec(y)?.[0];
    if (nx !== undefined && ny !== undefined && Number(nx) !== Number(ny)) return Number(nx) - Number(ny);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** version-release ≥ the minimum (rpm-like: numeric parts compared as numbers). */
export function rpmAtLeast(v: { version: string; release: string }, min: { version: string; release: string }): boolean {
  const c = cmpParts(v.version, min.version);
  return c > 0 || (c === 0 && cmpParts(v.release, min.release) >= 0);
}
