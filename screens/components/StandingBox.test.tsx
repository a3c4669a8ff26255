import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { stripAnsi } from '../testing/fixtures.js';
import { StandingBox, shortenHosts, standingRows } from './StandingBox.js';

afterEach(() => cleanup());

const W = {
  state: [
    'etcd is stopped on master-0.lab.example.com and master-1.lab.example.com.',
    "Every member's data is untouched in /var/lib/etcd.",
  ],
  next: 'To go on with the restore: `day2-tui resume R1`. To go back instead: `systemctl start etcd.service` on the stopped members.',
  cautions: ['The backup /backup/etcd-20240105 on master-0.lab.example.com is untouched.'],
};

test('title, the state, Next, the cautions; host names shortened for the screen', () => {
  const short = shortenHosts(W, ['master-0.lab.example.com', 'master-1.lab.example.com'], '.lab.example.com');
  const r = render(<StandingBox standing={short} width={80} height={standingRows(short, 80)} />);
  const f = stripAnsi(r.lastFrame());
  assert.match(f, /^ WHERE THE CLUSTER STANDS NOW/);
  assert.match(f, /^• etcd is stopped on master-0 and master-1\.$/m);
  assert.match(
    f,
    new RegExp(
      '^Next: To go on with the restore: `day2-tui resume R1`\\. To go back instead:\\n {6}' +
        '`systemctl start etcd\\.service` on the stopped members\\.$',
      'm',
    ),
  );
  assert.match(f, /^! The backup \/backup\/etcd-20240105 on master-0 is untouched\.$/m);
  assert.equal(shortenHosts(W, ['a'], ''), W, 'no common domain: as it is');
});

test('too few rows: Next is kept, what is left out is counted', () => {
  const r = render(<StandingBox standing={W} width={80} height={4} />);
  const f = stripAnsi(r.lastFrame());
  assert.match(f, /^Next: /m);
  assert.match(f, /\(\+\d more/);
  assert.ok(f.split('\n').length <= 4);
});
