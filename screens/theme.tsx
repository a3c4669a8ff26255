// Colour is an extra, never the only signal: with NO_COLOR / --no-color no colour code is written,
// and every state still carries a symbol and a word.

import { Text } from 'ink';
import { createContext, type ReactNode, useContext } from 'react';

export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'accent' | 'demo' | 'plain';

const TONE_COLOR: Record<Tone, string | undefined> = {
  ok: 'green',
  bad: 'red',
  warn: 'yellow',
  busy: 'cyan',
  accent: 'cyan',
  demo: 'yellow',
  plain: undefined,
};

export interface Theme {
  color: boolean;
}

const ThemeContext = createContext<Theme>({ color: true });

export function ThemeProvider({ color, children }: { color: boolean; children: ReactNode }) {
  return <ThemeContext.Provider value={{ color }}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

/** The colour for a tone, or undefined when colour is off. */
export function useToneColor(tone: Tone | undefined): string | undefined {
  const { color } = useTheme();
  return color && tone ? TONE_COLOR[tone] : undefined;
}

export interface TxtProps {
  tone?: Tone;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
  underline?: boolean;
  wrap?: 'wrap' | 'truncate' | 'truncate-end' | 'truncate-middle' | 'truncate-start';
  children?: ReactNode;
}

/** Ink's Text with colour taken from the theme (none under NO_COLOR); bold/inverse/dim stay. */
export function Txt({ tone, bold, dim, inverse, underline, wrap, children }: TxtProps) {
  const color = useToneColor(tone);
  return (
    <Text color={color} bold={bold} dimColor={dim} inverse={inverse} underline={underline} wrap={wrap}>
      {children}
    </Text>
  );
}

/** NO_COLOR (any non-empty value) or --no-color. */
export function colorWanted(env: NodeJS.ProcessEnv, noColorOption?: boolean): boolean {
  if (noColorOption) return false;
  const v = env['NO_COLOR'];
  return v === undefined || v === '';
}
