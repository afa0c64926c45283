// gelu: x·Φ(x) with Φ the standard normal CDF (exact, via erf), or PyTorch's tanh approximation
// 0.5·x·(1 + tanh(k·(x + c·x³))), k = √(2/π), c = 0.044715.
// Exact: d/dx = Φ(x) + x·φ(x), computed by GeluBackward, a Function of its own so that gradients of
// gradients work: its derivative in x is g·φ(x)·(2 − x²), written with tensor ops.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { GELU_C, GELU_K, unary } from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { add, exp, mul, sub, tanh } from './elementwise.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

const INV_SQRT_2PI = 0.3989422804014327;

/** What Gelu keeps for backward besides saved tensors. */
type GeluCtx = FunctionCtx<{ approximate: 'none' | 'tanh' }>;

export class Gelu extends Function {
  static override forward(x: Tensor, approximate: 'none' | 'tanh'): Tensor {
    return unary(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
  }
  static override setupContext(ctx: GeluCtx, [x, approximate]: [Tensor, 'none' | 'tanh']): void {
    ctx.saveForBackward(x);
    ctx.saved = { approximate };
  }
  static override backward(ctx: GeluCtx, g: Tensor): [Tensor, null] {
    const [x] = ctx.savedTensors;
    if (ctx.saved.approximate === 'none') return [geluBackward(x, g), null];
    // tanh: with t = tanh(k·(x + c·x³)), d/dx = ½(1 + t) + ½·x·(1 − t²)·k·(1 + 3c·x²).
    const x2 = mul(x, x);
    const t = tanh(mul(add(x, mul(mul(x2, x), GELU_C)), GELU_K));
    const inner = mul(add(mul(x2, 3 * GELU_C), 1), GELU_K);
    const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, sub(1, mul(t, t))), inner), 0.5));
    return [mul(g, d), null];
  }
}

/** g·(Φ(x) + x·φ(x)): the exact gelu's input gradient, differentiable in x and g. */
export class GeluBackward extends Function {
  static override forward(x: Tensor, g: Tensor): Tensor {
    return mul(g, unary('geluGrad', x));
  }
  static override setupContext(ctx: FunctionCtx, [x, g]: [Tensor, Tensor]): void {
    ctx.saveForBackward(x, g);
  }
  static override backward(ctx: FunctionCtx, h: Tensor): [Tensor | null, Tensor | null] {
    const [x, g] = ctx.savedTensors;
    let gx: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      // d/dx (Φ + xφ) = 2φ − x²φ = φ·(2 − x²)
      const x2 = mul(x, x);
      const phi = mul(exp(mul(x2, -0.5)), INV_SQRT_2PI);
      gx = mul(mul(h, g), mul(phi, sub(2, x2)));
    }
    return [gx, ctx.needsInputGrad[1] ? geluBackward(x, h) : null];
  }
}

function geluBackward(x: Tensor, g: Tensor): Tensor {
  return runN(GeluBackward, [x, g]) as Tensor;
}

export type GeluApproximate = 'none' | 'tanh';

/** x·Φ(x) elementwise (approximate 'tanh': PyTorch's tanh formula); same shape. */
export function gelu(x: Tensor, approximate?: GeluApproximate | { approximate?: GeluApproximate }): Tensor {
  checkTensorArg(x, 'gelu', 'x');
  [approximate = 'none'] = keywordArgs('gelu', ['approximate'], [approximate]) as [GeluApproximate | undefined];
  if (approximate !== 'none' && approximate !== 'tanh')
    throw new TypeError(`gelu: argument 'approximate' must be 'none' or 'tanh', got ${describe(approximate)}`);
  return runN(Gelu, [x, approximate]) as Tensor;
}
