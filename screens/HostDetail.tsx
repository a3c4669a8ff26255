// One host: where it is, how we log in, its roles and groups, and its connectivity with what to do.
import type { Host } from '../src/inventory/types.js';
import { CONNECTIVITY_LABELS } from '../src/model/connectivity.js';
import type { HealthSnapshot } from '../src/model/health.js';
import { hostVerdict, STATUS_LABELS } from '../src/model/health-view.js';
import type { ConnectionSetting, Connectivity } from '../src/transport/types.js';
import { type Line, Pager } from './components/Pager.js';
import { type ScreenFrameProps, useScreen } from './context.js';

export interface HostDetailProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active'> {
  host: Host;
  connectivity: Connectivity | undefined;
  /** The health run's state, once one exists: the host's verdict. */
  health?: HealthSnapshot;
  /** What ssh uses for this host (inventory, ~/.ssh/config, defaults), or why the ssh config refuses it. */
  ssh?: ConnectionSetting[] | { error: string } | undefined;
}

export function hostDetailLines(
  host: Host,
  connectivity: Connectivity | undefined,
  health?: HealthSnapshot,
  ssh?: HostDetailProps['ssh'],
): Line[] {
  const c = connectivity ?? { state: 'checking' as const };
  const label = CONNECTIVITY_LABELS[c.state];
  const tone = label.tone === 'busy' ? undefined : label.tone;
  const lines: Line[] = [{ text: `Connection: ${label.symbol} ${label.word}`, tone, bold: true }];
  if (c.reason) lines.push({ text: `Reason: ${c.reason}`, indent: '        ' });
  if (c.state !== 'ok') {
    lines.push({ text: `What to do: ${c.hint ?? label.action}`, tone, indent: '            ' });
  }
  const verdict = health ? hostVerdict(health, host.name) : undefined;
  if (verdict)
    lines.push({
      text: `Health:   ${verdict.text}   (h at Home: the matrix)`,
      tone: STATUS_LABELS[verdict.worst].tone,
      bold: true,
      indent: '          ',
    });
  lines.push(
    { text: '' },
    { text: `Name:     ${host.name}` },
    ...connectionLines(host),
    ...sshLines(ssh),
    { text: `Roles:    ${host.roles.join(', ') || '(none)'}`, indent: '          ' },
    { text: `Groups:   ${host.groups.join(', ') || '(none)'}`, indent: '          ' },
    { text: `Declared: ${host.file}:${host.line}`, dim: true },
  );
  return lines;
}

const INDENT = '          ';

/** How we log in, each setting with where it came from (inventory line, group_vars/, ansible.cfg, default). */
function connectionLines(host: Host): Line[] {
  const src = host.sources;
  // Hosts that did not come from a parsed inventory (none today) have no sources to show.
  const from = (key: keyof NonNullable<Host['sources']>) => (src ? `  · ${src[key] ? `from ${src[key]}` : 'default'}` : '');
  const sudo = host.becomeUser && host.becomeUser !== 'root' ? `sudo -n -u ${host.becomeUser}` : 'sudo -n';
  const lines: Line[] = [
    { text: `Address:  ${host.address}:${host.port}${from('address')}`, indent: INDENT },
    { text: `User:     ${host.user ?? '(your own login user)'}${from('user')}`, indent: INDENT },
    { text: `Key file: ${host.keyFile ?? '(ssh agent / default keys)'}${from('keyFile')}`, indent: INDENT },
    { text: `Become:   ${host.become ? `yes: commands through ${sudo}` : 'no'}${from('become')}`, indent: INDENT },
  ];
  if (src?.port) lines.splice(1, 0, { text: `Port:     ${host.port}${from('port')}`, indent: INDENT });
  if (src?.becomeUser) lines.push({ text: `As user:  ${host.becomeUser}${from('becomeUser')}`, indent: INDENT });
  return lines;
}

/** What ssh really uses once ~/.ssh/config is applied: it can change the address, user, port, keys and add jump hosts. */
function sshLines(ssh: HostDetailProps['ssh']): Line[] {
  if (!ssh) return [];
  if ('error' in ssh) return [{ text: `SSH:      the ssh config refuses this host: ${ssh.error}`, tone: 'bad', indent: INDENT }];
  return [
    { text: 'SSH uses (inventory, then ~/.ssh/config and /etc/ssh/ssh_config, then defaults):' },
    ...ssh.map((r) => ({
      text: `  ${r.setting.padEnd(21)}${r.value || '(none)'}  · ${r.from === 'default' ? 'default' : `from ${r.from}`}`,
      indent: ' '.repeat(23),
      dim: r.from === 'default',
    })),
  ];
}

export function HostDetail(props: HostDetailProps) {
  const { host, connectivity, health, ssh } = props;
  const { width, height, active } = useScreen(props);
  return (
    <Pager
      title={`HOST ${host.name}`}
      lines={hostDetailLines(host, connectivity, health, ssh)}
      width={width}
      height={height}
      active={active}
    />
  );
}
