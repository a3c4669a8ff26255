// The counts of a health run per status, each a symbol and a word (never colour alone), and "running N".
import { Text } from 'ink';
import type { HealthSnapshot } from '../../src/model/health.js';
import { countStatuses, STATUS_LABELS, statusSummary } from '../../src/model/health-view.js';
import { Txt } from '../theme.js';
import { Spinner } from './Spinner.js';

export function HealthStatusLine({ snapshot }: { snapshot: HealthSnapshot }) {
  const counts = countStatuses(snapshot.results.values());
  const parts = statusSummary(counts).filter((p) => p.status !== 'running');
  return (
    <Text wrap='truncate'>
      {parts.map((p, i) => (
        <Text key={p.status}>
          {i > 0 ? '  ' : ''}
          <Txt
            tone={counts[p.status] > 0 ? STATUS_LABELS[p.status].tone : undefined}
            bold={counts[p.status] > 0 && p.status !== 'ok' && p.status !== 'pending' && p.status !== 'skipped'}
          >
            {p.text}
          </Txt>
        </Text>
      ))}
      {counts.running > 0 ? (
        <Txt tone='busy'>
          {'  '}
          <Spinner />
          {` running ${counts.running}`}
        </Txt>
      ) : snapshot.done ? (
        <Txt dim>{'  done'}</Txt>
      ) : null}
    </Text>
  );
}
