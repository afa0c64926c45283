// where: condition ? a : b elementwise, broadcasting all three. d/da = g where the condition holds,
// d/db = g where it does not, each summed back to its input's shape.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { promoteOperands, type DType } from '../dtype.js';
import { whereKernel } from '../kernels/indexing.js';
import { broadcastShapes, describe } from '../shape.js';
import { Tensor, checkStorage, type TensorLike } from '../tensor.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, runN } from './util.js';

export class Where extends Function {
  static override forward(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
    return whereKernel(cond, a, b, whereShape(cond, a, b), whereDtype(a, b));
  }
  static override setupContext(ctx: FunctionCtx, [cond]: [Tensor, TensorLike, TensorLike]): void {
    ctx.saveForBackward(cond); // saved so an in-place change to the condition is caught
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [null, Tensor | null, Tensor | null] {
    const [cond] = ctx.savedTensors;
    return [
      null,
      ctx.needsInputGrad[1] ? gradForInput(ctx, 1, where(cond, g, 0)) : null,
      ctx.needsInputGrad[2] ? gradForInput(ctx, 2, where(cond, 0, g)) : null,
    ];
  }
}

function whereShape(cond: Tensor, a: TensorLike, b: TensorLike): number[] {
  let shape = cond.shape as number[];
  if (a instanceof Tensor) shape = broadcastShapes(shape, a.shape, 'where');
  if (b instanceof Tensor) shape = broadcastShapes(shape, b.shape, 'where');
  return shape;
}

/**
 * Tensors promote as in binary ops (a 0-d tensor does not widen one with dims of its category:
 * where(c, float32, 0-d float64) is float32); a number takes the tensor's dtype unless it needs a wider one.
 */
function whereDtype(a: TensorLike, b: TensorLike): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promoteOperands(a, b);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) return 'float32';
  const t = (a instanceof Tensor ? a : b) as Tensor;
  const v = (a instanceof Tensor ? b : a) as number;
  if (t.dtype === 'float32' || t.dtype === 'float64') return t.dtype;
  if (!Number.isInteger(v)) return 'float32';
  return t.dtype === 'bool' && v !== 0 && v !== 1 ? 'int32' : t.dtype;
}

/** Throws unless m is a bool tensor or an int32 one (nonzero counts as true). */
export function checkMask(m: unknown, op: string, arg: string): Tensor {
  if (!(m instanceof Tensor)) throw new TypeError(`${op}: argument '${arg}' must be a bool Tensor, got ${describe(m)}`);
  if (m.dtype !== 'bool' && m.dtype !== 'int32')
    throw new TypeError(`${op}: argument '${arg}' must be a bool Tensor (or int32 0/1), got dtype ${m.dtype}`);
  if (m.data.length === 0) checkStorage(m, op, `argument '${arg}'`);
  return m;
}

/**
 * condition ? a : b elementwise; condition is a bool (or int32 0/1) tensor, a and b tensors or
 * numbers; the result has the broadcast shape of all three and the promoted dtype of a and b.
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const cond = checkMask(condition, 'where', 'condition');
  a = checkOperand(a, 'where', 'a');
  b = checkOperand(b, 'where', 'b');
  whereShape(cond, a, b); // shape errors before anything is recorded
  return runN(Where, [cond, a, b]) as Tensor;
}
