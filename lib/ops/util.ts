// Shared argument checks and gradient helpers for the ops.
import { applyFunction, type FunctionClass } from '../autograd/function.js';
import { isGradEnabled } from '../grad_mode.js';
import { describe } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';

/** A tensor or a finite-or-not JS number; anything else is a TypeError naming op and arg. */
export function checkOperand(x: unknown, op: string, arg: string): TensorLike {
  if (x instanceof Tensor || typeof x === 'number') return x;
  throw new TypeError(`${op}: argument '${arg}' must be a Tensor or a number, got ${describe(x)}`);
}

export function checkTensorArg(x: unknown, op: string, arg: string): Tensor {
  if (x instanceof Tensor) return x;
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
  if (isGradEnabled() && a instanceof Tensor && a._requiresGrad) return applyFunction(fn, [a]) as Tensor;
  return fn.forward(a) as Tensor;
}

export function run2(fn: FunctionClass, a: unknown, b: unknown): Tensor {
  if (isGradEnabled() && ((a instanceof Tensor && a._requiresGrad) || (b instanceof Tensor && b._requiresGrad)))
    return applyFunction(fn, [a, b]) as Tensor;
  return fn.forward(a, b) as Tensor;
}

export function runN(fn: FunctionClass, args: unknown[]): unknown {
  if (isGradEnabled()) return applyFunction(fn, args);
  return fn.forward(...args);
}
