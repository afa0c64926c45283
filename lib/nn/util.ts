// Small helpers shared by the nn modules.
import { allocateFor, type FloatDType } from '../dtype.js';
import { checkShape, describe, formatValue, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * A zero-filled float leaf of `shape` for a parameter of layer `op` (Linear, LayerNorm, Embedding).
 * The shape is checked as the creation functions check theirs (an array of non-negative integers,
 * at most MAX_ELEMENTS elements) and the errors name op, so a layer that forgot its own check still
 * cannot reach V8's allocator with a bad size; the checked copy is kept (the caller's array is not).
 */
export function empty(shape: readonly number[], dtype: FloatDType, op: string, what = 'the parameter shape'): Tensor {
  const s = checkShape(shape, op, what);
  return Tensor._wrap(allocateFor(dtype, sizeOf(s), op), s, dtype);
}

/** The dtype option of a layer: float32 (default) or float64. */
export function floatDtypeOption(dtype: unknown, fn: string): FloatDType {
  if (dtype === undefined) return 'float32';
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new TypeError(
      `${fn}: option 'dtype' must be 'float32' or 'float64', got ${typeof dtype === 'string' ? formatValue(dtype) : describe(dtype)}`,
    );
  return dtype;
}
