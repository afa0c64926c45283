// The addon's gemm epilogues (arguments 19–21), which tg.compile's fused plans use: the values equal
// the separate relu / reluMask·g kernels bit for bit, and bad arguments are refused by name.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

const relu = native.unaryOps.indexOf('relu');
const reluMask = native.unaryOps.indexOf('reluMask');
const mul = native.binaryOps.indexOf('mul');

function operands(m: number, n: number, k: number) {
  const fill = (len: number, seed: number) =>
    Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898 + seed) * 2);
  const a = fill(m * k, 1);
  a[3] = Number.NaN;
  return { a, b: fill(k * n, 2), bias: fill(n, 3), y: fill(m * n, 4) };
}

describe('gemm epilogues', () => {
  const [m, n, k] = [33, 70, 41];
  const { a, b, bias, y } = operands(m, n, k);
  const product = (c: Float32Array, epilogue?: 0 | 1 | 2, mask?: Float32Array) =>
    native.gemm(a, 0, k, 1, b, 0, n, 1, c, 0, n, 1, m, n, k, 1, 0, bias, 0, epilogue, mask ?? null, 0);

  it('relu: the relu kernel applied to the plain product', () => {
    const plain = new Float32Array(m * n);
    const fused = new Float32Array(m * n);
    product(plain);
    product(fused, 1);
    const want = new Float32Array(m * n);
    native.unary(relu, plain, want, 0, 0);
    expect(Array.from(fused)).toEqual(Array.from(want));
  });

  it('mask: the product times reluMask(y), as mul(g, reluMask(y))', () => {
    const plain = new Float32Array(m * n);
    const fused = new Float32Array(m * n);
    product(plain);
    product(fused, 2, y);
    const maskOf = new Float32Array(m * n);
    native.unary(reluMask, y, maskOf, 0, 0);
    const want = new Float32Array(m * n);
    native.binary(mul, plain, [n, 1], maskOf, [n, 1], want, [m, n]);
    expect(Array.from(fused)).toEqual(Array.from(want));
  });

  it('refuses a bad epilogue, a missing or short mask, and a mask that overlaps C', () => {
    const c = new Float32Array(m * n);
    expect(() => product(c, 3 as never)).toThrow(/^gemm: argument 19/);
    expect(() => product(c, 2)).toThrow(/^gemm: argument 20 must be a Float32Array/);
    expect(() => product(c, 2, new Float32Array(5))).toThrow(/^gemm: argument 20 must hold every element/);
    expect(() => product(c, 2, c)).toThrow(/^gemm: argument 8 must not overlap argument 20/);
  });
});
