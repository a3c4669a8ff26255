// One catalogue entry: what it is, where the guide describes it, its risk and parameters.
import type { CatalogueEntry } from '../src/model/catalogue.js';
import { type Line, Pager } from './components/Pager.js';
import { type ScreenFrameProps, useScreen } from './context.js';

export interface ProcedureDetailProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active'> {
  entry: CatalogueEntry;
}

const RISK_TONE = { 'read-only': 'ok', low: 'ok', medium: 'warn', high: 'bad', destructive: 'bad' } as const;

function choicesText(p: CatalogueEntry['parameters'][number]): string {
  if (!p.choices) return '';
  return 'fromRole' in p.choices ? ` — one of the inventory's ${p.choices.fromRole} hosts` : ` — one of: ${p.choices.values.join(', ')}`;
}

export function procedureDetailLines(e: CatalogueEntry): Line[] {
  const lines: Line[] = [
    { text: e.title, bold: true },
    { text: '' },
    { text: `Kind:     ${e.kind}` },
    { text: `Section:  ${e.section} (chapter ${e.chapter} ${e.chapterTitle}; guide line ${e.guideLine})`, indent: '          ' },
    { text: `Risk:     ${e.risk.toUpperCase()}`, tone: RISK_TONE[e.risk], bold: e.risk === 'high' || e.risk === 'destructive' },
    e.built
      ? { text: 'Status:   built' }
      : {
          text: 'Status:   · NOT BUILT YET — shown so you can find it in the guide; it cannot run here.',
          tone: 'warn',
          indent: '          ',
        },
    { text: '' },
    { text: e.summary },
    { text: '' },
  ];
  if (e.parameters.length === 0) {
    lines.push({ text: 'Parameters: none' });
  } else {
    lines.push({ text: 'Parameters:', bold: true });
    for (const p of e.parameters) {
      const flags = [
        p.required ? 'required' : 'optional',
        p.secret ? 'secret, never shown or logged' : '',
        p.default !== undefined && !p.secret ? `default ${p.default}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      lines.push({ text: `  ${p.name} (${flags}): ${p.description}${choicesText(p)}`, indent: '      ' });
    }
  }
  return lines;
}

export function ProcedureDetail(props: ProcedureDetailProps) {
  const { entry } = props;
  const { width, height, active } = useScreen(props);
  return <Pager title={`PROCEDURE ${entry.id}`} lines={procedureDetailLines(entry)} width={width} height={height} active={active} />;
}
