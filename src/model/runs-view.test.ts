import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runName, runsColumns } from './runs-view.js';

test('runsColumns: the ids whole; the procedure column goes first when the ids name it, else the start time', () => {
  const named = [{ runId: '20261125-042150-etcd-snapshot-restore-unjo', procedure: 'etcd-snapshot-restore' }];
  assert.deepEqual(runsColumns(named, 120), { started: true, procedure: true });
  assert.deepEqual(runsColumns(named, 80), { started: true, procedure: false });
  assert.deepEqual(runsColumns(named, 60), { started: false, procedure: false });
  const bare = [{ runId: '20240430-221500-cd34', procedure: 'etcd-restore' }];
  assert.deepEqual(runsColumns(bare, 80), { started: true, procedure: true });
  assert.deepEqual(runsColumns(bare, 60), { started: false, procedure: true });
  assert.equal(runName(named[0]!), named[0]!.runId);
  assert.equal(runName(bare[0]!), 'etcd-restore 20240430-221500-cd34');
});
