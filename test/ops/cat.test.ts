// cat: values along every dim (negative too), empty pieces, dtype promotion, a large input,
// gradcheck/gradgradcheck, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { expectClose, expectGradcheck, leaf } from '../helpers.js';
import { ravel, unravel } from '../reference/indexing.js';

/** Reference: out[p] = the tensor whose range along dim holds p[dim]. */
function refCat(ts: tg.Tensor[], dim: number): number[] {
  const shape = ts[0].shape.slice();
  shape[dim] = ts.reduce((s, t) => s + t.shape[dim], 0);
  const out: number[] = [];
  for (let k = 0; k < shape.reduce((a, b) => a * b, 1); k++) {
    const p = unravel(k, shape);
    let j = p[dim],
      i = 0;
    while (j >= ts[i].shape[dim]) j -= ts[i++].shape[dim];
    p[dim] = j;
    out.push(ts[i].data[ravel(p, ts[i].shape)]);
  }
  return out;
}

describe('cat', () => {
  it('joins along each dim, negative dims from the end', () => {
    const a = tg.tensor([
        [1, 2],
        [3, 4],
      ]),
      b = tg.tensor([[5, 6]]);
    expect(tg.cat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tg.cat([a, b.t()], -1).toArray()).toEqual([
      [1, 2, 5],
      [3, 4, 6],
    ]);
    for (const dim of [0, 1, 2, -1]) {
      const shapes = [0, 1, 2].map((i) => {
        const s = [2, 3, 4];
        s[(dim + 3) % 3] = i + 1;
        return s;
      });
      const ts = shapes.map((s, i) => leaf(s, { seed: i }));
      const y = tg.cat(ts, dim);
      expect(y.shape[(dim + 3) % 3]).toBe(6);
      expectClose(y, refCat(ts, (dim + 3) % 3), 0, 0);
    }
  });
  it('a single tensor gives a copy; empty pieces and size-0 dims work', () => {
    const a = tg.tensor([1, 2]);
    const c = tg.cat([a]);
    expect(c.toArray()).toEqual([1, 2]);
    expect(c.data).not.toBe(a.data);
    expect(tg.cat([tg.zeros([0, 3]), tg.ones([2, 3]), tg.zeros([0, 3])]).toArray()).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(tg.cat([tg.zeros([2, 0]), tg.zeros([2, 0])], 1).shape).toEqual([2, 0]);
    expect(tg.cat([tg.zeros([0, 2]), tg.zeros([0, 3])], 1).shape).toEqual([0, 5]);
  });
  it("a 1-D empty tensor joins tensors of any shape (PyTorch's legacy rule), so accumulators work", () => {
    let acc = tg.tensor([]);
    for (let i = 0; i < 2; i++) acc = tg.cat([acc, tg.full([1, 2], i)]);
    expect(acc.toArray()).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(tg.cat([tg.ones([2, 2]), tg.zeros([0])], 1).shape).toEqual([2, 2]);
    expect(tg.cat([tg.zeros([0]), tg.zeros([0])]).shape).toEqual([0]);
    expect(() => tg.cat([tg.zeros([2, 2]), tg.zeros([0, 3])])).toThrow(
      new RangeError(
        "cat: argument 'tensors[1]' has shape [0, 3] but must match tensors[0] [2, 2] in every dim except dim 0",
      ),
    );
    expectGradcheck((a: tg.Tensor, e: tg.Tensor) => tg.cat([e, a, e], 1), [leaf([2, 2]), leaf([0])]);
  });
  it('promotes dtypes (int32 with float64 gives float64) and keeps bool', () => {
    const y = tg.cat([tg.tensor([1, 2], { dtype: 'int32' }), tg.tensor([0.5], { dtype: 'float64' })]);
    expect(y.dtype).toBe('float64');
    expect(y.toArray()).toEqual([1, 2, 0.5]);
    expect(tg.cat([tg.tensor([true]), tg.tensor([false])]).toArray()).toEqual([true, false]);
  });
  it('a large cat along the last dim (1e6 elements) matches the reference pattern', () => {
    const a = tg.arange(500_000).reshape([1000, 500]),
      b = tg.arange(500_000).reshape([1000, 500]).neg();
    const y = tg.cat([a, b], 1);
    expect(y.shape).toEqual([1000, 1000]);
    expect([y.data[0], y.data[499], y.data[500], y.data[999], y.data[1000], y.data[999_999]]).toEqual([
      0, 499, -0, -499, 500, -499_999,
    ]);
  });
  it('gradcheck (with mixed requiresGrad and float32→float64 promotion) and gradgradcheck', () => {
    expectGradcheck((a: tg.Tensor, b: tg.Tensor) => tg.cat([a, b, a], 1), [leaf([2, 3]), leaf([2, 1], { seed: 2 })]);
    expectGradcheck((a: tg.Tensor) => tg.cat([a, tg.ones([1, 3], { dtype: 'float64' })], 0), [leaf([2, 3])]);
    expectGradcheck((a: tg.Tensor) => tg.cat([tg.zeros([0, 2], { dtype: 'float64' }), a], 0), [leaf([3, 2])]);
    expect(
      tg.autograd.gradgradcheck(
        (a: tg.Tensor, b: tg.Tensor) => tg.cat([a, b], -1).pow(2),
        [leaf([2, 2]), leaf([2, 3], { seed: 4 })],
      ),
    ).toBe(true);
    const a = leaf([2]),
      f = tg.tensor([1], { requiresGrad: true });
    tg.cat([a, f]).sum().backward();
    expect(a.grad!.toArray()).toEqual([1, 1]);
    expect(f.grad!.dtype).toBe('float32');
  });
  it('errors', () => {
    expect(() => tg.cat([])).toThrow(
      new RangeError("cat: argument 'tensors' must hold at least one Tensor, got an empty array"),
    );
    expect(() => tg.cat(tg.zeros([2]) as any)).toThrow(
      new TypeError("cat: argument 'tensors' must be an array of Tensors, got an object (Tensor)"),
    );
    expect(() => tg.cat([tg.zeros([2]), [1] as any])).toThrow(
      new TypeError("cat: argument 'tensors[1]' must be a Tensor, got an array"),
    );
    expect(() => tg.cat([tg.zeros([2]), tg.tensor(1)])).toThrow(
      new RangeError("cat: argument 'tensors[1]' is 0-d; zero-dimensional tensors cannot be concatenated (use stack)"),
    );
    expect(() => tg.cat([tg.zeros([2, 3]), tg.zeros([2, 4])])).toThrow(
      new RangeError(
        "cat: argument 'tensors[1]' has shape [2, 4] but must match tensors[0] [2, 3] in every dim except dim 0",
      ),
    );
    expect(() => tg.cat([tg.zeros([2, 3]), tg.zeros([2, 3, 1])], 1)).toThrow(
      new RangeError(
        "cat: argument 'tensors[1]' has shape [2, 3, 1] but must match tensors[0] [2, 3] in every dim except dim 1",
      ),
    );
    expect(() => tg.cat([tg.zeros([2])], 1)).toThrow(
      new RangeError('cat: dim 1 is out of range for a tensor of rank 1 (expected -1..0)'),
    );
    expect(() => tg.cat([tg.zeros([2])], '0' as any)).toThrow(
      new TypeError("cat: argument 'dim' must be a number, got a string (0)"),
    );
  });
});
