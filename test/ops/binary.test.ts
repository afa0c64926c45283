// Binary elementwise ops with NumPy broadcasting: forward values against a reference, gradients
// summed back to each input's shape (gradcheck), numbers as operands, dtype promotion, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, flat, leaf, positive } from '../helpers.js';

type Op = (a: tg.TensorLike, b: tg.TensorLike) => tg.Tensor;
const cases: [string, Op, (x: number, y: number) => number][] = [
  ['add', tg.add, (x, y) => x + y],
  ['sub', tg.sub, (x, y) => x - y],
  ['mul', tg.mul, (x, y) => x * y],
  ['div', tg.div, (x, y) => x / y],
  ['pow', tg.pow, Math.pow],
];

/** Reference broadcast: value of `x` (shape xs) at the multi-index of `out` (shape os). */
function broadcastRef(a: tg.Tensor, b: tg.Tensor, f: (x: number, y: number) => number): number[] {
  const os = a.ndim >= b.ndim ? [...a.shape] : [...b.shape];
  const n = Math.max(a.ndim, b.ndim);
  for (let i = 0; i < n; i++) {
    const da = a.shape[i - (n - a.ndim)] ?? 1,
      db = b.shape[i - (n - b.ndim)] ?? 1;
    os[i] = Math.max(da, db);
  }
  const size = os.reduce((p, d) => p * d, 1);
  const at = (t: tg.Tensor, idx: number[]) => {
    let off = 0;
    for (let d = 0; d < t.ndim; d++) off = off * t.shape[d] + (t.shape[d] === 1 ? 0 : idx[d + (n - t.ndim)]);
    return t.data[off];
  };
  const out: number[] = [];
  for (let k = 0; k < size; k++) {
    const idx: number[] = [];
    for (let d = n - 1, r = k; d >= 0; d--) {
      idx[d] = r % os[d];
      r = Math.floor(r / os[d]);
    }
    out.push(f(at(a, idx), at(b, idx)));
  }
  return out;
}

const shapePairs: [number[], number[]][] = [
  [[5], [5]],
  [[2, 3], [3]],
  [
    [2, 3],
    [2, 1],
  ],
  [
    [4, 1, 3],
    [1, 5, 1],
  ],
  [[2, 3, 4], []],
  [[], [3]],
  [[1], [2, 2]],
];

describe.each(cases)('%s', (name, op, ref) => {
  const left = (shape: number[]) => (name === 'pow' ? positive(shape, 0.5, 2, 11) : leaf(shape, { seed: 11 }));
  const right = (shape: number[]) => (name === 'div' ? positive(shape, 0.5, 2, 12) : leaf(shape, { seed: 12 }));

  it.each(shapePairs)('forward with broadcasting: %j ∘ %j', (sa, sb) => {
    const a = left(sa),
      b = right(sb);
    const y = op(a, b);
    expectClose(y, broadcastRef(a, b, ref), 1e-15, 1e-14);
  });

  it.each(shapePairs)('gradcheck with broadcasting: %j ∘ %j', (sa, sb) => {
    expectGradcheck(op, [left(sa), right(sb)]);
  });

  it('native-sized broadcast (row vector over a 150×200 matrix) matches the reference', () => {
    const a = left([150, 200]),
      b = right([200]);
    expectClose(op(a, b), broadcastRef(a, b, ref), 1e-15, 1e-13);
    const c = left([150, 1]);
    expectClose(op(c, b), broadcastRef(c, b, ref), 1e-15, 1e-13);
  });

  it('accepts numbers on either side', () => {
    const a = left([3]);
    expectClose(
      op(a, 2),
      flat(a).map((v) => ref(v, 2)),
      0,
      1e-15,
    );
    expectClose(
      op(2, a),
      flat(a).map((v) => ref(2, v)),
      0,
      1e-15,
    );
    expectGradcheck((x: tg.Tensor) => op(x, 3), [left([3])]);
    expectGradcheck((x: tg.Tensor) => op(1.5, x), [name === 'div' ? right([3]) : left([3])]);
  });

  it('gradcheck of the second derivative', () => {
    expect(tg.autograd.gradgradcheck(op, [left([2, 3]), right([3])])).toBe(true);
  });

  it('rejects incompatible shapes, naming the op and both shapes', () => {
    expect(() => op(tg.zeros([2, 3]), tg.zeros([4]))).toThrow(
      new RangeError(`${name}: shapes [2, 3] and [4] cannot be broadcast together (dim -1 is 3 vs 4)`),
    );
  });

  it('rejects a non-tensor operand', () => {
    expect(() => op(tg.zeros([2]), 'x' as any)).toThrow(
      new TypeError(
        `${name}: argument '${name === 'pow' ? 'exponent' : 'b'}' must be a Tensor or a number, got a string (x)`,
      ),
    );
  });
});

