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
  let scale = 1e-30,
    worst = 0;
  for (let i = 0; i < b.size; i++) scale = Math.max(scale, Math.abs(b.data[i]));
  for (let i = 0; i < a.size; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  expect(worst).toBeLessThanOrEqual(1e-6 * scale);
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

  it('keeps the event loop turning during a large backward (and the synchronous backward blocks it)', async () => {
    tg.manualSeed(9);
    const n = 1024;
    const w1 = tg
      .randn([n, n])
      .mul(1 / 32)
      .requiresGrad_();
    const w2 = tg
      .randn([n, n])
      .mul(1 / 32)
      .requiresGrad_();
    const x = tg.randn([n, n]);
    /** The worst gap between ticks of a 5 ms interval while body runs, and how long body took. */
    const watch = async (body: () => Promise<void> | void) => {
      const stamps: number[] = [];
      const timer = setInterval(() => stamps.push(performance.now()), 5);
      await new Promise((r) => setTimeout(r, 12)); // the interval is running
      const t0 = performance.now();
      await body();
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 12));
      clearInterval(timer);
      // Gaps between consecutive ticks from t0 up to the first tick after body finished.
      let worst = 0,
        previous = t0;
      for (const stamp of stamps) {
        if (stamp < t0) continue;
        worst = Math.max(worst, stamp - previous);
        previous = stamp;
        if (stamp >= t1) break;
      }
      return { worst: worst - 5, took: t1 - t0 };
    };
    const forward = () => tg.matmulAsync(x, w1).then((h) => tg.matmulAsync(h.relu(), w2));
    const asyncRun = await watch(async () => {
      for (let i = 0; i < 2; i++) await (await forward()).sum().backwardAsync();
    });
    const gradAsync = w1.grad!.clone();
    w1.grad = null;
    w2.grad = null;
    const syncRun = await watch(() => {
      for (let i = 0; i < 2; i++) x.matmul(w1).relu().matmul(w2).sum().backward();
    });
    // The synchronous run blocks for about its whole duration; the async one only for its JS parts
    // (a relu and a sum here). Loose bounds: the kernel threads share a small machine's cores with this one.
    expect(syncRun.took).toBeGreaterThan(30);
    expect(syncRun.worst).toBeGreaterThan(syncRun.took * 0.5);
    expect(asyncRun.worst).toBeLessThan(Math.max(50, asyncRun.took * 0.5));
    close(gradAsync, w1.grad!);
  }, 60_000);
});
