// The elementwise op table: one row per op (lib/ops/table.ts derives the Function, tg.<op>, the Tensor
// method and README's line). Unary ops are computed by the kernel of the same name in
// lib/kernels/elementwise.ts, which the addon must export too. Backward formulas follow PyTorch's
// derivatives.yaml, including its operand order where that changes float rounding.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary, GELU_C, GELU_K, unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { eq, ge, gt, lt } from './compare.js';
import { binaryOp, parametricOp, unaryOp } from './table.js';
import { toDtype } from './to_dtype.js';
import { runN } from './util.js';
import { where } from './where.js';

// ---- binary (broadcasting; either operand may be a number) -----------------------------------------

export const add = binaryOp('add', { doc: 'a + b', grad: ['1', '1'], saves: 'none', a: (g) => g, b: (g) => g });

export const sub = binaryOp('sub', {
  doc: 'a − b',
  grad: ['1', '−1'],
  saves: 'none',
  a: (g) => g,
  b: (g) => neg(g),
});

export const mul = binaryOp('mul', {
  doc: 'a · b',
  grad: ['b', 'a'],
  saves: 'inputs',
  a: (g, _a, b) => mul(g, b),
  b: (g, a) => mul(g, a),
});

export const div = binaryOp('div', {
  doc: 'a / b (true division)',
  grad: ['1/b', '−a/b²'],
  saves: 'inputs',
  a: (g, _a, b) => div(g, b),
  b: (g, a, b) => neg(mul(div(g, b), div(a, b))),
});

export const pow = binaryOp('pow', {
  doc: 'aᵇ',
  grad: ['b·aᵇ⁻¹ (0 where a = b = 0)', 'aᵇ·ln a (0 where a = 0, b ≥ 0)'],
  saves: 'inputsAndOutput',
  args: ['a', 'exponent'],
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
  doc: 'the larger of a and b (NaN propagates)',
  grad: ['[a > b] + ½[a = b]', '[b > a] + ½[a = b]'],
  saves: 'inputs',
  a: (g, a, b) => keepShare(g, lt(a, b), eq(a, b)),
  b: (g, a, b) => keepShare(g, gt(a, b), eq(a, b)),
});

export const minimum = binaryOp('minimum', {
  doc: 'the smaller of a and b (NaN propagates)',
  grad: ['[a < b] + ½[a = b]', '[b < a] + ½[a = b]'],
  saves: 'inputs',
  a: (g, a, b) => keepShare(g, gt(a, b), eq(a, b)),
  b: (g, a, b) => keepShare(g, lt(a, b), eq(a, b)),
});

// ---- unary --------------------------------------------------------------------------------------------

export const neg = unaryOp('neg', { doc: '−x', grad: '−1', saves: 'none', backward: (g) => neg(g) });

export const exp = unaryOp('exp', { doc: 'eˣ', grad: 'y', saves: 'y', backward: (g, y) => mul(g, y) });

export const log = unaryOp('log', { doc: 'ln x', grad: '1/x', saves: 'x', backward: (g, x) => div(g, x) });

export const sqrt = unaryOp('sqrt', { doc: '√x', grad: '1/(2y)', saves: 'y', backward: (g, y) => div(g, mul(y, 2)) });

export const rsqrt = unaryOp('rsqrt', {
  doc: '1/√x (inf at 0, NaN below)',
  grad: '−½·y³',
  saves: 'y',
  backward: (g, y) => mul(g, mul(mul(mul(y, y), y), -0.5)),
});

export const reciprocal = unaryOp('reciprocal', {
  doc: '1/x (±inf at ±0)',
  grad: '−y²',
  saves: 'y',
  backward: (g, y) => mul(g, neg(mul(y, y))),
});

export const square = unaryOp('square', {
  doc: 'x² (integer tensors stay integer)',
  grad: '2x',
  saves: 'x',
  backward: (g, x) => mul(g, mul(x, 2)),
});

export const abs = unaryOp('abs', {
  doc: '|x|',
  grad: 'sign(x) (0 at 0)',
  saves: 'x',
  backward: (g, x) => mul(g, unary('sign', x)),
});

export const sin = unaryOp('sin', { doc: 'sin x', grad: 'cos x', saves: 'x', backward: (g, x) => mul(g, cos(x)) });

export const cos = unaryOp('cos', {
  doc: 'cos x',
  grad: '−sin x',
  saves: 'x',
  backward: (g, x) => neg(mul(g, sin(x))),
});

export const tanh = unaryOp('tanh', {
  doc: 'tanh x',
  grad: '1 − y²',
  saves: 'y',
  backward: (g, y) => mul(g, sub(1, mul(y, y))),
});

