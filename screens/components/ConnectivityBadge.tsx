// One host's connectivity: a spinner while checking, then a symbol and a word (never colour alone).
import { Text } from 'ink';
import { CONNECTIVITY_LABELS } from '../../src/model/connectivity.js';
import type { Connectivity } from '../../src/transport/types.js';
import { Txt } from '../theme.js';
import { Spinner } from './Spinner.js';

/** Columns the badge takes at most ("! host key changed"). */
export const BADGE_WIDTH = 18;

export function ConnectivityBadge({ connectivity, inverse }: { connectivity: Connectivity | undefined; inverse?: boolean }) {
  const state = connectivity?.state ?? 'checking';
  const label = CONNECTIVITY_LABELS[state];
  if (state === 'checking') {
    return (
      <Text inverse={inverse}>
        <Spinner /> {label.word}
      </Text>
    );
  }
  return (
    <Txt tone={label.tone} bold={state !== 'ok'} inverse={inverse}>
      {label.symbol} {label.word}
    </Txt>
  );
}
