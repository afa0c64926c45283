// Tensor basics and creation functions: shapes, dtypes, storage, printing, seeded randomness, errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';

describe('tensor()', () => {
  it('from numbers, nested arrays and typed arrays', () => {
    const s = tg.tensor(3.5);
    expect([s.shape, s.ndim, s.size, s.dtype, s.item()]).toEqual([[], 0, 1, 'float32', 3.5]);
    const m = tg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64' },
    );
    expect([m.shape, m.ndim, m.size]).toEqual([[2, 3], 2, 6]);
    expect(m.data).toBeInstanceOf(Float64Array);
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const buf = new Float32Array([1, 2, 3, 4]);
    const t = tg.tensor(buf, { shape: [2, 2] });
    expect(t.data).toBe(buf); // wrapped without a copy
    expect(tg.tensor(buf, { dtype: 'float64' }).data).toBeInstanceOf(Float64Array);
    expect(tg.tensor([true, false]).dtype).toBe('bool');
    expect(tg.tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tg.tensor([1, 2], { dtype: 'int32' }).data).toBeInstanceOf(Int32Array);
    expect(tg.tensor([[]]).shape).toEqual([1, 0]);
  });

  it('rejects bad data with messages that say what was given', () => {
    expect(() => tg.tensor('abc' as any)).toThrow(
      new TypeError('tensor: data must be a number, a nested array of numbers or a typed array, got a string (abc)'),
    );
    expect(() => tg.tensor([[1, 2], [3]])).toThrow(
      new TypeError('tensor: data is ragged: expected 2 entries at depth 1, got 1'),
    );
    expect(() => tg.tensor([1, 2], { dtype: 'float16' as any })).toThrow(
      new TypeError(`tensor: dtype must be 'float32', 'float64', 'int32' or 'bool', got "float16"`),
    );
    expect(() => tg.tensor(new Float32Array(4), { shape: [3] })).toThrow(
      new RangeError('tensor: shape [3] holds 3 elements but the data has 4'),
    );
    expect(() => tg.tensor(new Int16Array(2) as any)).toThrow(TypeError);
    expect(() => tg.tensor([1, 2]).item()).toThrow(
      new RangeError('item: only tensors with one element can be converted to a number, got shape [2]'),
    );
  });

  it('bool storage is 1 for any nonzero value (NaN included); int32 refuses what it cannot hold', () => {
    expect(tg.tensor([NaN, 0.5, 0, -2, 256], { dtype: 'bool' }).toArray()).toEqual([true, true, false, true, true]);
    expect(Array.from(tg.full([2], 2, { dtype: 'bool' }).data)).toEqual([1, 1]);
    expect(Array.from(tg.tensor(new Float32Array([0.25, 0]), { dtype: 'bool' }).data)).toEqual([1, 0]);
    expect(tg.tensor(2.7, { dtype: 'int32' }).item()).toBe(2);
    expect(() => tg.tensor([3e9], { dtype: 'int32' })).toThrow(
      new RangeError('tensor: value 3000000000 cannot be stored in an int32 tensor (range -2147483648..2147483647)'),
    );
    expect(() => tg.full([1], NaN, { dtype: 'int32' })).toThrow(
      new RangeError('full: value NaN cannot be stored in an int32 tensor (range -2147483648..2147483647)'),
    );
  });

  it('prints readably', () => {
    expect(tg.tensor([1, 2.5]).toString()).toBe('tensor([1., 2.5])');
    expect(
      tg
        .tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: 'float64', requiresGrad: true },
        )
        .toString(),
    ).toBe('tensor([[1., 2.],\n        [3., 4.]], dtype=float64, requiresGrad=true)');
    const y = tg.tensor([1], { requiresGrad: true }).mul(2);
    expect(y.toString()).toBe('tensor([2.], gradFn=<MulBackward>)');
    expect(String(tg.arange(100))).toContain('...');
  });
});

describe('creation functions', () => {
  it('zeros, ones, full, zerosLike, onesLike, arange, eye', () => {
    expect(tg.zeros([2, 2]).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(tg.ones([3], { dtype: 'int32' }).toArray()).toEqual([1, 1, 1]);
    expect(tg.full([2], 7).toArray()).toEqual([7, 7]);
    const like = tg.zerosLike(tg.ones([2, 3], { dtype: 'float64' }));
    expect([like.shape, like.dtype]).toEqual([[2, 3], 'float64']);
    expect(tg.onesLike(tg.zeros([2])).toArray()).toEqual([1, 1]);
    expect(tg.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(tg.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(tg.eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(tg.zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('rand and randn are seeded and reproducible', () => {
    tg.manualSeed(42);
    const a = tg.randn([1000], { dtype: 'float64' });
    const u = tg.rand([1000]);
    tg.manualSeed(42);
    expect(tg.randn([1000], { dtype: 'float64' }).toArray()).toEqual(a.toArray());
    expect(tg.rand([1000]).toArray()).toEqual(u.toArray());
    const mean = a.mean().item(),
      std = Math.sqrt(a.pow(2).mean().item() - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(std - 1)).toBeLessThan(0.1);
    expect(Math.min(...(u.data as Float32Array))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...(u.data as Float32Array))).toBeLessThan(1);
  });

  it('bad shapes and options are clear errors', () => {
    expect(() => tg.zeros([2, -1])).toThrow(
      new RangeError(
        "zeros: argument 'shape' must be an array of non-negative integers, got [2,-1] (entry 1 is negative)",
      ),
    );
    expect(() => tg.ones('3' as any)).toThrow(
      new TypeError("ones: argument 'shape' must be an array of non-negative integers, got a string (3)"),
    );
    expect(() => tg.randn([2], { dtype: 'int32' })).toThrow(
      new TypeError('randn: dtype must be float32 or float64, got int32'),
    );
    expect(() => tg.arange(0, 1, 0)).toThrow(new RangeError('arange: step must be non-zero, got 0'));
  });
});

describe('dtype conversion', () => {
  it('to/double/float convert and are differentiable', () => {
    const x = tg.tensor([1.5, 2], { requiresGrad: true });
    const d = x.double();
    expect(d.dtype).toBe('float64');
    d.mul(2).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(x.grad!.toArray()).toEqual([2, 2]);
    expect(tg.tensor([1.7]).to('int32').toArray()).toEqual([1]);
  });
});

describe('backend', () => {
  it('reports the kernel ISA and thread count; setNumThreads validates', () => {
    const info = tg.backendInfo();
    expect(['scalar', 'avx2', 'avx512']).toContain(info.isa);
    const before = tg.getNumThreads();
    tg.setNumThreads(1);
    expect(tg.getNumThreads()).toBe(1);
    tg.setNumThreads(before);
    expect(() => tg.setNumThreads(0)).toThrow(
      new RangeError("setNumThreads: argument 'n' must be an integer from 1 to 1024, got 0"),
    );
  });
});