export const sigmoid = unaryOp('sigmoid', {
  doc: '1/(1 + e⁻ˣ), overflow-free',
  grad: 'y·(1 − y)',
  saves: 'y',
  backward: (g, y) => mul(mul(g, sub(1, y)), y),
});

export const relu = unaryOp('relu', {
  doc: 'max(x, 0)',
  grad: '[x > 0]',
  saves: 'y',
  backward: (g, y) => mul(g, unary('reluMask', y)),
});

export const log1p = unaryOp('log1p', {
  doc: 'ln(1 + x), accurate for small |x|',
  grad: '1/(1 + x)',
  saves: 'x',
  backward: (g, x) => div(g, add(x, 1)),
});

export const expm1 = unaryOp('expm1', {
  doc: 'eˣ − 1, accurate for small |x|',
  grad: 'y + 1',
  saves: 'y',
  backward: (g, y) => mul(g, add(y, 1)),
});

export const silu = unaryOp('silu', {
  doc: 'x·σ(x) (SiLU, swish)',
  grad: 'σ(x)·(1 + x·(1 − σ(x)))',
  saves: 'x',
  backward: (g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  },
});

// ---- unary with parameters (each also accepted by name: gelu(x, { approximate: 'tanh' })) --------------

const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** softplus's keyword arguments: softplus(x, { beta: 2, threshold: 10 }). */
export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}

// As PyTorch: x itself where β·x > threshold (there the two agree to within e^(−threshold)).
/** log(1 + e^(β·x))/β elementwise (x where β·x > threshold); same shape. */
export const softplus: (
  x: Tensor,
  beta?: number | SoftplusOptions,
  threshold?: number | Pick<SoftplusOptions, 'threshold'>,
) => Tensor = parametricOp('softplus', {
  doc: 'log(1 + e^(β·x))/β; x where β·x > threshold',
  grad: 'σ(β·x) (1 above the threshold)',
  params: [
    { name: 'beta', default: 1, valid: (v) => finite(v) && v !== 0, expected: 'a finite non-zero number' },
    { name: 'threshold', default: 20, valid: (v) => typeof v === 'number' && !Number.isNaN(v), expected: 'a number' },
  ],
  forward: (x: Tensor, beta: number, threshold: number) => unary('softplus', x, beta, threshold),
  saves: 'x',
  // constant: 1 where β·x > threshold
  keep: (x, beta, threshold) => ({ linear: unary('softplusMask', x, beta, threshold), beta }),
  backward: (g, x, { linear, beta }) => mul(g, add(linear, mul(sub(1, linear), sigmoid(mul(x, beta))))),
});

/** x > 0 ? x : negativeSlope·x elementwise; same shape. */
export const leakyRelu: (x: Tensor, negativeSlope?: number | { negativeSlope?: number }) => Tensor = parametricOp(
  'leakyRelu',
  {
    doc: 'x > 0 ? x : negativeSlope·x',
    grad: '1 where x > 0, else negativeSlope',
    params: [{ name: 'negativeSlope', default: 0.01, valid: finite, expected: 'a finite number' }],
    forward: (x: Tensor, slope: number) => unary('leakyRelu', x, slope),
    saves: 'x',
    keep: (_x, slope) => ({ slope }),
    backward: (g, x, { slope }) => mul(g, unary('leakyReluGrad', x, slope)), // a constant mask, as PyTorch
  },
);

/** x > 0 ? x : α·(eˣ − 1) elementwise; same shape. */
export const elu: (x: Tensor, alpha?: number | { alpha?: number }) => Tensor = parametricOp('elu', {
  doc: 'x > 0 ? x : α·(eˣ − 1)',
  grad: '1 where x > 0, else α·eˣ',
  params: [{ name: 'alpha', default: 1, valid: finite, expected: 'a finite number' }],
  forward: (x: Tensor, alpha: number) => unary('elu', x, alpha),
  saves: 'x',
  keep: (_x, alpha) => ({ alpha }),
  // α·eˣ as PyTorch (y + α would cancel for very negative x: float32 x = −20 gives 0, not 2.06e-9). eˣ is
  // taken only where x ≤ 0 (elsewhere of 0), so a large positive x cannot overflow to inf·0.
  backward: (g, x, { alpha }) => {
    const positive = gt(x, 0);
    return mul(g, where(positive, 1, mul(exp(where(positive, 0, x)), alpha)));
  },
});

export type GeluApproximate = 'none' | 'tanh';
const INV_SQRT_2PI = 0.3989422804014327;
const isApproximate = (v: unknown) => v === 'none' || v === 'tanh';

