// A run's record for the incident ticket (src/engine/report.ts), as a page: opened from the Runs screen
// for any run, finished, failed or interrupted. Scrolls like every detail; w writes it to a file.
import { useMemo } from 'react';
import type { RunReportAccess } from '../src/model/runs-view.js';
import { type Line, Pager } from './components/Pager.js';
import { type ScreenFrameProps, useScreen } from './context.js';

export interface RunReportProps extends Pick<ScreenFrameProps, 'width' | 'height' | 'active'> {
  runId: string;
  access: RunReportAccess | undefined;
}

/** The report's lines, or one line saying why there is none. */
export function reportLines(runId: string, access: RunReportAccess | undefined): Line[] {
  if (!access) return [{ text: 'Run records are not available in this build (the engine is not wired).', tone: 'warn' }];
  try {
    return access
      .read(runId)
      .replace(/\n$/, '')
      .split('\n')
      .map((text) => ({ text, ...(/^#/.test(text) ? { bold: true } : {}) }));
  } catch (err) {
    return [{ text: `Could not read the record of ${runId}: ${err instanceof Error ? err.message : String(err)}`, tone: 'bad' }];
  }
}

export function RunReport(props: RunReportProps) {
  const { width, height, active } = useScreen(props);
  // Read once per run shown: the App re-renders on every connectivity or health update.
  const lines = useMemo(() => reportLines(props.runId, props.access), [props.runId, props.access]);
  return <Pager title={`RECORD ${props.runId}`} lines={lines} width={width} height={height} active={active} />;
}
