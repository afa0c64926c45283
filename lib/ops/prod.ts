// prod over dims (all by default), keepdim optional. The gradient is Π of the other elements, computed
// by prefix/suffix products (ProdBackward) so zeros are exact: one zero → the product of the others
// at the zero and 0 elsewhere; two or more → 0 everywhere. ProdBackward is a Function whose own
// gradient (ProdBackwardBackward: Σ over pairs, also by prefix/suffix products) makes second
// derivatives exact too, zeros included; third derivatives are not implemented (a clear error).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { prodGrad2Kernel, prodGradKernel } from '../kernels/prod.js';
import { reduce } from '../kernels/reduce.js';
import { normalizeDims, sizeOf } from '../shape.js';
import type { Tensor, Dims } from '../tensor.js';
import { mul } from './elementwise.js';
import { permute } from './permute.js';
import { reshape } from './reshape.js';
import { expandReduced } from './sum.js';
import {
  type KeepdimOption,
  REDUCE_KEYWORDS,
  type ReduceOptions,
  checkBool,
  checkTensorArg,
  keywordArgs,
  runN,
} from './util.js';

/** What Prod keeps for backward besides saved tensors. */
type ProdCtx = FunctionCtx<{ dims: number[]; keepdim: boolean }>;

export class Prod extends Function {
  static override forward(x: Tensor, dims: number[], keepdim: boolean): Tensor {
    return reduce('prod', x, dims, keepdim);
  }
  static override setupContext(ctx: ProdCtx, [x, dims, keepdim]: [Tensor, number[], boolean]): void {
    ctx.saveForBackward(x);
    ctx.saved = { dims, keepdim };
  }
  static override backward(ctx: ProdCtx, g: Tensor): [Tensor, null, null] {
    const [x] = ctx.savedTensors;
    const dims = ctx.saved.dims;
    const spread = expandReduced(g, x.shape, dims, ctx.saved.keepdim);
    if (dims.length === 0) return [spread, null, null];
    // Move the reduced dims last and flatten to [kept, reduced], apply, and undo.
    const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
    const perm = [...kept, ...dims];
    const identity = perm.every((p, i) => p === i);
    const permuted = identity ? x.shape : perm.map((p) => x.shape[p]);
    const K = sizeOf(kept.map((d) => x.shape[d]));
    const R = sizeOf(dims.map((d) => x.shape[d]));
    const to2d = (t: Tensor) => reshape(identity ? t : permute(t, perm), [K, R]);
    const r = reshape(prodBackward(to2d(x), to2d(spread)), permuted as number[]);
    if (identity) return [r, null, null];
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [permute(r, inverse), null, null];
  }
}

/** out[k, i] = g[k, i]·Π_{j≠i} x[k, j] over [K, R] tensors. d/dg = the same with h; d/dx by ProdBackwardBackward. */
export class ProdBackward extends Function {
  static override forward(x: Tensor, g: Tensor): Tensor {
    return prodGradKernel(x, g);
  }
  static override setupContext(ctx: FunctionCtx, [x, g]: [Tensor, Tensor]): void {
    ctx.saveForBackward(x, g);
  }
  static override backward(ctx: FunctionCtx, h: Tensor): [Tensor | null, Tensor | null] {
    const [x, g] = ctx.savedTensors;
    return [
      ctx.needsInputGrad[0] ? (runN(ProdBackwardBackward, [x, mul(h, g)]) as Tensor) : null,
      ctx.needsInputGrad[1] ? prodBackward(x, h) : null,
    ];
  }
}

/** out[k, j] = Σ_{i≠j} w[k, i]·Π_{m∉{i,j}} x[k, m]: ProdBackward's derivative in x. Not differentiable again. */
export class ProdBackwardBackward extends Function {
  static override forward(x: Tensor, w: Tensor): Tensor {
    return prodGrad2Kernel(x, w);
  }
  static override setupContext(): void {}
  static override backward(): never {
    throw new Error('prod: derivatives of order three and higher are not implemented');
  }
}

function prodBackward(x: Tensor, g: Tensor): Tensor {
  return runN(ProdBackward, [x, g]) as Tensor;
}

/** Product over dim (a number or an array; all dims when omitted or null), keeping them as size 1 if keepdim. */
export function prod(x: Tensor, dim?: Dims | null | ReduceOptions, keepdim?: boolean | KeepdimOption): Tensor {
  [dim, keepdim] = keywordArgs('prod', REDUCE_KEYWORDS, [dim, keepdim]) as [
    Dims | null | undefined,
    boolean | undefined,
  ];
  x = checkTensorArg(x, 'prod', 'x');
  const dims = normalizeDims(dim, x.ndim, 'prod');
  return runN(Prod, [x, dims, checkBool(keepdim, 'prod', 'keepdim')]) as Tensor;
}
