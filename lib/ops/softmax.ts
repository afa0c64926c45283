// softmax and logSoftmax along one dim, fused and max-shifted (inputs around ±1e4 stay finite).
// Forward and backward each run one fused kernel (lib/kernels/softmax.ts: native for large tensors).
// The backward is itself a Function (SoftmaxBackward), so createGraph / double backward works:
// its own backward is written with tensor ops.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { isFloatDType } from '../dtype.js';
import { softmaxBackwardKernel, softmaxForward } from '../kernels/softmax.js';
import { describe, formatShape, normalizeDim, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { exp, mul, neg, sub } from './elementwise.js';
import { sum } from './sum.js';
import { toDtype } from './to_dtype.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

/** What Softmax keeps for backward besides saved tensors. */
type SoftmaxCtx = FunctionCtx<{ dim: number; log: boolean }>;

export class Softmax extends Function {
  static override forward(x: Tensor, dim: number, log: boolean): Tensor {
    return softmaxForward(x, dim, log);
  }
  static override setupContext(ctx: SoftmaxCtx, [, dim, log]: [Tensor, number, boolean], y: Tensor): void {
    ctx.saveForBackward(y); // both backward formulas need only the output
    ctx.saved = { dim, log };
  }
  static override backward(ctx: SoftmaxCtx, g: Tensor): [Tensor | null, null, null] {
    if (!ctx.needsInputGrad[0]) return [null, null, null];
    const [y] = ctx.savedTensors;
    return [softmaxBackward(y, g, ctx.saved.dim, ctx.saved.log), null, null];
  }
}

/**
 * dx from the forward output y and its gradient g. Forward: one fused kernel. Its own gradients, for
 * gradients of gradients (sums along dim, p = y for softmax, p = exp(y) for logSoftmax):
 *   softmax     dx = y⊙(g − Σg⊙y):  ∂/∂g = y⊙(h − Σh⊙y)           ∂/∂y = h⊙(g − Σg⊙y) − g⊙Σh⊙y
 *   logSoftmax  dx = g − p⊙Σg:      ∂/∂g = h − Σh⊙p               ∂/∂y = −h⊙p⊙Σg
 * where h is the incoming gradient of dx.
 */
export class SoftmaxBackward extends Function {
  static override forward(y: Tensor, g: Tensor, dim: number, log: boolean): Tensor {
    return softmaxBackwardKernel(y, g.dtype === y.dtype ? g : toDtype(g, y.dtype), dim, log);
  }
  static override setupContext(ctx: SoftmaxCtx, [y, g, dim, log]: [Tensor, Tensor, number, boolean]): void {
    ctx.saveForBackward(y, g);
    ctx.saved = { dim, log };
  }
  static override backward(ctx: SoftmaxCtx, h: Tensor): [Tensor | null, Tensor | null, null, null] {
    const [y, g] = ctx.savedTensors;
    const dim = ctx.saved.dim;
    const log = ctx.saved.log;
    let gy: Tensor | null = null,
      gg: Tensor | null = null;
    if (log) {
      const p = exp(y);
      if (ctx.needsInputGrad[1]) gg = sub(h, sum(mul(h, p), dim, true));
      if (ctx.needsInputGrad[0]) gy = neg(mul(mul(h, p), sum(g, dim, true)));
    } else {
      const hy = sum(mul(h, y), dim, true);
      if (ctx.needsInputGrad[1]) gg = mul(y, sub(h, hy));
      if (ctx.needsInputGrad[0]) gy = sub(mul(h, sub(g, sum(mul(g, y), dim, true))), mul(g, hy));
    }
    return [gy, gg, null, null];
  }
}

/** The input gradient of softmax (log = false) or logSoftmax (log = true) along dim, from the output y and its gradient g (same shape). */
export function softmaxBackward(y: Tensor, g: Tensor, dim: number, log: boolean): Tensor {
  const op = 'softmaxBackward';
  y = checkTensorArg(y, op, 'y');
  g = checkTensorArg(g, op, 'g');
  if (!isFloatDType(y.dtype)) throw new TypeError(`${op}: argument 'y' must be float32 or float64, got ${y.dtype}`);
  if (!isFloatDType(g.dtype)) throw new TypeError(`${op}: argument 'g' must be float32 or float64, got ${g.dtype}`);
  if (!shapesEqual(y.shape, g.shape))
    throw new RangeError(
      `${op}: arguments 'y' and 'g' must have the same shape, got y ${formatShape(y.shape)} and g ${formatShape(g.shape)}`,
    );
  if (typeof dim !== 'number') throw new TypeError(`${op}: argument 'dim' must be an integer, got ${describe(dim)}`);
  const d = normalizeDim(dim, y.ndim, op); // also refuses ±Infinity and NaN, which made the kernel loop forever
  if (typeof log !== 'boolean') throw new TypeError(`${op}: argument 'log' must be a boolean, got ${describe(log)}`);
  return runN(SoftmaxBackward, [y, g, d, log]) as Tensor;
}

function run(op: 'softmax' | 'logSoftmax', x: Tensor, dim: number, log: boolean): Tensor {
  x = checkTensorArg(x, op, 'x');
  if (typeof dim !== 'number') throw new TypeError(`${op}: argument 'dim' must be an integer, got ${describe(dim)}`);
  const d = normalizeDim(dim, x.ndim, op);
  // Integer and bool tensors are converted to float32, as the other float-valued ops do.
  const xf = isFloatDType(x.dtype) ? x : toDtype(x, 'float32');
  return runN(Softmax, [xf, d, log]) as Tensor;
}

/** exp(x − max) / Σ exp(x − max) along dim (negative counts from the end); same shape as x. */
export function softmax(x: Tensor, dim: number | { dim: number }): Tensor {
  return run('softmax', x, keywordArgs('softmax', ['dim'], [dim])[0] as number, false);
}

/** x − max − log Σ exp(x − max) along dim: log(softmax(x, dim)) computed stably; same shape as x. */
export function logSoftmax(x: Tensor, dim: number | { dim: number }): Tensor {
  return run('logSoftmax', x, keywordArgs('logSoftmax', ['dim'], [dim])[0] as number, true);
}
