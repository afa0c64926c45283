// The elementwise op table: one row per op (lib/ops/table.ts derives the Function, tg.<op>, the Tensor
// method and README's line). Unary ops are computed by the kernel of the same name in
// lib/kernels/elementwise.ts, which the addon must export too. Backward formulas follow PyTorch's
// derivatives.yaml, including its operand order where that changes float rounding.
import { binary, unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { eq, ge, gt, lt } from './compare.js';
import { binaryOp, unaryOp } from './table.js';
import { toDtype } from './to_dtype.js';
import { where } from './where.js';

// ---- binary (broadcasting; either operand may be a number) -----------------------------------------

export const add = binaryOp('add', { doc: 'a + b', grad: ['1', '1'], saves: 'none', a: (g) => g, b: (g) => g });

export const sub = binaryOp('sub', {
  doc: 'a − b', grad: ['1', '−1'], saves: 'none', a: (g) => g, b: (g) => neg(g),
});

export const mul = binaryOp('mul', {
  doc: 'a · b', grad: ['b', 'a'], saves: 'inputs',
  a: (g, _a, b) => mul(g, b),
  b: (g, a) => mul(g, a),
});

export const div = binaryOp('div', {
  doc: 'a / b (true division)', grad: ['1/b', '−a/b²'], saves: 'inputs',
  a: (g, _a, b) => div(g, b),
  b: (g, a, b) => neg(mul(div(g, b), div(a, b))),
});

export const pow = binaryOp('pow', {
  doc: 'aᵇ', grad: ['b·aᵇ⁻¹ (0 where a = b = 0)', 'aᵇ·ln a (0 where a = 0, b ≥ 0)'],
  saves: 'inputsAndOutput', args: ['a', 'exponent'],
  forward: (a, b) => (a instanceof Tensor && typeof b === 'number' ? unary('powScalar', a, b) : binary('pow', a, b)),
  a: (g, a, b) => {
    const x = a as Tensor; // a number base makes a a constant: no gradient asked
    if (typeof b === 'number')
      return b === 0 ? mul(g, 0) : b === 1 ? g : b === 2 ? mul(g, mul(x, 2)) : mul(g, mul(pow(x, b - 1), b));
    if (b.data.some((v) => v === 0) && x.data.some((v) => v === 0)) {
      // b·a^(b−1) is 0 where a = b = 0 (the formula gives 0·0^(−1) = NaN). Masked with where, before and after
      // the formula, so every other entry keeps its graph and none turns NaN.
      const bothZero = logicalAnd(eq(x, 0), eq(b, 0));
      return mul(g, where(bothZero, 0, mul(pow(where(bothZero, 1, x), sub(b, 1)), b)));
    }
    return mul(g, mul(pow(x, sub(b, 1)), b));
  },
  b: (g, a, b, out) => {
    if (typeof a === 'number') return mul(g, mul(out!, a === 0 ? 0 : Math.log(a)));
    if (a.data.some((v) => v === 0)) {
      // 0 where a = 0 and b ≥ 0 (0·ln 0 would be NaN); masked differentiably as above.
      const zeroBase = logicalAnd(eq(a, 0), ge(b, 0));
      return mul(g, where(zeroBase, 0, mul(out!, log(where(zeroBase, 1, a)))));
    }
    return mul(g, mul(out!, log(a)));
  },
});

/** x ∧ y for bool tensors (broadcast): 1 where both are nonzero. */
function logicalAnd(x: Tensor, y: Tensor): Tensor {
  return binary('mul', x, y);
}

/** 1 − [loses] − ½·[tie] in g's float dtype: maximum's and minimum's share of g (ties split, as PyTorch). */
function keepShare(g: Tensor, loses: Tensor, tie: Tensor): Tensor {
  const dtype = g.dtype === 'float64' ? 'float64' : 'float32';
  return mul(g, sub(sub(1, toDtype(loses, dtype)), mul(toDtype(tie, dtype), 0.5)));
}

export const maximum = binaryOp('maximum', {
  doc: 'the larger of a and b (NaN propagates)', grad: ['[a > b] + ½[a = b]', '[b > a] + ½[a = b]'], saves: 'inputs',
  a: (g, a, b) => keepShare(g, lt(a, b), eq(a, b)),
  b: (g, a, b) => keepShare(g, gt(a, b), eq(a, b)),
});

export const minimum = binaryOp('minimum', {
  doc: 'the smaller of a and b (NaN propagates)', grad: ['[a < b] + ½[a = b]', '[b < a] + ½[a = b]'], saves: 'inputs',
  a: (g, a, b) => keepShare(g, gt(a, b), eq(a, b)),
  b: (g, a, b) => keepShare(g, lt(a, b), eq(a, b)),
});

// ---- unary --------------------------------------------------------------------------------------------

export const neg = unaryOp('neg', { doc: '−x', grad: '−1', saves: 'none', backward: (g) => neg(g) });

export const exp = unaryOp('exp', { doc: 'eˣ', grad: 'y', saves: 'y', backward: (g, y) => mul(g, y) });

export const log = unaryOp('log', { doc: 'ln x', grad: '1/x', saves: 'x', backward: (g, x) => div(g, x) });

export const sqrt = unaryOp('sqrt', { doc: '√x', grad: '1/(2y)', saves: 'y', backward: (g, y) => div(g, mul(y, 2)) });

export const rsqrt = unaryOp('rsqrt', {
  doc: '1/√x (inf at 0, NaN below)', grad: '−½·y³', saves: 'y',
  backward: (g, y) => mul(g, mul(mul(mul(y, y), y), -0.5)),
});

export const reciprocal = unaryOp('reciprocal', {
  doc: '1/x (±inf at ±0)', grad: '−y²', saves: 'y', backward: (g, y) => mul(g, neg(mul(y, y))),
});

export const square = unaryOp('square', {
  doc: 'x² (integer tensors stay integer)', grad: '2x', saves: 'x', backward: (g, x) => mul(g, mul(x, 2)),
});

export const abs = unaryOp('abs', {
  doc: '|x|', grad: 'sign(x) (0 at 0)', saves: 'x', backward: (g, x) => mul(g, unary('sign', x)),
});

export const sin = unaryOp('sin', { doc: 'sin x', grad: 'cos x', saves: 'x', backward: (g, x) => mul(g, cos(x)) });

export const cos = unaryOp('cos', {
  doc: 'cos x', grad: '−sin x', saves: 'x', backward: (g, x) => neg(mul(g, sin(x))),
});

export const tanh = unaryOp('tanh', {
  doc: 'tanh x', grad: '1 − y²', saves: 'y', backward: (g, y) => mul(g, sub(1, mul(y, y))),
});

export const sigmoid = unaryOp('sigmoid', {
  doc: '1/(1 + e⁻ˣ), overflow-free', grad: 'y·(1 − y)', saves: 'y', backward: (g, y) => mul(mul(g, sub(1, y)), y),
});

export const relu = unaryOp('relu', {
  doc: 'max(x, 0)', grad: '[x > 0]', saves: 'y', backward: (g, y) => mul(g, unary('reluMask', y)),
});

export const log1p = unaryOp('log1p', {
  doc: 'ln(1 + x), accurate for small |x|', grad: '1/(1 + x)', saves: 'x', backward: (g, x) => div(g, add(x, 1)),
});

export const expm1 = unaryOp('expm1', {
  doc: 'eˣ − 1, accurate for small |x|', grad: 'y + 1', saves: 'y', backward: (g, y) => mul(g, add(y, 1)),
});

export const silu = unaryOp('silu', {
  doc: 'x·σ(x) (SiLU, swish)', grad: 'σ(x)·(1 + x·(1 − σ(x)))', saves: 'x',
  backward: (g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  },
});
