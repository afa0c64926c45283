// clamp: min(max(x, min), max) elementwise, as torch.clamp (NaN stays NaN; min > max gives max).
// d/dx = 1 where min ≤ x ≤ max (boundaries included, as PyTorch), else 0: a constant mask.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

/** What Clamp keeps for backward besides saved tensors. */
type ClampCtx = FunctionCtx<{ mask: Tensor }>;

export class Clamp extends Function {
  static override forward(x: Tensor, lo: number, hi: number): Tensor {
    return unary('clamp', x, lo, hi);
  }
  static override setupContext(ctx: ClampCtx, [x, lo, hi]: [Tensor, number, number]): void {
    ctx.saved = { mask: unary('clampMask', x, lo, hi) };
  }
  static override backward(ctx: ClampCtx, g: Tensor): [Tensor, null, null] {
    return [mul(g, ctx.saved.mask), null, null];
  }
}

function bound(v: unknown, arg: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`clamp: argument '${arg}' must be a number, null or undefined, got ${describe(v)}`);
  return v;
}

/** clamp's keyword arguments: clamp(x, { min: 0 }). */
export interface ClampOptions {
  min?: number | null;
  max?: number | null;
}

/** x limited to [min, max] elementwise (either bound may be omitted with null/undefined, not both); same shape. */
export function clamp(x: Tensor, min?: number | null | ClampOptions, max?: number | null | Pick<ClampOptions, 'max'>): Tensor {
  checkTensorArg(x, 'clamp', 'x');
  [min, max] = keywordArgs('clamp', ['min', 'max'], [min, max]) as [number | null | undefined, number | null | undefined];
  const lo = bound(min, 'min'), hi = bound(max, 'max');
  if (lo === null && hi === null) throw new TypeError("clamp: at least one of 'min' and 'max' must be a number");
  // A float32 tensor meets its bounds as float32 (as PyTorch), so x = float32(0.1) lies on the bound 0.1.
  const r = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  return runN(Clamp, [x, r(lo ?? -Infinity), r(hi ?? Infinity)]) as Tensor;
}
