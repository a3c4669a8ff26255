import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { ConnectivityMonitor } from '../../src/model/connectivity.js';
import { FakeRunner, testInventory, untilFrame } from '../testing/fixtures.js';
import { useConnectivity } from './useConnectivity.js';

afterEach(() => cleanup());

function Probe({ monitor }: { monitor: ConnectivityMonitor }) {
  const snap = useConnectivity(monitor);
  return <Text>{[...snap.entries()].map(([h, c]) => `${h.split('.')[0]}=${c.state}`).join(' ')}</Text>;
}

test('the component re-renders on every change of the monitor', async () => {
  const runner = new FakeRunner().holdProbes();
  const monitor = new ConnectivityMonitor(testInventory(), runner);
  const { lastFrame } = render(<Probe monitor={monitor} />);
  assert.match(lastFrame() ?? '', /master-0=checking/);
  runner.answerProbe('master-0.example.com', { state: 'ok' });
  await untilFrame(lastFrame, /master-0=ok/);
  assert.match(lastFrame() ?? '', /master-0=ok/);
  monitor.reprobe('master-0.example.com');
  await untilFrame(lastFrame, /master-0=checking/);
  assert.match(lastFrame() ?? '', /master-0=checking/);
  monitor.dispose();
});
