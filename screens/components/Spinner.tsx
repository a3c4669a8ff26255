// A running mark that turns slowly (4 frames a second: little to redraw over SSH).
import { useEffect, useState } from 'react';
import { Txt, type Tone } from '../theme.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner({ tone, bold }: { tone?: Tone; bold?: boolean }) {
  const [i, setI] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setI((n) => (n + 1) % FRAMES.length), 250);
    return () => clearInterval(t);
  }, []);
  return (
    <Txt tone={tone} bold={bold}>
      {FRAMES[i]}
    </Txt>
  );
}
