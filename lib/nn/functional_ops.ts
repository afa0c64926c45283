// The differentiable pieces behind the layers: dropout, layerNorm, embedding (gelu is tg.gelu;
// embedding is tg.indexSelect along dim 0, whose backward scatter-adds into the weight).
// They belong to nn, as in PyTorch's torch.nn.functional (not torch.*), so they are not tg.<op>s and not
// in the op table; each is a Function or a composition whose backward is made of tensor ops.
import { recorder } from '../compile/state.js';
import { allocate, type FloatArray } from '../dtype.js';
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { mean } from '../ops/mean.js';
import { indexSelect } from '../ops/index_select.js';
import { reshape } from '../ops/reshape.js';
import { checkTensorArg, keywordArgs } from '../ops/util.js';
import { uniform } from '../random.js';
import { describe, formatShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';

function checkFloatTensor(x: unknown, fn: string, arg: string): Tensor {
  const t = checkTensorArg(x, fn, arg);
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw new TypeError(`${fn}: argument '${arg}' must be float32 or float64, got ${t.dtype}`);
  return t;
}

// ---- dropout ------------------------------------------------------------------------------------

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p) when training (default
 * true); identity otherwise. The mask is drawn from the global seeded generator (tg.manualSeed).
 */
export function dropout(
  x: Tensor,
  p?: number | { p?: number; training?: boolean },
  training?: boolean | { training?: boolean },
): Tensor {
  checkFloatTensor(x, 'dropout', 'x');
  [p = 0.5, training = true] = keywordArgs('dropout', ['p', 'training'], [p, training]) as [
    number | undefined,
    boolean | undefined,
  ];
  if (typeof p !== 'number')
    throw new TypeError(`dropout: probability p must be a number in [0, 1], got ${describe(p)}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability p must be in [0, 1], got ${p}`);
  if (typeof training !== 'boolean')
    throw new TypeError(`dropout: argument 'training' must be a boolean, got ${describe(training)}`);
  if (!training || p === 0) return x;
  // Recorded by tg.compile as a kernel of its own, so every replay draws a new mask.
  const rec = recorder();
  const mask = rec !== null ? rec.jsKernel('dropoutMask', dropoutMask, [x, p]) : dropoutMask(x, p);
  return mul(x, mask);
}

/** dropout's mask for x: 0 with probability p, else 1/(1−p), from the global generator. */
function dropoutMask(x: Tensor, p: number): Tensor {
  const mask = allocate(x.dtype, x.size) as FloatArray;
  if (p < 1) {
    const scale = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = uniform() < p ? 0 : scale;
  }
  return Tensor._wrap(mask, x.shape, x.dtype);
}

// ---- layerNorm ----------------------------------------------------------------------------------

/** layerNorm's keyword arguments: layerNorm(x, [4], { eps: 1e-6 }). */
export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/**
 * Normalises over the trailing dims named by normalizedShape: (x − mean)/√(var + eps) (biased
 * variance), then ·weight + bias when given (both of normalizedShape). Composed of tensor ops.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number[],
  weight?: Tensor | null | LayerNormOptions,
  bias?: Tensor | null | Omit<LayerNormOptions, 'weight'>,
  eps?: number | { eps?: number },
): Tensor {
  const fn = 'layerNorm';
  [weight = null, bias = null, eps = 1e-5] = keywordArgs(fn, ['weight', 'bias', 'eps'], [weight, bias, eps]) as [
    Tensor | null | undefined,
    Tensor | null | undefined,
    number | undefined,
  ];
  checkFloatTensor(x, fn, 'x');
  if (!Array.isArray(normalizedShape))
    throw new TypeError(
      `${fn}: argument 'normalizedShape' must be an array of integers, got ${describe(normalizedShape)}`,
    );
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), normalizedShape))
    throw new RangeError(
      `${fn}: input of shape ${formatShape(x.shape)} does not end with normalizedShape ${formatShape(normalizedShape)}`,
    );
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const)
    if (t !== null && t !== undefined) {
      checkFloatTensor(t, fn, name);
      if (t.dtype !== x.dtype)
        throw new TypeError(`${fn}: argument '${name}' must have x's dtype ${x.dtype}, got ${t.dtype}`);
      if (!shapesEqual(t.shape, normalizedShape))
        throw new RangeError(
          `${fn}: argument '${name}' must have shape ${formatShape(normalizedShape)}, got ${formatShape(t.shape)}`,
        );
    }
  if (typeof eps !== 'number')
    throw new TypeError(`${fn}: argument 'eps' must be a non-negative number, got ${describe(eps)}`);
  if (!(eps >= 0)) throw new RangeError(`${fn}: argument 'eps' must be a non-negative number, got ${eps}`);
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = sub(x, mean(x, dims, true));
  const variance = mean(mul(centered, centered), dims, true);
  let y = div(centered, sqrt(add(variance, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

// ---- embedding ----------------------------------------------------------------------------------

/** Looks up rows of weight [num, dim] by int32 indices of any shape → [...indices.shape, dim]. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  const fn = 'embedding';
  checkTensorArg(indices, fn, 'indices');
  checkFloatTensor(weight, fn, 'weight');
  if (indices.dtype !== 'int32') throw new TypeError(`${fn}: argument 'indices' must be int32, got ${indices.dtype}`);
  if (weight.ndim !== 2)
    throw new RangeError(
      `${fn}: argument 'weight' must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(weight.shape)}`,
    );
  const n = weight.shape[0],
    idx = indices.data as Int32Array;
  for (let i = 0; i < idx.length; i++)
    if (idx[i] < 0 || idx[i] >= n)
      throw new RangeError(`${fn}: index ${idx[i]} is out of range for ${n} embeddings (at flat index ${i})`);
  // indexSelect's backward scatter-adds the gradient rows into the weight (and is itself differentiable).
  const rows = indexSelect(weight, 0, indices.ndim === 1 ? indices : reshape(indices, [indices.size]));
  return indices.ndim === 1 ? rows : reshape(rows, [...indices.shape, weight.shape[1]]);
}
