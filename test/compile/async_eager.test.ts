// tg.matmulAsync and t.backwardAsync: the same values as the synchronous calls, the tensors involved
// locked until the promise settles, errors named, and a graph with a hook refused without leaving
// uncomputed gradients behind.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

const same = (a: tg.Tensor, b: tg.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data)).toEqual(Array.from(b.data));
};

const close = (a: tg.Tensor, b: tg.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const scale = Math.max(...Array.from(b.data, Math.abs), 1e-30);
  for (let i = 0; i < a.size; i++) expect(Math.abs(a.data[i] - b.data[i])).toBeLessThanOrEqual(1e-6 * scale);
};

describe('async eager calls', () => {
  it('matmulAsync gives matmul, with autograd wired', async () => {
    tg.manualSeed(3);
    const w = tg.randn([200, 300]).requiresGrad_();
    const x = tg.randn([300, 40]);
    const s = await tg.matmulAsync(w, x);
    same(s, w.matmul(x));
    expect(s.requiresGrad).toBe(true);
    s.sum().backward();
    const viaAsync = w.grad!.clone();
    w.grad = null;
    w.matmul(x).sum().backward();
    same(viaAsync, w.grad!);
  });

  it('backwardAsync accumulates what backward does, through a small network', async () => {
    tg.manualSeed(4);
    const w1 = tg.randn([64, 32]).requiresGrad_();
    const w2 = tg.randn([32, 10]).requiresGrad_();
    const x = tg.randn([16, 64]);
    const y = tg.tensor(
      Int32Array.from({ length: 16 }, (_, i) => i % 10),
      { dtype: 'int32' },
    );
    const loss = () => tg.nn.functional.crossEntropy(x.matmul(w1).relu().matmul(w2), y);
    await loss().backwardAsync();
    await loss().backwardAsync(); // accumulates
    const [g1, g2] = [w1.grad!.clone(), w2.grad!.clone()];
    w1.grad = null;
    w2.grad = null;
    loss().backward();
    loss().backward();
    // Small kernels run in JS eagerly and natively when deferred: equal to float32 rounding.
    close(g1, w1.grad!);
    close(g2, w2.grad!);
  });

  it('locks the tensors involved until the promise settles', async () => {
    const w = tg.randn([128, 128]);
    const pending = tg.matmulAsync(w, w);
    expect(() => w.add(1)).toThrow(/add: .*in use by an async call.*matmulAsync/);
    const s = await pending;
    expect(w.add(1).shape).toEqual([128, 128]);
    same(s, w.matmul(w));
  });

  it('names itself for bad arguments, synchronously', () => {
    expect(() => tg.matmulAsync(5 as never, tg.ones([2, 2]))).toThrow(/^matmulAsync: argument 'a' must be a Tensor/);
  });

  it('rejects a shape mismatch with matmul’s message', async () => {
    await expect(tg.matmulAsync(tg.ones([2, 3]), tg.ones([2, 3]))).rejects.toThrow(/^matmul: /);
  });

  it('refuses a graph with a hook, leaving the gradients an eager pass would', async () => {
    const w = tg.randn([8, 8]).requiresGrad_();
    const v = tg.randn([8, 8]).requiresGrad_();
    v.registerHook(() => undefined);
    const loss = w.mul(2).add(v).sum();
    await expect(loss.backwardAsync()).rejects.toThrow(/hook/);
    expect(() => w.add(1)).not.toThrow(); // nothing stays locked
    if (w.grad !== null) expect(Array.from(w.grad.data).every((g) => g === 2)).toBe(true);
  });
});
