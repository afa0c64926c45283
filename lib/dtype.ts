// Data types and their typed-array storage.
import { allocateStorage, newTypedArray, setCurrentOp } from './memory.js';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type FloatArray = Float32Array | Float64Array;

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64' || x === 'int32' || x === 'bool';
}

export function isFloatDType(d: DType): d is FloatDType {
  return d === 'float32' || d === 'float64';
}

/** A zero-filled typed array of the dtype's storage kind, from the storage allocator (lib/memory.ts). */
export function allocate(dtype: DType, size: number): TypedArray {
  // Below 2048 elements no dtype reaches the pool's 16 KiB: the common small case skips a call.
  return size < 2048 ? newTypedArray(dtype, size) : allocateStorage(dtype, size, true);
}

/**
 * Like allocate, but the contents are unspecified (a recycled buffer keeps old values): for kernels
 * that write every element, so that only ops that need zeros pay for zeroing.
 */
export function allocateUninitialized(dtype: DType, size: number): TypedArray {
  return size < 2048 ? allocate(dtype, size) : allocateStorage(dtype, size, false);
}

/**
 * allocate() for a user-requested size: V8's own failure ("Array buffer allocation failed", a
 * RangeError naming nothing) is rethrown naming op, the size and the bytes it would take.
 */
export function allocateFor(dtype: DType, size: number, op: string): TypedArray {
  setCurrentOp(op);
  try {
    return allocate(dtype, size);
  } catch (e) {
    const bytes = size * (dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4);
    throw new RangeError(`${op}: cannot allocate ${size} ${dtype} elements (${bytes} bytes): ${(e as Error).message}`);
  }
}

/** The dtype whose storage is this typed array, or null for other kinds. */
export function dtypeOfArray(a: unknown): DType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return null;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** Result dtype of a binary op between two tensors (PyTorch's promotion among our four dtypes). */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

/**
 * Result dtype of a binary op between two tensors, with PyTorch's rule for 0-d operands: a 0-d
 * tensor does not widen a tensor with dims within its category (float32 × 0-d float64 stays
 * float32); a 0-d operand of a higher category gives that category's default (int32 + 0-d float64
 * is float32).
 */
export function promoteOperands(a: { dtype: DType; ndim: number }, b: { dtype: DType; ndim: number }): DType {
  if ((a.ndim === 0) === (b.ndim === 0)) return promote(a.dtype, b.dtype);
  const [dimmed, scalar] = a.ndim === 0 ? [b, a] : [a, b];
  if (CATEGORY[scalar.dtype] <= CATEGORY[dimmed.dtype]) return dimmed.dtype;
  return CATEGORY[scalar.dtype] === 2 ? 'float32' : 'int32';
}

/** The float dtype a float-valued op (exp, div, mean...) produces for an input of dtype d. */
export function floatResult(d: DType): FloatDType {
  return d === 'float64' ? 'float64' : 'float32';
}