describe('dtype promotion', () => {
  it('float32 with float64 gives float64 and each gradient keeps its input dtype', () => {
    const a = tg.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tg.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const y = a.mul(b);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(b.grad!.dtype).toBe('float64');
    expect(a.grad!.toArray()).toEqual([3, 4]);
  });

  it('a 0-d tensor does not widen a tensor with dims of its category (PyTorch rule)', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const s = tg.tensor(0.5, { dtype: 'float64', requiresGrad: true });
    const y = x.mul(s);
    expect(y.dtype).toBe('float32');
    y.sum().backward();
    expect([x.grad!.dtype, s.grad!.dtype]).toEqual(['float32', 'float64']);
    expect(s.grad!.item()).toBe(3);
    expect(tg.tensor([1, 2], { dtype: 'int32' }).add(tg.tensor(0.5, { dtype: 'float64' })).dtype).toBe('float32');
    expect(tg.tensor(1, { dtype: 'float64' }).add(tg.tensor(2)).dtype).toBe('float64'); // both 0-d: ordinary promotion
    expect(tg.tensor([1], { dtype: 'float64' }).add(tg.tensor(2)).dtype).toBe('float64');
  });

  it('numbers do not widen float32; int32 ÷ int32 is float32', () => {
    expect(tg.tensor([1, 2]).mul(0.1).dtype).toBe('float32');
    expect(tg.tensor([1, 2], { dtype: 'int32' }).add(1).dtype).toBe('int32');
    expect(tg.tensor([1, 2], { dtype: 'int32' }).mul(0.5).dtype).toBe('float32');
    expect(tg.div(tg.tensor([1], { dtype: 'int32' }), tg.tensor([2], { dtype: 'int32' })).toArray()).toEqual([0.5]);
  });
});

describe('a number operand of a float32 op', () => {
  it('is rounded to float32 first, as PyTorch and the native path (small and large tensors agree)', () => {
    // torch: (torch.tensor([0.1]) - 0.1).item() → 0.0; (torch.tensor([0.1]) * 0.1).item() → 0.010000000707805157
    for (const n of [1, 20000]) {
      const x = tg.full([n], 0.1);
      expect(x.sub(0.1).data[0]).toBe(0);
      expect(tg.sub(0.1, x).data[0]).toBe(0);
      expect(x.mul(0.1).data[0]).toBe(0.010000000707805157);
      expect(Number.isNaN(tg.zeros([n]).mul(1e39).data[0])).toBe(true); // 1e39 is +inf in float32
      expect(tg.full([n], 0.1).sub_(0.1).data[0]).toBe(0);
    }
  });
});

describe('pow special cases', () => {
  it('d/da of a^0 is 0 and d/db at a = 0 is 0 for b ≥ 0 (as PyTorch)', () => {
    const a = tg.tensor([0, 2], { dtype: 'float64', requiresGrad: true });
    const b = tg.tensor([0, 3], { dtype: 'float64', requiresGrad: true });
    a.pow(b).sum().backward();
    expect(flat(a.grad!)).toEqual([0, 12]);
    expectClose(b.grad!, [0, 8 * Math.log(2)]);
  });

  it('1^y = 1 for any y (NaN too) and (−1)^±∞ = 1, as C pow and PyTorch (JS Math.pow gives NaN)', () => {
    // torch.tensor([1., -1, 1, -1]).pow(torch.tensor([nan, inf, -inf, -inf])) → [1, 1, 1, 1]
    for (const dtype of ['float32', 'float64'] as const) {
      const base = tg.tensor([1, -1, 1, -1, 2], { dtype });
      const expo = tg.tensor([NaN, Infinity, -Infinity, -Infinity, NaN], { dtype });
      expect(flat(base.pow(expo)).map(String)).toEqual(['1', '1', '1', '1', 'NaN']);
      expect(flat(tg.tensor([1, 1], { dtype }).pow(NaN))).toEqual([1, 1]);
      expect(flat(tg.tensor([-1], { dtype }).pow(Infinity))).toEqual([1]);
      expect(flat(tg.pow(1, tg.tensor([NaN, Infinity], { dtype })))).toEqual([1, 1]);
      expect(flat(tg.pow(-1, tg.tensor([-Infinity], { dtype })))).toEqual([1]);
    }
  });

  it('x.pow(2) and x.pow(0.5) have the right gradients', () => {
    const x = tg.tensor([4], { dtype: 'float64', requiresGrad: true });
    x.pow(2).add(x.pow(0.5)).sum().backward();
    expectClose(x.grad!, [8 + 0.25]);
  });
});
