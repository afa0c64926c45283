// End-to-end training: a 2-layer MLP (Linear → activation → Linear) with crossEntropy and Adam learns
// XOR and a 3-arm 2-D spiral (generated here with a fixed seed) to ≥ 99% training accuracy.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

function accuracy(logits: tg.Tensor, labels: Int32Array): number {
  const pred = logits.max(1).indices.data;
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}

/** Full-batch training; returns the final training accuracy and loss. */
function train(
  model: tg.nn.Module,
  x: tg.Tensor,
  y: Int32Array,
  steps: number,
  lr: number,
): { acc: number; loss: number } {
  const opt = new tg.optim.Adam(model.parameters(), { lr });
  const target = tg.tensor(y);
  let loss = Infinity;
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const l = tg.nn.functional.crossEntropy(model.call(x), target);
    l.backward();
    opt.step();
    loss = l.item();
  }
  return { acc: tg.noGrad(() => accuracy(model.call(x), y)), loss };
}

/** K spiral arms of n points each: radius 1/n..1, angle 4k..4(k+1) plus N(0, noise²) (CS231n's dataset). */
function spiral(n: number, k: number, noise: number): { x: tg.Tensor; y: Int32Array } {
  const xs = new Float32Array(n * k * 2);
  const ys = new Int32Array(n * k);
  const jitter = tg.randn([n * k]).data;
  for (let c = 0; c < k; c++)
    for (let i = 0; i < n; i++) {
      const j = c * n + i;
      const r = (i + 1) / n; // from 1/n, not 0: at r = 0 the arms' first points would coincide
      const t = 4 * c + (4 * i) / (n - 1) + noise * jitter[j];
      xs[2 * j] = r * Math.sin(t);
      xs[2 * j + 1] = r * Math.cos(t);
      ys[j] = c;
    }
  return { x: tg.tensor(xs, { shape: [n * k, 2] }), y: ys };
}

describe('training', () => {
  it('learns XOR', () => {
    tg.manualSeed(0);
    const model = new tg.nn.Sequential(new tg.nn.Linear(2, 8), new tg.nn.Tanh(), new tg.nn.Linear(8, 2));
    const x = tg.tensor([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = Int32Array.from([0, 1, 1, 0]);
    const { acc, loss } = train(model, x, y, 300, 0.05);
    expect(acc).toBe(1);
    expect(loss).toBeLessThan(0.05);
  });

  it('learns a 3-arm spiral to ≥ 99% training accuracy', () => {
    tg.manualSeed(42);
    const { x, y } = spiral(100, 3, 0.2);
    const model = new tg.nn.Sequential(new tg.nn.Linear(2, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 3));
    const start = performance.now();
    const { acc } = train(model, x, y, 1500, 0.02);
    const seconds = (performance.now() - start) / 1000;
    expect(acc).toBeGreaterThanOrEqual(0.99);
    expect(seconds).toBeLessThan(10);
  });
});
