// div: a / b with broadcasting. d/da = 1/b, d/db = −a/b² (= −out/b).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary } from '../kernels/elementwise.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, run2 } from './util.js';

/** What Div keeps for backward besides saved tensors. */
type DivCtx = FunctionCtx<{ aValue: number; bValue: number }>;

export class Div extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    return binary('div', a, b);
  }
  static override setupContext(ctx: DivCtx, [a, b]: [TensorLike, TensorLike]): void {
    ctx.saveForBackward(a instanceof Tensor ? a : null, b instanceof Tensor ? b : null);
    // A number operand is kept as a value (read only where its saved tensor is null); two tensors need none.
    if (typeof a === 'number' || typeof b === 'number')
      ctx.saved = { aValue: typeof a === 'number' ? a : 0, bValue: typeof b === 'number' ? b : 0 };
  }
  static override backward(ctx: DivCtx, g: Tensor): [Tensor | null, Tensor | null] {
    const [a, b] = ctx.savedTensors;
    const bv = b ?? ctx.saved.bValue;
    const ga = ctx.needsInputGrad[0] || ctx.needsInputGrad[1] ? div(g, bv) : null;
    return [
      ctx.needsInputGrad[0] ? gradForInput(ctx, 0, ga!) : null,
      ctx.needsInputGrad[1] ? gradForInput(ctx, 1, neg(mul(ga!, div(a ?? ctx.saved.aValue, bv)))) : null,
    ];
  }
}

/** a / b elementwise (true division: integer inputs give float32), broadcasting like NumPy. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'div', 'a');
  checkOperand(b, 'div', 'b');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("div: at least one of 'a' and 'b' must be a Tensor");
  return run2(Div, a, b);
}
