// leakyRelu: x > 0 ? x : negativeSlope·x. d/dx = 1 where x > 0, else negativeSlope (a constant mask, as PyTorch).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

/** What LeakyRelu keeps for backward besides saved tensors. */
type LeakyReluCtx = FunctionCtx<{ slope: number }>;

export class LeakyRelu extends Function {
  static override forward(x: Tensor, slope: number): Tensor {
    return unary('leakyRelu', x, slope);
  }
  static override setupContext(ctx: LeakyReluCtx, [x, slope]: [Tensor, number]): void {
    ctx.saveForBackward(x);
    ctx.saved = { slope };
  }
  static override backward(ctx: LeakyReluCtx, g: Tensor): [Tensor, null] {
    const [x] = ctx.savedTensors;
    return [mul(g, unary('leakyReluGrad', x, ctx.saved.slope)), null];
  }
}

/** x > 0 ? x : negativeSlope·x elementwise; same shape. */
export function leakyRelu(x: Tensor, negativeSlope?: number | { negativeSlope?: number }): Tensor {
  checkTensorArg(x, 'leakyRelu', 'x');
  [negativeSlope = 0.01] = keywordArgs('leakyRelu', ['negativeSlope'], [negativeSlope]) as [number | undefined];
  if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope))
    throw new TypeError(`leakyRelu: argument 'negativeSlope' must be a finite number, got ${describe(negativeSlope)}`);
  return runN(LeakyRelu, [x, negativeSlope]) as Tensor;
}
