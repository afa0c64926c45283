// pow: aᵇ elementwise with broadcasting.
//   d/da = b·aᵇ⁻¹ (0 where b = 0, as PyTorch)    d/db = aᵇ·ln a (0 where a = 0 and b ≥ 0, as PyTorch)
import { Function, type FunctionCtx } from '../autograd/function.js';
import { binary, unary } from '../kernels/elementwise.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { log } from './log.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, run2 } from './util.js';

export class Pow extends Function {
  static override forward(a: TensorLike, b: TensorLike): Tensor {
    if (a instanceof Tensor && typeof b === 'number') return unary('powScalar', a, b);
    return binary('pow', a, b);
  }
  static override setupContext(ctx: FunctionCtx, [a, b]: [TensorLike, TensorLike], out: Tensor): void {
    ctx.saveForBackward(a instanceof Tensor ? a : null, b instanceof Tensor ? b : null, ctx.needsInputGrad[1] ? out : null);
    ctx.aValue = typeof a === 'number' ? a : 0;
    ctx.bValue = typeof b === 'number' ? b : 0;
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor | null, Tensor | null] {
    const [a, b, out] = ctx.savedTensors;
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      if (b === null) {
        const p = ctx.bValue as number;
        ga = p === 0 ? mul(g, 0) : p === 1 ? g : p === 2 ? mul(g, mul(a, 2)) : mul(g, mul(pow(a, p - 1), p));
      } else {
        // b·a^(b−1), with the b = 0 entries forced to 0 (0·0^(−1) would be NaN).
        let local = mul(pow(a, sub(b, 1)), b);
        if (b.data.some((v) => v === 0)) local = zeroWhere(local, a, b, (_av, bv) => bv === 0);
        ga = mul(g, local);
      }
      ga = gradForInput(ctx, 0, ga);
    }
    if (ctx.needsInputGrad[1]) {
      const base = a ?? (ctx.aValue as number);
      let term: Tensor; // aᵇ·ln a
      if (base instanceof Tensor) {
        term = mul(out!, log(base));
        if (base.data.some((v) => v === 0)) term = zeroWhere(term, base, b!, (av, bv) => av === 0 && bv >= 0);
      } else term = mul(out!, base === 0 ? 0 : Math.log(base));
      gb = gradForInput(ctx, 1, mul(g, term));
    }
    return [ga, gb];
  }
}

/**
 * A copy of term (the broadcast shape of a and b) with 0 wherever pred(a, b) holds: the places where
 * the formula gives 0·inf but the derivative is 0. The copy is a constant, so second derivatives are
 * not tracked at those (measure-zero) points.
 */
function zeroWhere(term: Tensor, a: Tensor, b: Tensor, pred: (a: number, b: number) => boolean): Tensor {
  const ones = new Tensor(new Float64Array(term.size).fill(1), term.shape, 'float64');
  const ae = binary('mul', a, ones).data;
  const be = binary('mul', b, ones).data;
  const fixed = binary('mul', term, 1);
  for (let i = 0; i < fixed.size; i++) if (pred(ae[i], be[i])) fixed.data[i] = 0;
  return fixed;
}

/** aᵇ elementwise, broadcasting like NumPy; either may be a number (x.pow(2)). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  checkOperand(a, 'pow', 'a');
  checkOperand(b, 'pow', 'exponent');
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError("pow: at least one of 'a' and 'exponent' must be a Tensor");
  return run2(Pow, a, b);
}
