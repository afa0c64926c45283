// Nothing grows without bound: 20 000 small training steps keep the JS heap and external memory flat.
// The graph is owned by the tensors that depend on it, so the garbage collector frees it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import * as tg from '../lib/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function usage(): { heap: number; external: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

it('20 000 forward+backward steps leave heap and external memory flat', () => {
  tg.manualSeed(0);
  const w = tg.randn([16, 16], { requiresGrad: true });
  const b = tg.zeros([16], { requiresGrad: true });
  const x = tg.randn([4, 16]);
  const step = () => {
    const loss = x.matmul(w).add(b).tanh().pow(2).mean();
    loss.backward();
    tg.noGrad(() => {
      w.sub_(w.grad!.mul(0.01));
      b.sub_(b.grad!.mul(0.01));
    });
    w.grad = null;
    b.grad = null;
    return loss;
  };
  for (let i = 0; i < 2000; i++) step();
  const before = usage();
  let last = step();
  for (let i = 0; i < 18000; i++) last = step();
  const after = usage();
  expect(Number.isFinite(last.item())).toBe(true);
  // A leak of even one small tensor per step would be ~18 000 × ≥ 100 bytes ≈ 2 MB.
  expect(after.heap - before.heap).toBeLessThan(1_000_000);
  expect(after.external - before.external).toBeLessThan(1_000_000);
});
