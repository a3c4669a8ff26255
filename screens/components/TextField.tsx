// One line of typed text with a block cursor; secrets are masked (never shown).
import { Text } from 'ink';
import { truncate } from '../../src/model/text.js';
import { Txt } from '../theme.js';

export interface TextFieldProps {
  value: string;
  focused: boolean;
  width: number;
  mask?: boolean;
  placeholder?: string;
}

export function TextField({ value, focused, width, mask, placeholder }: TextFieldProps) {
  const shown = mask ? '•'.repeat([...value].length) : value;
  const room = Math.max(4, width - 5);
  // Keep the end (where the cursor is) in view.
  const chars = [...shown];
  const text = chars.length > room ? `…${chars.slice(chars.length - room + 1).join('')}` : shown;
  return (
    <Text wrap='truncate'>
      {'[ '}
      {text ? <Txt bold={focused}>{text}</Txt> : null}
      {focused ? <Txt inverse> </Txt> : ''}
      {!text && placeholder ? <Txt dim>{truncate(placeholder, room)}</Txt> : null}
      {' ]'}
    </Text>
  );
}
