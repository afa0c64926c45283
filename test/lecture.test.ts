// The worked examples of the lecture this project grew from, to 1e-12 in float64.
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';

const f64 = { dtype: 'float64', requiresGrad: true } as const;

function expectClose(got: number | number[], want: number | number[], tol = 1e-12): void {
  const g = Array.isArray(got) ? got : [got];
  const w = Array.isArray(want) ? want : [want];
  expect(g.length).toBe(w.length);
  g.forEach((v, i) => {
    expect(Math.abs(v - w[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i])));
  });
}

describe('lecture examples', () => {
  it('z = (x1 + 3·x2)² at (1, 2)', () => {
    const x1 = tg.tensor(1, f64);
    const x2 = tg.tensor(2, f64);
    const z = x1.add(x2.mul(3)).pow(2);
    z.backward();
    expect(z.item()).toBe(49);
    expect(x1.grad!.item()).toBe(14);
    expect(x2.grad!.item()).toBe(42);
  });

  it('q = sigmoid(w·x + b)', () => {
    const x = tg.tensor([1, -2, 3], f64);
    const w = tg.tensor([0.5, 0.3, 1], f64);
    const b = tg.tensor(-1.5, f64);
    const q = w.mul(x).sum().add(b).sigmoid();
    q.backward();
    expectClose(q.item(), 0.8021838885585817);
    expectClose(w.grad!.toArray() as number[], [0.15868489749561468, -0.31736979499122936, 0.47605469248684407]);
    expectClose(b.grad!.item(), 0.15868489749561468);
    expectClose(x.grad!.toArray() as number[], [0.07934244874780734, 0.047605469248684404, 0.15868489749561468]);
  });

  it('f(x, y) = x·y + sin(x) at (2, 3), exactly as in the README', () => {
    const x = tg.tensor(2, { dtype: 'float64', requiresGrad: true });
    const y = tg.tensor(3, { dtype: 'float64', requiresGrad: true });
    const f = x.mul(y).add(x.sin());
    f.backward();
    expectClose(f.item(), 6.909297426825682);
    expectClose(x.grad!.item(), 2.5838531634528574);
    expect(y.grad!.item()).toBe(2);
  });

  it('s = sum(3a³ − b²)', () => {
    const a = tg.tensor([2, 3], f64);
    const b = tg.tensor([6, 4], f64);
    const s = a.pow(3).mul(3).sub(b.pow(2)).sum();
    s.backward();
    expect(a.grad!.toArray()).toEqual([36, 81]);
    expect(b.grad!.toArray()).toEqual([-12, -8]);
  });

  it('S = W·X: dX = Wᵀ·dS and dW = dS·Xᵀ', () => {
    const W = tg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      f64,
    );
    const X = tg.tensor(
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
      f64,
    );
    const S = W.matmul(X);
    expect(S.toArray()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    const dS = tg.tensor(
      [
        [1, -1],
        [2, 0.5],
      ],
      { dtype: 'float64' },
    );
    S.backward(dS);
    // Hand-computed: dW = dS·Xᵀ, dX = Wᵀ·dS.
    expect(W.grad!.toArray()).toEqual([
      [7 - 8, 9 - 10, 11 - 12],
      [14 + 4, 18 + 5, 22 + 6],
    ]);
    expect(X.grad!.toArray()).toEqual([
      [1 + 8, -1 + 2],
      [2 + 10, -2 + 2.5],
      [3 + 12, -3 + 3],
    ]);
  });
});
