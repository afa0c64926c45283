// Small helpers shared by the nn modules.
import { allocate, type FloatDType } from '../dtype.js';
import { describe, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/** An uninitialised (zero-filled) float leaf of the given shape. */
export function empty(shape: number[], dtype: FloatDType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}

/** The dtype option of a layer: float32 (default) or float64. */
export function floatDtypeOption(dtype: unknown, fn: string): FloatDType {
  if (dtype === undefined) return 'float32';
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new TypeError(`${fn}: option 'dtype' must be 'float32' or 'float64', got ${typeof dtype === 'string' ? JSON.stringify(dtype) : describe(dtype)}`);
  return dtype;
}

/** A number option that must be finite and within [lo, hi]. */
export function numberOption(v: unknown, fn: string, name: string, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${fn}: '${name}' must be a number, got ${describe(v)}`);
  if (v < lo || v > hi) throw new RangeError(`${fn}: '${name}' must be in [${lo}, ${hi}], got ${v}`);
  return v;
}
