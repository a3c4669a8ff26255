import assert from 'node:assert/strict';
import { test } from 'node:test';
import { osc52 } from './clipboard.js';

test('OSC 52: the text in base64 between ESC ] 52 ; c ; and BEL, whatever it holds', () => {
  assert.equal(osc52('etcdctl member list'), '\x1b]52;c;ZXRjZGN0bCBtZW1iZXIgbGlzdA==\x07');
  const tricky = "sed -i 's/a/b/' /etc/x; echo \x1b[31m ünï";
  const seq = osc52(tricky);
  assert.equal(Buffer.from(seq.slice(7, -1), 'base64').toString('utf8'), tricky);
  assert.doesNotMatch(seq.slice(7, -1), /[\x00-\x1f]/, 'no control character inside: it cannot end the sequence early');
});
