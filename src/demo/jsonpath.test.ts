import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonpath } from './jsonpath.js';

const nodes = {
  items: [
    {
      metadata: { name: 'a', labels: { 'node-role.kubernetes.io/master': 'true' } },
      spec: { unschedulable: true },
      status: {
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'DiskPressure', status: 'False' },
        ],
        addresses: [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'Hostname', address: 'a' },
        ],
      },
    },
    { metadata: { name: 'b', labels: {} }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'Unknown' }], addresses: [] } },
  ],
};

test('jsonpath: range, filters, escaped dots, literals; missing keys print nothing', () => {
  const t =
    '{range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\t"}{.spec.unschedulable}{"\\t"}' +
    '{.metadata.labels.node-role\\.kubernetes\\.io/master}{"\\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}';
  assert.equal(jsonpath(t, nodes), 'a\tTrue\ttrue\ttrue\t10.0.0.1\nb\tUnknown\t\t\t\n');
  assert.equal(jsonpath('{.spec.unschedulable}', nodes.items[1]), '');
  assert.equal(jsonpath('{.items[*].metadata.name}', nodes), 'a b');
  assert.equal(jsonpath('{.items[0].status.conditions[?(@.type!="Ready")].type}', nodes), 'DiskPressure');
  assert.equal(jsonpath('{.spec}', nodes.items[0]), '{"unschedulable":true}');
  assert.equal(jsonpath('.items[1].metadata.name', nodes), 'b');
  assert.throws(() => jsonpath('{range .items[*]}{.x}', nodes), /without \{end\}/);
});
