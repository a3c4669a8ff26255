// One cell of the health matrix in full: the check, the host, the verdict, the fix, the parsed facts,
// and what every command printed. Scrolls like every detail (j/k, PgUp/PgDn, g/G).
import type { CheckResult } from '../src/model/health.js';
import { checkMeta, prettyDetails, STATUS_LABELS, tailLines } from '../src/model/health-view.js';
import { type Line, Pager } from './components/Pager.js';
import { type ScreenFrameProps, useScreen } from './context.js';

export interface HealthCellProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active'> {
  check: string;
  host: string | null;
  result: CheckResult | undefined;
}

const IND = '         ';

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function healthCellLines(check: string, host: string | null, result: CheckResult | undefined): Line[] {
  const meta = checkMeta(check);
  const lines: Line[] = [
    { text: `${meta.title} — guide section ${meta.section}`, bold: true, indent: '  ' },
    { text: `Check:   ${check}` },
    { text: host === null ? 'Where:   cluster-wide (oc on the bastion)' : `Host:    ${host}` },
  ];
  if (!result) {
    lines.push({ text: 'This check does not apply to this host.', dim: true });
    return lines;
  }
  const label = STATUS_LABELS[result.status];
  lines.push({ text: `Status:  ${label.symbol} ${label.word.toUpperCase()}`, tone: label.tone, bold: true });
  const message =
    result.message ||
    (result.status === 'pending'
      ? 'waiting for its turn'
      : result.status === 'running'
        ? 'running now — this view updates when it ends'
        : '(no message)');
  lines.push({ text: `Message: ${message}`, indent: IND, tone: label.tone === 'busy' ? undefined : label.tone });
  if (result.durationMs !== undefined) lines.push({ text: `Took:    ${seconds(result.durationMs)}`, dim: true });
  if (result.fix) {
    lines.push({ text: `Fix:     ${result.fix.text}`, indent: IND, bold: true });
    if (result.fix.procedure)
      lines.push({ text: `${IND}run: ${result.fix.procedure}   (f opens it, this host filled in)`, indent: IND, bold: true });
  }
  const facts = prettyDetails(result.details);
  if (facts.length) {
    lines.push({ text: '' }, { text: 'Facts (parsed from the output):', bold: true });
    for (const f of facts) lines.push({ text: `  ${f}`, indent: '    ' });
  }
  const raw = Object.entries(result.raw ?? {});
  lines.push({ text: '' });
  if (raw.length === 0) {
    lines.push({
      text: result.status === 'pending' || result.status === 'running' ? 'Raw output: not yet.' : 'Raw output: none recorded.',
      dim: true,
    });
  }
  for (const [name, out] of raw) {
    lines.push({ text: `── ${name} ──`, bold: true });
    lines.push({ text: `$ ${out.command}`, indent: '    ' });
    lines.push({
      text: `exit ${out.exitCode === null ? 'none (killed or timed out)' : out.exitCode}`,
      tone: out.exitCode === 0 ? undefined : 'warn',
      bold: out.exitCode !== 0,
    });
    const stdout = tailLines(out.stdout);
    const stderr = tailLines(out.stderr);
    lines.push({ text: stdout.length ? 'stdout:' : 'stdout: (empty)', dim: true });
    for (const l of stdout) lines.push({ text: `  ${l}`, indent: '  ' });
    if (stderr.length) {
      lines.push({ text: 'stderr:', dim: true });
      for (const l of stderr) lines.push({ text: `  ${l}`, indent: '  ' });
    }
  }
  return lines;
}

export function HealthCell(props: HealthCellProps) {
  const { check, host, result } = props;
  const { width, height, active } = useScreen(props);
  return (
    <Pager
      title={`CHECK ${check} on ${host ?? 'cluster'}`}
      lines={healthCellLines(check, host, result)}
      width={width}
      height={height}
      active={active}
    />
  );
}
