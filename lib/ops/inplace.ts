// In-place ops: x.add_(y), sub_, mul_, div_, fill_/zero_. They bump x's version counter, so a tensor
// saved for backward and then modified makes backward fail loudly instead of silently wrong.
// On a non-leaf that requires grad they are recorded (ctx.markDirty), and x's gradFn moves to them.
import { recorder } from '../compile/state.js';
import { Function, applyFunction, type FunctionCtx } from '../autograd/function.js';
import { isFloatDType, promote } from '../dtype.js';
import { isGradEnabled } from '../grad_mode.js';
import { binaryDtype, binaryInPlace, type BinaryName } from '../kernels/elementwise.js';
import { broadcastShapes, describe, formatShape, shapesEqual } from '../shape.js';
import { Tensor, storeValue, type TensorLike } from '../tensor.js';
import { clone } from './clone.js';
import { div, mul, neg } from './elementwise.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, checkTensorArg } from './util.js';

type InplaceName = 'add' | 'sub' | 'mul' | 'div';

/** What InplaceBinary keeps for backward besides saved tensors. */
type InplaceCtx = FunctionCtx<{ op: InplaceName; otherIsOriginal: boolean; otherValue: number }>;

export class InplaceBinary extends Function {
  /** original: x's values before the write, when backward needs them (mul_/div_ with other requiring grad). */
  static override forward(x: Tensor, other: TensorLike, op: InplaceName, _original: Tensor | null): Tensor {
    binaryInPlace(op as BinaryName, x, other);
    return x;
  }
  static override setupContext(
    ctx: InplaceCtx,
    [x, other, op, original]: [Tensor, TensorLike, InplaceName, Tensor | null],
  ): void {
    ctx.markDirty(x);
    // add_/sub_ need no values. mul_/div_ need other's, which are x's old ones when other shares x's
    // storage (y.mul_(y)): the write changes them, so the clone taken before it stands in.
    const sharesStorage = other instanceof Tensor && other.data === x.data;
    const otherNeeded = (op === 'mul' || op === 'div') && other instanceof Tensor && !sharesStorage;
    ctx.saveForBackward(otherNeeded ? other : null, original);
    ctx.saved = { op, otherIsOriginal: sharesStorage, otherValue: typeof other === 'number' ? other : 0 };
  }
  static override backward(ctx: InplaceCtx, g: Tensor): [Tensor | null, Tensor | null, null, null] {
    const [otherT, original] = ctx.savedTensors;
    const other: TensorLike = ctx.saved.otherIsOriginal ? original! : (otherT ?? ctx.saved.otherValue);
    const op = ctx.saved.op;
    let gx: Tensor | null = null,
      go: Tensor | null = null;
    if (ctx.needsInputGrad[0])
      gx = gradForInput(ctx, 0, op === 'mul' ? mul(g, other) : op === 'div' ? div(g, other) : g); // in x's dtype
    if (ctx.needsInputGrad[1]) {
      const local =
        op === 'add'
          ? g
          : op === 'sub'
            ? neg(g)
            : op === 'mul'
              ? mul(g, original!)
              : neg(div(mul(g, original!), mul(other, other)));
      go = gradForInput(ctx, 1, local);
    }
    return [gx, go, null, null];
  }
}

export class Fill extends Function {
  static override forward(x: Tensor, value: number): Tensor {
    fillRecorded(x, value);
    return x;
  }
  static override setupContext(ctx: FunctionCtx, [x]: [Tensor, number]): void {
    ctx.markDirty(x);
  }
  static override backward(_ctx: FunctionCtx, g: Tensor): [Tensor, null] {
    return [mul(g, 0), null];
  }
}

function recordingNeeded(x: Tensor, other: TensorLike | null, op: string): boolean {
  if (!isGradEnabled()) return false;
  if (x._isViewOfGradTensor())
    // The write would change the base too, whose recorded history would not know: refuse rather than
    // give a silently wrong gradient (PyTorch rebases such views; we do not yet).
    throw new Error(
      `${op}_: in-place modification of a view (reshape/flatten/squeeze/unsqueeze) of a tensor that requires grad is not supported while grad mode is on; clone() the view first`,
    );
  const otherReq = other instanceof Tensor && other.requiresGrad;
  if (!x.requiresGrad && !otherReq) return false;
  if (x.requiresGrad && x.gradFn === null)
    throw new Error(
      `${op}_: a leaf tensor that requires grad cannot be modified in place while grad mode is on (use tg.noGrad, or clone it first)`,
    );
  return true;
}

/** x ∘= other in place (other broadcast to x's shape). */
export function inplace(x: Tensor, op: InplaceName, other: TensorLike): Tensor {
  x = checkTensorArg(x, `${op}_`, 'x');
  other = checkOperand(other, `${op}_`, 'other');
  if (other instanceof Tensor) {
    const shape = broadcastShapes(x.shape, other.shape, `${op}_`);
    if (!shapesEqual(shape, x.shape))
      throw new RangeError(
        `${op}_: other of shape ${formatShape(other.shape)} does not broadcast to the tensor's shape ${formatShape(x.shape)}`,
      );
  }
  const result = binaryDtype(op, x, other);
  if (result !== x.dtype && !(isFloatDType(x.dtype) && isFloatDType(result) && promote(x.dtype, result) === result))
    throw new TypeError(`${op}_: the result type ${result} cannot be stored in place in a ${x.dtype} tensor`);
  if (!recordingNeeded(x, other, op)) {
    binaryInPlace(op, x, other);
    x._bumpVersion();
    return x;
  }
  const needsOriginal =
    (op === 'mul' || op === 'div') && other instanceof Tensor && (other.requiresGrad || other.data === x.data);
  // A differentiable clone (not a bare copy), so double backward through the saved value reaches x's history.
  const original = needsOriginal ? clone(x) : null;
  return applyFunction(InplaceBinary, [x, other, op, original]) as Tensor;
}

/** The kernel of fill_: every element of x's storage set to value (already stored as x's dtype). */
function fillData(x: Tensor, value: number): undefined {
  x.data.fill(value);
  return undefined;
}

/** fillData, as a kernel tg.compile records (so that a replay fills again). */
function fillRecorded(x: Tensor, value: number): void {
  const rec = recorder();
  if (rec !== null) rec.jsKernelInPlace('fill', fillData, [x, value], [x.data]);
  else fillData(x, value);
}

/** Fills x with value in place; errors name op (zero_ is fill_(0) and names itself). */
export function fill(x: Tensor, value: number, op: 'fill_' | 'zero_' = 'fill_'): Tensor {
  x = checkTensorArg(x, op, 'x');
  if (typeof value !== 'number')
    throw new TypeError(`${op}: argument 'value' must be a number, got ${describe(value)}`);
  // bool: nonzero (NaN too) is true, stored as the byte 1; int32: NaN and values out of range are
  // refused (the typed-array store would wrap 3e9 and turn NaN into 0), as full() does.
  value = storeValue(value, x.dtype, op);
  if (!recordingNeeded(x, null, op.slice(0, -1))) {
    fillRecorded(x, value);
    x._bumpVersion();
    return x;
  }
  return applyFunction(Fill, [x, value]) as Tensor;
}
