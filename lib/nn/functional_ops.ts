// The differentiable pieces behind the layers: dropout, gelu, layerNorm, embedding.
// (Written here, not in lib/ops/, because the shared op list did not have them when nn was built;
// each is still a Function or a composition whose backward is made of tensor ops.)
import { Function, type FunctionCtx } from '../autograd/function.js';
import { allocate, type FloatArray } from '../dtype.js';
import { add } from '../ops/add.js';
import { div } from '../ops/div.js';
import { exp } from '../ops/exp.js';
import { mean } from '../ops/mean.js';
import { mul } from '../ops/mul.js';
import { sqrt } from '../ops/sqrt.js';
import { sub } from '../ops/sub.js';
import { tanh } from '../ops/tanh.js';
import { checkTensorArg, run1, runN } from '../ops/util.js';
import { uniform } from '../random.js';
import { describe, formatShape, shapesEqual, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

function checkFloatTensor(x: unknown, fn: string, arg: string): Tensor {
  const t = checkTensorArg(x, fn, arg);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TypeError(`${fn}: argument '${arg}' must be float32 or float64, got ${t.dtype}`);
  return t;
}

// ---- dropout ------------------------------------------------------------------------------------

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p) when training (default
 * true); identity otherwise. The mask is drawn from the global seeded generator (tg.manualSeed).
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkFloatTensor(x, 'dropout', 'x');
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability p must be in [0, 1], got ${String(p)}`);
  if (typeof training !== 'boolean') throw new TypeError(`dropout: argument 'training' must be a boolean, got ${describe(training)}`);
  if (!training || p === 0) return x;
  const mask = allocate(x.dtype, x.size) as FloatArray;
  if (p < 1) {
    const scale = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = uniform() < p ? 0 : scale;
  }
  return mul(x, new Tensor(mask, x.shape, x.dtype));
}

// ---- gelu ---------------------------------------------------------------------------------------

export type GeluApproximate = 'none' | 'tanh';

/** erf(x) to about 1e-15: Maclaurin series for |x| < 2.5, the erfc continued fraction beyond. */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x, s = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      s += add;
      if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated bottom-up.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function mapFloat(x: Tensor, f: (v: number) => number): Tensor {
  const out = allocate(x.dtype, x.size);
  const d = x.data;
  for (let i = 0; i < d.length; i++) out[i] = f(d[i]);
  return new Tensor(out, x.shape, x.dtype);
}

/** Exact GELU: x·Φ(x). d/dx = GeluDerivative(x) = Φ(x) + x·φ(x). */
export class Gelu extends Function {
  static override forward(x: Tensor): Tensor {
    return mapFloat(x, (v) => 0.5 * v * (1 + erf(v * Math.SQRT1_2)));
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor]): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    return mul(g, run1(GeluDerivative, x));
  }
}

/** Φ(x) + x·φ(x), GELU's derivative; its own derivative is φ(x)·(2 − x²), composed of tensor ops. */
export class GeluDerivative extends Function {
  static override forward(x: Tensor): Tensor {
    return mapFloat(x, (v) => 0.5 * (1 + erf(v * Math.SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor]): void {
    ctx.saveForBackward(x);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [x] = ctx.savedTensors;
    const x2 = mul(x, x);
    const phi = mul(exp(mul(x2, -0.5)), INV_SQRT_2PI);
    return mul(g, mul(phi, sub(2, x2)));
  }
}

/** GELU elementwise: exact x·Φ(x) (approximate 'none', the default) or 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: Tensor, options: { approximate?: GeluApproximate } = {}): Tensor {
  checkFloatTensor(x, 'gelu', 'x');
  const a = options?.approximate ?? 'none';
  if (a !== 'none' && a !== 'tanh') throw new TypeError(`gelu: option 'approximate' must be 'none' or 'tanh', got ${JSON.stringify(a)}`);
  if (a === 'none') return run1(Gelu, x);
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

// ---- layerNorm ----------------------------------------------------------------------------------

/**
 * Normalises over the trailing dims named by normalizedShape: (x − mean)/√(var + eps) (biased
 * variance), then ·weight + bias when given (both of normalizedShape). Composed of tensor ops.
 */
export function layerNorm(x: Tensor, normalizedShape: number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const fn = 'layerNorm';
  checkFloatTensor(x, fn, 'x');
  if (!Array.isArray(normalizedShape)) throw new TypeError(`${fn}: argument 'normalizedShape' must be an array of integers, got ${describe(normalizedShape)}`);
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), normalizedShape))
    throw new RangeError(`${fn}: input of shape ${formatShape(x.shape)} does not end with normalizedShape ${formatShape(normalizedShape)}`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const)
    if (t !== null && t !== undefined) {
      checkFloatTensor(t, fn, name);
      if (t.dtype !== x.dtype) throw new TypeError(`${fn}: argument '${name}' must have x's dtype ${x.dtype}, got ${t.dtype}`);
      if (!shapesEqual(t.shape, normalizedShape)) throw new RangeError(`${fn}: argument '${name}' must have shape ${formatShape(normalizedShape)}, got ${formatShape(t.shape)}`);
    }
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeError(`${fn}: eps must be a non-negative number, got ${String(eps)}`);
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = sub(x, mean(x, dims, true));
  const variance = mean(mul(centered, centered), dims, true);
  let y = div(centered, sqrt(add(variance, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

// ---- embedding ----------------------------------------------------------------------------------

/** Rows of weight [num, dim] picked by int32 indices: out[..., :] = weight[indices[...], :]. */
export class EmbeddingFunction extends Function {
  static override forward(weight: Tensor, indices: Tensor): Tensor {
    const dim = weight.shape[1];
    const idx = indices.data as Int32Array;
    const out = allocate(weight.dtype, idx.length * dim) as FloatArray;
    const w = weight.data as FloatArray;
    for (let i = 0; i < idx.length; i++) out.set(w.subarray(idx[i] * dim, idx[i] * dim + dim), i * dim);
    return new Tensor(out, [...indices.shape, dim], weight.dtype);
  }
  static override setupContext(ctx: FunctionCtx, [, indices]: [Tensor, Tensor]): void {
    ctx.saveForBackward(indices);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor, null] {
    const [indices] = ctx.savedTensors;
    return [runN(EmbeddingBackward, [g, indices, ctx._inputShapes[0]]) as Tensor, null];
  }
}

/** Zeros [num, dim] with g's rows scatter-added at the indices (repeats accumulate); its gradient is EmbeddingFunction. */
export class EmbeddingBackward extends Function {
  static override forward(g: Tensor, indices: Tensor, shape: readonly number[]): Tensor {
    const dim = shape[1];
    const out = allocate(g.dtype, sizeOf(shape)) as FloatArray;
    const idx = indices.data as Int32Array, gd = g.data;
    for (let i = 0; i < idx.length; i++) {
      const o = idx[i] * dim, s = i * dim;
      for (let j = 0; j < dim; j++) out[o + j] += gd[s + j];
    }
    return new Tensor(out, shape, g.dtype);
  }
  static override setupContext(ctx: FunctionCtx, [, indices]: [Tensor, Tensor]): void {
    ctx.saveForBackward(indices);
  }
  static override backward(ctx: FunctionCtx, gg: Tensor): [Tensor, null, null] {
    const [indices] = ctx.savedTensors;
    return [runN(EmbeddingFunction, [gg, indices]) as Tensor, null, null];
  }
}

/** Looks up rows of weight [num, dim] by int32 indices of any shape → [...indices.shape, dim]. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  const fn = 'embedding';
  checkTensorArg(indices, fn, 'indices');
  checkFloatTensor(weight, fn, 'weight');
  if (indices.dtype !== 'int32') throw new TypeError(`${fn}: argument 'indices' must be int32, got ${indices.dtype}`);
  if (weight.ndim !== 2) throw new RangeError(`${fn}: argument 'weight' must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(weight.shape)}`);
  const n = weight.shape[0], idx = indices.data as Int32Array;
  for (let i = 0; i < idx.length; i++)
    if (idx[i] < 0 || idx[i] >= n) throw new RangeError(`${fn}: index ${idx[i]} is out of range for ${n} embeddings (at flat index ${i})`);
  return runN(EmbeddingFunction, [weight, indices]) as Tensor;
}
