import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { ScreenContext, type ScreenFrame, type ScreenFrameProps, useScreen } from './context.js';

/** Shows what useScreen gives a screen; the frame itself goes to `seen`. */
const seen: { current?: ScreenFrame } = {};
function Probe(props: ScreenFrameProps) {
  const f = useScreen(props);
  seen.current = f;
  return <Text>{`${f.width}x${f.height} active=${f.active} bind=${f.bindKeys ? 'yes' : 'no'} footer=${f.onFooter ? 'yes' : 'no'}`}</Text>;
}

test('a screen reads the seven values from ScreenContext; a prop of the same name wins; alone, without either, it has defaults', () => {
  const calls: string[] = [];
  const frame: ScreenFrame = {
    width: 100,
    height: 30,
    active: false,
    bindKeys: () => {},
    onFooter: () => {},
    onGlobal: (what) => calls.push(`context ${what}`),
    onBack: () => calls.push('context back'),
  };
  const fromContext = render(
    <ScreenContext value={frame}>
      <Probe />
    </ScreenContext>,
  );
  assert.equal(fromContext.lastFrame(), '100x30 active=false bind=yes footer=yes');
  seen.current!.onBack();
  seen.current!.onGlobal('help');
  assert.deepEqual(calls.splice(0), ['context back', 'context help']);
  fromContext.unmount();

  const overridden = render(
    <ScreenContext value={frame}>
      <Probe width={60} active onBack={() => calls.push('prop back')} />
    </ScreenContext>,
  );
  assert.equal(overridden.lastFrame(), '60x30 active=true bind=yes footer=yes');
  seen.current!.onBack();
  seen.current!.onGlobal('help');
  assert.deepEqual(calls.splice(0), ['prop back', 'context help']);
  overridden.unmount();

  const alone = render(<Probe height={10} />);
  assert.equal(alone.lastFrame(), '80x10 active=true bind=no footer=no');
  seen.current!.onBack();
  seen.current!.onGlobal('quit');
  assert.deepEqual(calls, []);
  alone.unmount();
});
