// mul: a · b with broadcasting. d/da = b, d/db = a.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary } from '../kernels/elementwise.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, run2 } from './util.js';

/** What Mul keeps for backward besides saved tensors. */
type MulCtx = FunctionCtx<{ aValue: number; bValue: number }>;

export class Mul extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    return binary('mul', a, b);
  }
  static override setupContext(ctx: MulCtx, [a, b]: [TensorLike, TensorLike]): void {
    // Each gradient needs the other operand: save tensors, keep numbers on ctx.
    ctx.saveForBackward(a instanceof Tensor ? a : null, b instanceof Tensor ? b : null);
    // A number operand is kept as a value (read only where its saved tensor is null); two tensors need none.
    if (typeof a === 'number' || typeof b === 'number')
      ctx.saved = { aValue: typeof a === 'number' ? a : 0, bValue: typeof b === 'number' ? b : 0 };
  }
  static override backward(ctx: MulCtx, g: Tensor): [Tensor | null, Tensor | null] {
    const [a, b] = ctx.savedTensors;
    return [
      ctx.needsInputGrad[0] ? gradForInput(ctx, 0, mul(g, b ?? ctx.saved.bValue)) : null,
      ctx.needsInputGrad[1] ? gradForInput(ctx, 1, mul(g, a ?? ctx.saved.aValue)) : null,
    ];
  }
}

/** a · b elementwise, broadcasting like NumPy; either may be a number. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'mul', 'a');
  checkOperand(b, 'mul', 'b');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("mul: at least one of 'a' and 'b' must be a Tensor");
  return run2(Mul, a, b);
}
