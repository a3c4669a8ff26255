// The resolved plan as lines of text (the Procedure screen's plan view; a pager scrolls them). No React.
import type { Params, PlanStep } from '../engine/types.js';
import type { FormField } from './procedure-form.js';

export interface TextLine {
  text: string;
  tone?: 'ok' | 'bad' | 'warn' | 'busy' | 'accent';
  bold?: boolean;
  dim?: boolean;
  indent?: string;
}

export const GATE_WORDS = {
  confirm: 'gate: you confirm y/N',
  'type-host': 'gate: you type the host name',
} as const;

/** "host=master-0 backup-dir=/backup …" with secrets shown as ••••. */
export function paramsLine(params: Params, fields: readonly FormField[]): string {
  const parts = Object.entries(params).map(([k, v]) => (fields.find((f) => f.name === k)?.secret ? `${k}=••••` : `${k}=${v}`));
  return parts.length ? parts.join('  ') : '(none)';
}

export function planSummary(plan: readonly PlanStep[]): string {
  const destructive = plan.filter((s) => s.destructive).length;
  const gates = plan.filter((s) => s.gate).length;
  return (
    `${plan.length} step${plan.length === 1 ? '' : 's'}` +
    `${destructive ? `, ${destructive} DESTRUCTIVE` : ''}` +
    `${gates ? `, ${gates} gate${gates === 1 ? '' : 's'}` : ''}`
  );
}

/** A host name without the common domain, for the command prefix. */
function shortHost(host: string | null, domain: string): string {
  if (host === null) return 'bastion';
  return domain && host.endsWith(domain) ? host.slice(0, -domain.length) : host;
}

export function planLines(plan: readonly PlanStep[], params: Params, fields: readonly FormField[], domain = ''): TextLine[] {
  const lines: TextLine[] = [
    { text: `Parameters: ${paramsLine(params, fields)}`, indent: '            ' },
    {
      text: `Plan: ${planSummary(plan)}. Nothing has run yet; every command below is exact (<name>: captured at run time).`,
      dim: true,
      indent: '  ',
    },
  ];
  plan.forEach((s, i) => {
    lines.push({ text: '' });
    const num = `${String(i + 1).padStart(2)}. `;
    const marks = [s.destructive ? '⚠ DESTRUCTIVE' : '', s.skipped ? '- SKIPPED' : ''].filter(Boolean).join(' ');
    lines.push({
      text: `${num}${marks ? `${marks} ` : ''}${s.title}${s.section ? `  § ${s.section}` : ''}`,
      bold: true,
      tone: s.destructive ? 'bad' : undefined,
      indent: '    ',
    });
    const hosts = s.hosts.length ? ` — ${s.hosts.map((h) => shortHost(h, domain)).join(', ')}` : '';
    lines.push({ text: `    where: ${s.where}${hosts}`, indent: '           ' });
    if (s.skipped) lines.push({ text: `    skipped: ${s.skipped}`, dim: true, indent: '      ' });
    if (s.gate) {
      lines.push({
        text: `    ${GATE_WORDS[s.gate.kind]} — ${s.gate.what}`,
        tone: 'warn',
        bold: s.gate.kind === 'type-host',
        indent: '      ',
      });
      if (s.gate.protectedBy) lines.push({ text: `    protected by: ${s.gate.protectedBy}`, indent: '      ' });
    }
    if (s.precondition) lines.push({ text: `    checks first: ${s.precondition}`, dim: true, indent: '      ' });
    for (const c of s.commands) lines.push({ text: `    ${shortHost(c.host, domain)}$ ${c.command}`, indent: '        ' });
    if (s.commands.length === 0 && !s.skipped) lines.push({ text: '    (no command resolved before the run)', dim: true });
    if (s.verify) lines.push({ text: `    verifies after: ${s.verify}`, dim: true, indent: '      ' });
  });
  return lines;
}
