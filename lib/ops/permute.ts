// permute / transpose / t: reorders dims (a copy). d/dx = g permuted by the inverse permutation.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { permuteCopy } from '../kernels/layout.js';
import { describe, formatShape, formatValue, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

/** What Permute keeps for backward besides saved tensors. */
type PermuteCtx = FunctionCtx<{ inverse: number[] }>;

export class Permute extends Function {
  static override forward(x: Tensor, perm: number[]): Tensor {
    return permuteCopy(x, perm);
  }
  static override setupContext(ctx: PermuteCtx, [, perm]: [Tensor, number[]]): void {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    ctx.saved = { inverse };
  }
  static override backward(ctx: PermuteCtx, g: Tensor): [Tensor, null] {
    return [permuteCopyDifferentiable(g, ctx.saved.inverse), null];
  }
}

function permuteCopyDifferentiable(x: Tensor, perm: number[]): Tensor {
  if (perm.every((p, i) => p === i)) return x;
  return runN(Permute, [x, perm]) as Tensor;
}

/** x with dims reordered: result.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: number[]): Tensor {
  x = checkTensorArg(x, 'permute', 'x');
  if (!Array.isArray(dims))
    throw new TypeError(`permute: argument 'dims' must be an array of dims, got ${describe(dims)}`);
  if (dims.length !== x.ndim)
    throw new RangeError(
      `permute: argument 'dims' must list all ${x.ndim} dims of a tensor of shape ${formatShape(x.shape)}, got ${formatValue(dims)}`,
    );
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (new Set(perm).size !== perm.length)
    throw new RangeError(`permute: argument 'dims' repeats a dim: ${formatValue(dims)}`);
  return permuteCopyDifferentiable(x, perm);
}

/** x with dims dim0 and dim1 swapped. */
export function transpose(
  x: Tensor,
  dim0: number | { dim0: number; dim1: number },
  dim1?: number | { dim1: number },
): Tensor {
  x = checkTensorArg(x, 'transpose', 'x');
  [dim0, dim1] = keywordArgs('transpose', ['dim0', 'dim1'], [dim0, dim1]) as [number, number];
  if (x.ndim === 0) {
    normalizeDim(dim0, 0, 'transpose');
    normalizeDim(dim1, 0, 'transpose');
    return x;
  }
  const a = normalizeDim(dim0, x.ndim, 'transpose');
  const b = normalizeDim(dim1, x.ndim, 'transpose');
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permuteCopyDifferentiable(x, perm);
}

/** The transpose of a tensor of rank ≤ 2 (0-d and 1-D tensors are returned as they are). */
export function t(x: Tensor): Tensor {
  x = checkTensorArg(x, 't', 'x');
  if (x.ndim > 2)
    throw new RangeError(
      `t: expects a tensor of rank <= 2, got shape [${x.shape.join(', ')}]; use transpose(dim0, dim1)`,
    );
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}
