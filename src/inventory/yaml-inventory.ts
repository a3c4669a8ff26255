// YAML (and JSON) inventories, read the one way that is sure to agree with Ansible: `ansible-inventory
// -i FILE --list` (installed on every OCP 3.x bastion with openshift-ansible). Its JSON already has the
// group_vars/ and host_vars/ beside the file applied, so each host's variables come from it as they are
// (their source is shown as `ansible-inventory`). The group tree goes through the INI parser, so that
// roles, membership and the cluster warnings are worked out the same way for both forms.
import { execaSync } from 'execa';
import { type VarDef, validateVar } from './parse.js';
import { InventoryError } from './types.js';
import { templateText } from './var-files.js';

/** `ansible-inventory --list` output: groups by name, and `_meta.hostvars`. */
export interface AnsibleInventoryList {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | AnsibleInventoryList['_meta'];
}

/** Does this file look like a YAML or JSON inventory (by its extension, or by its first line)? */
export function isYamlInventory(path: string, text: string): boolean {
  if (/\.(ya?ml|json)$/i.test(path)) return true;
  const first =
    text
      .replace(/^\uFEFF/, '')
      .trimStart()
      .split('\n')[0] ?? '';
  return /^(---|all:\s*$|\{)/.test(first);
}

/** Runs `ansible-inventory -i PATH --list`; InventoryError saying what to do when it cannot. */
export function listAnsibleInventory(path: string, command = 'ansible-inventory'): AnsibleInventoryList {
  const r = execaSync(command, ['-i', path, '--list'], { reject: false, timeout: 120_000, stdin: 'ignore' });
  if ((r as { code?: string }).code === 'ENOENT') {
    throw new InventoryError(
      path,
      undefined,
      'this is a YAML or JSON inventory, read through ansible-inventory, which is not installed here: ' +
        'install ansible-core (dnf/yum/apt install ansible-core), or pass the INI inventory the installer used with -i',
    );
  }
  if (r.exitCode !== 0 || /Unable to parse|No inventory was parsed/.test(String(r.stderr))) {
    const why = String(r.stderr).trim().split('\n').filter(Boolean).slice(-3).join(' ') || `exit ${r.exitCode}`;
    throw new InventoryError(path, undefined, `ansible-inventory could not read it: ${why}`);
  }
  try {
    return JSON.parse(String(r.stdout)) as AnsibleInventoryList;
  } catch {
    throw new InventoryError(path, undefined, 'ansible-inventory --list did not print JSON: check the ansible-core installation');
  }
}

/** The group tree as INI text for the INI parser, and each host's variables. */
export function fromAnsibleList(list: AnsibleInventoryList, path: string): { ini: string; hostVars: Map<string, Map<string, VarDef>> } {
  const lines: string[] = [];
  for (const [name, g] of Object.entries(list)) {
    if (name === '_meta' || name === 'all' || typeof g !== 'object' || g === null) continue;
    const group = g as { hosts?: string[]; children?: string[] };
    lines.push(`[${name}]`, ...(group.hosts ?? []));
    if (group.children?.length) lines.push(`[${name}:children]`, ...group.children);
  }
  const hostVars = new Map<string, Map<string, VarDef>>();
  for (const [host, vars] of Object.entries(list._meta?.hostvars ?? {})) {
    const defs = new Map<string, VarDef>();
    for (const [key, raw] of Object.entries(vars)) {
      if (raw === null || raw === undefined) continue;
      const value = templateText(raw);
      validateVar(path, undefined, key, value);
      defs.set(key, { value, file: path, line: 0, where: 'ansible-inventory' });
    }
    hostVars.set(host, defs);
  }
  return { ini: `${lines.join('\n')}\n`, hostVars };
}
