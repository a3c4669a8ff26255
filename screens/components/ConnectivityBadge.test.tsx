import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { ConnectivityState } from '../../src/transport/types.js';
import { stripAnsi } from '../testing/fixtures.js';
import { BADGE_WIDTH, ConnectivityBadge } from './ConnectivityBadge.js';

afterEach(() => cleanup());

test('every state is a symbol and a word that fit the badge column', () => {
  const expected: Record<Exclude<ConnectivityState, 'checking'>, string> = {
    ok: '✓ ok',
    'auth-failed': '✗ auth failed',
    'host-key-unknown': '? host key unknown',
    'host-key-changed': '! host key changed',
    unreachable: '✗ unreachable',
  };
  for (const [state, text] of Object.entries(expected)) {
    const { lastFrame, unmount } = render(<ConnectivityBadge connectivity={{ state: state as ConnectivityState }} />);
    assert.equal(stripAnsi(lastFrame()), text);
    assert.ok(text.length <= BADGE_WIDTH);
    unmount();
  }
});

test('checking shows a spinner and the word', () => {
  const { lastFrame } = render(<ConnectivityBadge connectivity={undefined} />);
  assert.match(stripAnsi(lastFrame()), /^\S checking$/);
});
