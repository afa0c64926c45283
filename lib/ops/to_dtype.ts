// toDtype: a differentiable dtype conversion (x.to('float64'), x.double(), x.float()).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { isDType, isFloatDType, type DType } from '../dtype.js';
import { copy } from '../kernels/elementwise.js';
import { formatValue } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensorArg, runN } from './util.js';

/** What ToDtype keeps for backward besides saved tensors. */
type ToDtypeCtx = FunctionCtx<{ inputDtype: DType }>;

export class ToDtype extends Function {
  static override forward(x: Tensor, dtype: DType): Tensor {
    return copy(x, dtype);
  }
  static override setupContext(ctx: ToDtypeCtx, [x]: [Tensor, DType]): void {
    ctx.saved = { inputDtype: x.dtype };
  }
  static override backward(ctx: ToDtypeCtx, g: Tensor): [Tensor | null, null] {
    const to = ctx.saved.inputDtype;
    return [ctx.needsInputGrad[0] && isFloatDType(to) ? toDtype(g, to) : null, null];
  }
}

/** x converted to dtype (a copy; x itself when it already has that dtype). */
export function toDtype(x: Tensor, dtype: DType): Tensor {
  x = checkTensorArg(x, 'to', 'x');
  if (!isDType(dtype))
    throw new TypeError(`to: dtype must be 'float32', 'float64', 'int32' or 'bool', got ${formatValue(dtype)}`);
  if (x.dtype === dtype) return x;
  return runN(ToDtype, [x, dtype]) as Tensor;
}
