// nn.init: PyTorch's fan and gain formulas, bounds and moments of each initialiser, seeding,
// in-place semantics (same tensor, version bumped), and errors.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { flat } from '../helpers.js';

const init = tg.nn.init;

function moments(t: tg.Tensor): { mean: number; variance: number; maxAbs: number } {
  const v = flat(t);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return { mean, variance, maxAbs: Math.max(...v.map(Math.abs)) };
}

describe('nn.init', () => {
  it('fans and gains as PyTorch', () => {
    expect(init.calculateFanInAndFanOut(tg.zeros([8, 3]))).toEqual([3, 8]);
    expect(init.calculateFanInAndFanOut(tg.zeros([16, 4, 3, 3]))).toEqual([36, 144]);
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateFanInAndFanOut(tg.zeros([3]))).toThrow(
      'calculateFanInAndFanOut: fan in and fan out need a tensor of rank >= 2, got shape [3]',
    );
  });

  it('kaiming/xavier uniform and normal have the documented bounds and variances', () => {
    tg.manualSeed(1);
    const t = tg.zeros([200, 300], { dtype: 'float64' });
    const ku = moments(init.kaimingUniform_(t)); // gain √2 (leaky_relu, a = 0), fanIn 300
    expect(ku.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    expect(ku.variance).toBeCloseTo(2 / 300, 4);
    const kn = moments(init.kaimingNormal_(t, { mode: 'fanOut', nonlinearity: 'relu' }));
    expect(kn.variance / (2 / 200)).toBeGreaterThan(0.97);
    expect(kn.variance / (2 / 200)).toBeLessThan(1.03);
    const xu = moments(init.xavierUniform_(t, 2));
    expect(xu.maxAbs).toBeLessThanOrEqual(2 * Math.sqrt(6 / 500));
    expect(xu.variance / ((4 * 2) / 500)).toBeCloseTo(1, 1);
    const xn = moments(init.xavierNormal_(t));
    expect(xn.variance / (2 / 500)).toBeCloseTo(1, 1);
    const u = moments(init.uniform_(t, -3, 5));
    expect(u.mean).toBeCloseTo(1, 1);
    const n = moments(init.normal_(t, 2, 0.5));
    expect(n.mean).toBeCloseTo(2, 2);
    expect(Math.sqrt(n.variance)).toBeCloseTo(0.5, 2);
    expect(flat(init.zeros_(t)).every((v) => v === 0)).toBe(true);
    expect(flat(init.ones_(t)).every((v) => v === 1)).toBe(true);
    expect(flat(init.constant_(t, 7)).every((v) => v === 7)).toBe(true);
  });

  it('works in place on parameters (same tensor, version bumped), seeded', () => {
    const p = tg.zeros([4, 5]).requiresGrad_(true);
    const v = p.version;
    tg.manualSeed(9);
    expect(init.kaimingUniform_(p)).toBe(p);
    expect(p.version).toBe(v + 1);
    const first = flat(p);
    tg.manualSeed(9);
    init.kaimingUniform_(p);
    expect(flat(p)).toEqual(first);
    expect(p.requiresGrad && p.isLeaf).toBe(true);
  });

  it('rejects bad arguments', () => {
    expect(() => init.uniform_(tg.zeros([2]), 1, 0)).toThrow('uniform_: expects a <= b, got a=1 and b=0');
    expect(() => init.normal_(tg.zeros([2]), 0, -1)).toThrow('normal_: std must be non-negative, got -1');
    expect(() => init.zeros_(tg.zeros([2], { dtype: 'int32' }))).toThrow(
      "zeros_: argument 'tensor' must be float32 or float64, got int32",
    );
    expect(() => init.kaimingNormal_(tg.zeros([2, 2]), { mode: 'fan_in' as never })).toThrow(
      `kaimingNormal_: mode must be 'fanIn' or 'fanOut', got "fan_in"`,
    );
    expect(() => init.xavierUniform_([1] as never)).toThrow(
      "xavierUniform_: argument 'tensor' must be a Tensor, got an array",
    );
  });
});
