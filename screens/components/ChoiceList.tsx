// Pick one of a short list (a parameter's choices: yes/no, fixed values, the hosts of a role; the
// interrupted run to resume), drawn by ink-select-input: the picked row is ● in inverse bold, the others
// ○ (never colour alone); past `limit` rows the list scrolls and "i of n" is said under it.
//
// The keys are not ink-select-input's own: it reads each read() of the terminal as one key, so "jj" arriving
// in one read (over SSH, tmux send-keys) would move nothing and "j⏎" would lose the move, and it goes round
// the ends. The screen feeds the list's keys from the App's key router through choiceAfterKey (↑↓ j k, one
// press at a time, stopping at the ends) and keeps the value; the list is mounted again at each value
// (its initialIndex), so what it shows is always the screen's value.
import { Box, type Key } from 'ink';
import SelectInput from 'ink-select-input';
import { fit } from '../../src/model/text.js';
import { Txt } from '../theme.js';

export interface ChoiceOption {
  value: string;
  label: string;
}

export interface ChoiceListProps {
  options: readonly ChoiceOption[];
  /** The picked value (the first choice is shown picked when it is none of them). */
  value: string;
  /** Columns of a row, its mark included. */
  width: number;
  /** Rows of choices at most. */
  limit?: number;
  /** Columns before the marks. */
  indent?: number;
}

export const CHOICE_LIMIT = 5;

/** The value after a key of the list (↓ or j: the next, ↑ or k: the one before, stopping at the ends); undefined for any other key. */
export function choiceAfterKey(options: readonly ChoiceOption[], value: string, input: string, key: Key): string | undefined {
  if (options.length === 0) return undefined;
  const delta = input === 'j' || key.downArrow ? 1 : input === 'k' || key.upArrow ? -1 : 0;
  if (delta === 0) return undefined;
  const i = Math.max(
    0,
    options.findIndex((o) => o.value === value),
  );
  return options[Math.max(0, Math.min(options.length - 1, i + delta))]!.value;
}

/** Rows the list takes: the choices shown, and the "i of n" line when they do not all fit. */
export function choiceListHeight(count: number, limit = CHOICE_LIMIT): number {
  return Math.max(1, Math.min(limit, count) + (count > limit ? 1 : 0));
}

function Mark({ isSelected }: { isSelected?: boolean }) {
  return (
    <Txt inverse={isSelected} bold={isSelected}>
      {isSelected ? '● ' : '○ '}
    </Txt>
  );
}

function Label({ isSelected, label }: { isSelected?: boolean; label: string }) {
  return (
    <Txt inverse={isSelected} bold={isSelected} wrap='truncate'>
      {label}
    </Txt>
  );
}

export function ChoiceList({ options, value, width, limit = CHOICE_LIMIT, indent = 4 }: ChoiceListProps) {
  if (options.length === 0) return null;
  const index = Math.max(
    0,
    options.findIndex((o) => o.value === value),
  );
  const room = Math.max(1, width - indent - 2);
  // the label padded to the row's width: the picked row's inverse bar is as wide as the list
  const items = options.map((o) => ({ key: o.value || '(none)', value: o.value, label: fit(o.label, room) }));
  return (
    <Box flexDirection='column' paddingLeft={indent}>
      <SelectInput
        key={options[index]!.value}
        items={items}
        initialIndex={index}
        limit={limit}
        isFocused={false}
        indicatorComponent={Mark}
        itemComponent={Label}
      />
      {options.length > limit ? <Txt dim>{`${index + 1} of ${options.length} (↑↓)`}</Txt> : null}
    </Box>
  );
}