/** g·(Φ(x) + x·φ(x)): the exact gelu's input gradient, a Function so that its own gradient is φ(x)·(2 − x²). */
class GeluBackward extends Function {
  static override forward(x: Tensor, g: Tensor): Tensor {
    return mul(g, unary('geluGrad', x));
  }
  static override setupContext(ctx: FunctionCtx, [x, g]: [Tensor, Tensor]): void {
    ctx.saveForBackward(x, g);
  }
  static override backward(ctx: FunctionCtx, h: Tensor): [Tensor | null, Tensor | null] {
    const [x, g] = ctx.savedTensors;
    let gx: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      // d/dx (Φ + xφ) = 2φ − x²φ = φ·(2 − x²)
      const x2 = mul(x, x);
      const phi = mul(exp(mul(x2, -0.5)), INV_SQRT_2PI);
      gx = mul(mul(h, g), mul(phi, sub(2, x2)));
    }
    return [gx, ctx.needsInputGrad[1] ? geluBackward(x, h) : null];
  }
}

function geluBackward(x: Tensor, g: Tensor): Tensor {
  return runN(GeluBackward, [x, g]) as Tensor;
}

// x·Φ(x) with Φ the standard normal CDF (exact, via erf), or PyTorch's tanh approximation
// 0.5·x·(1 + tanh(k·(x + c·x³))), k = √(2/π), c = 0.044715.
/** x·Φ(x) elementwise (approximate 'tanh': PyTorch's tanh formula); same shape. */
export const gelu: (x: Tensor, approximate?: GeluApproximate | { approximate?: GeluApproximate }) => Tensor =
  parametricOp('gelu', {
    doc: "x·Φ(x) (Φ the normal CDF; approximate 'tanh': PyTorch's tanh formula)",
    grad: 'Φ(x) + x·φ(x)',
    params: [{ name: 'approximate', default: 'none', valid: isApproximate, expected: "'none' or 'tanh'" }],
    forward: (x: Tensor, approximate: GeluApproximate) => unary(approximate === 'tanh' ? 'geluTanh' : 'gelu', x),
    saves: 'x',
    keep: (_x, approximate) => ({ approximate }),
    backward: (g, x, { approximate }) => {
      if (approximate === 'none') return geluBackward(x, g);
      // tanh: with t = tanh(k·(x + c·x³)), d/dx = ½(1 + t) + ½·x·(1 − t²)·k·(1 + 3c·x²).
      const x2 = mul(x, x);
      const t = tanh(mul(add(x, mul(mul(x2, x), GELU_C)), GELU_K));
      const inner = mul(add(mul(x2, 3 * GELU_C), 1), GELU_K);
      return mul(g, add(mul(add(t, 1), 0.5), mul(mul(mul(x, sub(1, mul(t, t))), inner), 0.5)));
    },
  });

/** clamp's keyword arguments: clamp(x, { min: 0 }). */
export interface ClampOptions {
  min?: number | null;
  max?: number | null;
}

const bound = (v: unknown) => v === null || (typeof v === 'number' && !Number.isNaN(v));

// As torch.clamp: NaN stays NaN; min > max gives max.
/** x limited to [min, max] elementwise (either bound may be omitted with null/undefined, not both); same shape. */
export const clamp: (
  x: Tensor,
  min?: number | null | ClampOptions,
  max?: number | null | Pick<ClampOptions, 'max'>,
) => Tensor = parametricOp('clamp', {
  doc: 'min(max(x, min), max) (null: no bound on that side)',
  grad: '[min ≤ x ≤ max]',
  dtype: 'input dtype for integer bounds (bool → int32), else float',
  params: [
    { name: 'min', default: null, valid: bound, expected: 'a number, null or undefined' },
    { name: 'max', default: null, valid: bound, expected: 'a number, null or undefined' },
  ],
  resolve: (x, p) => {
    if (p[0] === null && p[1] === null) throw new TypeError("clamp: at least one of 'min' and 'max' must be a number");
    // A float32 tensor meets its bounds as float32 (as PyTorch), so x = float32(0.1) lies on the bound 0.1.
    const r = x.dtype === 'float32' ? Math.fround : (v: number) => v;
    p[0] = r((p[0] as number | null) ?? -Infinity);
    p[1] = r((p[1] as number | null) ?? Infinity);
  },
  forward: (x: Tensor, lo: number, hi: number) => unary('clamp', x, lo, hi),
  saves: 'none',
  // boundaries included, as PyTorch: a constant mask
  keep: (x, lo, hi) => ({ mask: unary('clampMask', x, lo, hi) }),
  backward: (g, _x, { mask }) => mul(g, mask),
});
