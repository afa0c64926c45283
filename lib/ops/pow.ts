// pow: aᵇ elementwise with broadcasting.
//   d/da = b·aᵇ⁻¹ (0 where a = b = 0, as PyTorch)    d/db = aᵇ·ln a (0 where a = 0 and b ≥ 0, as PyTorch)
// Both masks are differentiable (where), so gradients of gradients keep the unmasked entries.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary, unary } from '../kernels/elementwise.js';
import { eq, ge } from './compare.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { log } from './log.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { where } from './where.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, run2 } from './util.js';

/** What Pow keeps for backward besides saved tensors. */
type PowCtx = FunctionCtx<{ aValue: number; bValue: number }>;

export class Pow extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    if (a instanceof Tensor && typeof b === 'number') return unary('powScalar', a, b);
    return binary('pow', a, b);
  }
  static override setupContext(ctx: PowCtx, [a, b]: [TensorLike, TensorLike], out: Tensor): void {
    ctx.saveForBackward(a instanceof Tensor ? a : null, b instanceof Tensor ? b : null, ctx.needsInputGrad[1] ? out : null);
    // A number operand is kept as a value (read only where its saved tensor is null); two tensors need none.
    if (typeof a === 'number' || typeof b === 'number')
      ctx.saved = { aValue: typeof a === 'number' ? a : 0, bValue: typeof b === 'number' ? b : 0 };
  }
  static override backward(ctx: PowCtx, g: Tensor): [Tensor | null, Tensor | null] {
    const [a, b, out] = ctx.savedTensors;
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      if (b === null) {
        const p = ctx.saved.bValue;
        ga = p === 0 ? mul(g, 0) : p === 1 ? g : p === 2 ? mul(g, mul(a, 2)) : mul(g, mul(pow(a, p - 1), p));
      } else if (b.data.some((v) => v === 0) && a.data.some((v) => v === 0)) {
        // b·a^(b−1) is 0 where a = b = 0 (the formula gives 0·0^(−1) = NaN). Masked with where, before
        // and after the formula, so every other entry keeps its graph (where b = 0 alone the formula is
        // already 0, and its derivative in b, a^(−1), stays exact) and none turns NaN.
        const bothZero = logicalAnd(eq(a, 0), eq(b, 0));
        ga = mul(g, where(bothZero, 0, mul(pow(where(bothZero, 1, a), sub(b, 1)), b)));
      } else ga = mul(g, mul(pow(a, sub(b, 1)), b));
      ga = gradForInput(ctx, 0, ga);
    }
    if (ctx.needsInputGrad[1]) {
      const base = a ?? ctx.saved.aValue;
      let term: Tensor; // aᵇ·ln a
      if (base instanceof Tensor && base.data.some((v) => v === 0)) {
        // 0 where a = 0 and b ≥ 0 (0·ln 0 would be NaN); masked differentiably as above.
        const zeroBase = logicalAnd(eq(base, 0), ge(b!, 0));
        term = where(zeroBase, 0, mul(out!, log(where(zeroBase, 1, base))));
      } else if (base instanceof Tensor) term = mul(out!, log(base));
      else term = mul(out!, base === 0 ? 0 : Math.log(base));
      gb = gradForInput(ctx, 1, mul(g, term));
    }
    return [ga, gb];
  }
}

/** x ∧ y for bool tensors (broadcast): 1 where both are nonzero. */
function logicalAnd(x: Tensor, y: Tensor): Tensor {
  return binary('mul', x, y);
}

/** aᵇ elementwise, broadcasting like NumPy; either may be a number (x.pow(2)). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'pow', 'a');
  checkOperand(b, 'pow', 'exponent');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("pow: at least one of 'a' and 'exponent' must be a Tensor");
  return run2(Pow, a, b);
}
