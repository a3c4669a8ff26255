// Colour is forced on for this process (FORCE_COLOR, read when Ink's chalk loads) so that the tone check
// is not vacuous.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

process.env['FORCE_COLOR'] = '3';
const { cleanup, render } = await import('ink-testing-library');
const { Text } = await import('ink');
const { Spinner } = await import('./Spinner.js');
const { ThemeProvider } = await import('../theme.js');
const { delay, stripAnsi, untilFrame } = await import('../testing/fixtures.js');

afterEach(() => cleanup());

test('one column wide in every frame, and it turns', async () => {
  const { lastFrame } = render(
    <Text>
      [<Spinner tone='busy' />]
    </Text>,
  );
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const f = stripAnsi(lastFrame());
    assert.match(f, /^\[\S\]$/u, `not one column between the brackets: ${JSON.stringify(f)}`);
    seen.add(f);
    await delay(40); // the interval between samples of its frames, not a wait for a change
  }
  // It turns: wait (bounded) for a second mark rather than count on one within the samples above.
  const later: string[] = [];
  await untilFrame(
    lastFrame,
    (f) => {
      later.push(f);
      seen.add(f);
      return seen.size > 1;
    },
    'a second mark',
  ).catch(() => undefined);
  for (const f of later) assert.match(f, /^\[\S\]$/u, `not one column between the brackets: ${JSON.stringify(f)}`);
  assert.ok(seen.size > 1, 'the mark never changed');
});

test('its tone colours it; without colour (NO_COLOR) no colour code, the mark stays', () => {
  const coloured = render(<Spinner tone='busy' />).lastFrame() ?? '';
  assert.match(coloured, /\x1b\[36m/, 'cyan for busy');
  const plain =
    render(
      <ThemeProvider color={false}>
        <Spinner tone='busy' bold />
      </ThemeProvider>,
    ).lastFrame() ?? '';
  assert.doesNotMatch(plain, /\x1b\[(3[0-9]|9[0-7])m/);
  assert.match(stripAnsi(plain), /^\S$/u);
});
