// The console's one running mark: ink-spinner's braille dots (one column each), in a tone of the theme
// (none under NO_COLOR). Every spinner on screen goes through here.
import InkSpinner from 'ink-spinner';
import { type Tone, Txt } from '../theme.js';

export function Spinner({ tone, bold }: { tone?: Tone; bold?: boolean }) {
  return (
    <Txt tone={tone} bold={bold}>
      <InkSpinner type='dots' />
    </Txt>
  );
}
