import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { ResolvedGate } from '../../src/engine/types.js';
import { stripAnsi } from '../testing/fixtures.js';
import { GateModal, gateModalHeight } from './GateModal.js';

afterEach(() => cleanup());

const M = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];

function show(gate: ResolvedGate, width = 80) {
  const height = gateModalHeight(gate, width);
  const r = render(<GateModal gate={gate} stepLabel='step 5/27 Move the data aside' destructive typed='' width={width} height={height} />);
  return { f: stripAnsi(r.lastFrame()), height };
}

test('type-host: the name beside its label when it fits; a long one on its own line, whole; the height counts it', () => {
  const one = show({ step: 's', kind: 'type-host', what: 'Removes a member.', hosts: [M[0]!], expect: M[2]! });
  assert.match(one.f, /To go on, type the host name exactly: master-2\.lab\.example\.com/);
  assert.equal(one.f.split('\n').length, one.height);
  const all = show({ step: 's', kind: 'type-host', what: 'Moves the data aside.', hosts: M, expect: M.join(',') });
  assert.match(
    all.f,
    /To go on, type the host name exactly: +║\n║ master-0\.lab\.example\.com,master-1\.lab\.example\.com,master-2\.lab\.example\.com +║/,
  );
  assert.equal(all.f.split('\n').length, all.height);
  const narrow = show({ step: 's', kind: 'type-host', what: 'Moves the data aside.', hosts: M, expect: M.join(',') }, 60);
  assert.match(narrow.f, /║ master-0\.lab\.example\.com,master-1\.lab\.example\.com, +║\n║ master-2\.lab\.example\.com +║/);
  assert.ok(narrow.f.split('\n').every((l) => [...l].length <= 60));
  assert.equal(narrow.f.split('\n').length, narrow.height);
});
