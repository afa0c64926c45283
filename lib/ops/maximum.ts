// maximum: the elementwise larger (minimum.ts: smaller) of a and b, broadcasting; NaN propagates.
// Gradients as PyTorch: the chosen operand gets g, the other 0, and ties split g equally (½ each);
// where either is NaN both get g. The masks are constants of the forward values.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary } from '../kernels/elementwise.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { eq, gt, lt } from './compare.js';
import { mul } from './mul.js';
import { gradForInput } from './sum_to.js';
import { sub } from './sub.js';
import { toDtype } from './to_dtype.js';
import { checkOperand, run2 } from './util.js';

/** 1 − [a loses] − ½·[tie], as a float tensor of the broadcast shape. */
function keepMask(loses: Tensor, tie: Tensor, dtype: 'float32' | 'float64'): Tensor {
  return sub(sub(1, toDtype(loses, dtype)), mul(toDtype(tie, dtype), 0.5));
}

/** @internal what Maximum and Minimum keep for backward besides saved tensors. */
export type ExtremumCtx = FunctionCtx<{ aValue: number; bValue: number }>;

/** @internal maximum's and minimum's backward. */
export function extremumBackward(ctx: ExtremumCtx, g: Tensor, isMax: boolean): [Tensor | null, Tensor | null] {
  const [sa, sb] = ctx.savedTensors;
  const a: TensorLike = sa ?? ctx.saved.aValue;
  const b: TensorLike = sb ?? ctx.saved.bValue;
  const dtype = g.dtype === 'float64' ? 'float64' : 'float32';
  const tie = eq(a, b);
  return [
    ctx.needsInputGrad[0] ? gradForInput(ctx, 0, mul(g, keepMask(isMax ? lt(a, b) : gt(a, b), tie, dtype))) : null,
    ctx.needsInputGrad[1] ? gradForInput(ctx, 1, mul(g, keepMask(isMax ? gt(a, b) : lt(a, b), tie, dtype))) : null,
  ];
}

/** @internal saves tensors for the masks; a number operand is kept in ctx.saved. */
export function extremumSetup(ctx: ExtremumCtx, a: TensorLike, b: TensorLike): void {
  ctx.saveForBackward(a instanceof Tensor ? a : null, b instanceof Tensor ? b : null);
  if (typeof a === 'number' || typeof b === 'number')
    ctx.saved = { aValue: typeof a === 'number' ? a : 0, bValue: typeof b === 'number' ? b : 0 };
}

export class Maximum extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    return binary('maximum', a, b);
  }
  static override setupContext(ctx: ExtremumCtx, [a, b]: [TensorLike, TensorLike]): void {
    extremumSetup(ctx, a, b);
  }
  static override backward(ctx: ExtremumCtx, g: Tensor): [Tensor | null, Tensor | null] {
    return extremumBackward(ctx, g, true);
  }
}

/** The elementwise maximum of a and b, broadcasting (either may be a number); NaN propagates. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'maximum', 'a');
  checkOperand(b, 'maximum', 'b');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("maximum: at least one of 'a' and 'b' must be a Tensor");
  return run2(Maximum, a, b);
}

