// Shared argument checks and gradient helpers for the ops.
import { applyFunction, type FunctionClass } from '../autograd/function.js';
import { adoptForeignTensor } from '../foreign_tensor.js';
import { isGradEnabled } from '../grad_mode.js';
import { setCurrentOp } from '../memory.js';
import { describe } from '../shape.js';
import { Tensor, checkStorage, type Dims, type TensorLike } from '../tensor.js';

/** An empty tensor is fine unless it was disposed or its buffer transferred (kept out of line). */
function checkReadable(x: Tensor, op: string, arg: string): Tensor {
  checkStorage(x, op, `argument '${arg}'`);
  return x;
}

/**
 * A tensor or a finite-or-not JS number; anything else is a TypeError naming op and arg. Returns the
 * operand to use: x itself, or a tensor of another compatible copy of tapegrad adopted as ours
 * (lib/foreign_tensor.ts), so callers write `a = checkOperand(a, ...)`.
 */
export function checkOperand(x: unknown, op: string, arg: string): TensorLike {
  if (x instanceof Tensor ? x.data.length !== 0 : typeof x === 'number') return x as TensorLike;
  if (x instanceof Tensor) return checkReadable(x, op, arg);
  const adopted = adoptForeignTensor(x, op, arg);
  if (adopted !== null) return adopted;
  throw new TypeError(`${op}: argument '${arg}' must be a Tensor or a number, got ${describe(x)}`);
}

/** A tensor, as checkOperand (numbers refused); callers write `x = checkTensorArg(x, ...)`. */
export function checkTensorArg(x: unknown, op: string, arg: string): Tensor {
  if (x instanceof Tensor) return x.data.length !== 0 ? x : checkReadable(x, op, arg);
  const adopted = adoptForeignTensor(x, op, arg);
  if (adopted !== null) return adopted;
  throw new TypeError(`${op}: argument '${arg}' must be a Tensor, got ${describe(x)}`);
}

export function checkBool(x: unknown, op: string, arg: string): boolean {
  if (x === undefined) return false;
  if (typeof x === 'boolean') return x;
  throw new TypeError(`${op}: argument '${arg}' must be a boolean, got ${describe(x)}`);
}

/**
 * Runs a built-in op: straight to forward when nothing needs recording (the common inference and
 * backward case, and the cheapest), else through Function.apply like any user Function.
 */
export function run1(fn: FunctionClass, a: TensorLike): Tensor {
  setCurrentOp(fn);
  if (isGradEnabled() && a instanceof Tensor && a.requiresGrad) return applyFunction(fn, [a]) as Tensor;
  return fn.forward(a) as Tensor;
}

export function run2(fn: FunctionClass, a: unknown, b: unknown): Tensor {
  setCurrentOp(fn);
  if (isGradEnabled() && ((a instanceof Tensor && a.requiresGrad) || (b instanceof Tensor && b.requiresGrad)))
    return applyFunction(fn, [a, b]) as Tensor;
  return fn.forward(a, b) as Tensor;
}

export function runN(fn: FunctionClass, args: unknown[]): unknown {
  setCurrentOp(fn);
  if (isGradEnabled()) return applyFunction(fn, args);
  return fn.forward(...args);
}

/** A plain `{ ... }` object: what stands for PyTorch's keyword arguments. */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * PyTorch's keyword arguments as an options object. `values` are the trailing parameters `names` of
 * op as the caller passed them; an options object may stand in place of any of them and gives the
 * rest by name: sum(x, 1, { keepdim: true }), sum(x, { dim: 1 }), gelu(x, { approximate: 'tanh' }).
 * Returns values with the object spread into its places (undefined where nothing was given).
 * An unknown name, a name also given positionally, or an argument after the object is a TypeError.
 */
export function keywordArgs(op: string, names: readonly string[], values: unknown[]): unknown[] {
  for (let i = 0; i < values.length; i++) {
    const options = values[i];
    if (!isOptionsObject(options)) continue;
    for (let j = i + 1; j < values.length; j++)
      if (values[j] !== undefined)
        throw new TypeError(`${op}: the options object must be the last argument, got ${describe(values[j])} after it`);
    values[i] = undefined;
    for (const key of Object.keys(options)) {
      const k = names.indexOf(key);
      if (k < 0)
        throw new TypeError(`${op}: unknown option '${key}' (expected ${names.map((n) => `'${n}'`).join(', ')})`);
      if (k < i) throw new TypeError(`${op}: '${key}' is given both as an argument and as an option`);
      values[k] = options[key];
    }
    break;
  }
  return values;
}

/** Reductions' keyword arguments: sum(x, { dim: 1, keepdim: true }), sum(x, 1, { keepdim: true }). */
export interface ReduceOptions {
  dim?: Dims | null;
  keepdim?: boolean;
}
export type KeepdimOption = Pick<ReduceOptions, 'keepdim'>;
export const REDUCE_KEYWORDS = ['dim', 'keepdim'] as const;
