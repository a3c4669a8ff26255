// The RPM database of an OpenShift 3.x host: the list of installed packages that the master and node
// backups (4.1, 4.2) keep beside the configuration, to tell later what the host ran.
import { type ShellCommand, sh } from '../transport/shell.js';

/** The package list's name under a backup directory. */
export const PACKAGE_LIST = 'packages.txt';

/** `rpm -qa | sort > DIR/packages.txt`, failing when the list comes out empty (rpm missing or broken). */
export function packageListCommand(dir: string): ShellCommand {
  const file = `${dir}/${PACKAGE_LIST}`;
  return sh`rpm -qa | sort > ${file} && test -s ${file} && wc -l ${file}`;
}
