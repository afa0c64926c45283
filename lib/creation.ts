// Creation functions: zeros, ones, full, arange, eye, rand, randn, zerosLike, onesLike.
import { recorder } from './compile/state.js';
import { allocateFor, isFloatDType, type DType } from './dtype.js';
import { normal, uniform } from './random.js';
import { MAX_ELEMENTS, checkShape, describe, sizeOf } from './shape.js';
import { Tensor, dtypeOption, finishLeaf, storeValue, type TensorOptions } from './tensor.js';
import { checkTensorArg } from './ops/util.js';

function shapeArg(shape: unknown, op: string): number[] {
  return checkShape(typeof shape === 'number' ? [shape] : shape, op);
}

// Every function here validates its shape (non-negative safe integers, at most MAX_ELEMENTS in all),
// value, dtype and options before it allocates, so bad input never costs memory and never reaches
// V8's own allocation error ("Array buffer allocation failed" names no op).

/** A tensor of the given shape filled with value. */
export function full(shape: number[] | number, value: number, opts?: TensorOptions): Tensor {
  const s = shapeArg(shape, 'full');
  if (typeof value !== 'number') throw new TypeError(`full: argument 'value' must be a number, got ${describe(value)}`);
  const dtype = dtypeOption(opts, 'full');
  const stored = storeValue(value, dtype, 'full');
  const data = allocateFor(dtype, sizeOf(s), 'full');
  if (stored !== 0) data.fill(stored);
  return finishLeaf(Tensor._wrap(data, s, dtype), opts);
}

/** A tensor of zeros. */
export function zeros(shape: number[] | number, opts?: TensorOptions): Tensor {
  const s = shapeArg(shape, 'zeros');
  const dtype = dtypeOption(opts, 'zeros');
  return finishLeaf(Tensor._wrap(allocateFor(dtype, sizeOf(s), 'zeros'), s, dtype), opts);
}

/** A tensor of ones. */
export function ones(shape: number[] | number, opts?: TensorOptions): Tensor {
  const s = shapeArg(shape, 'ones');
  const dtype = dtypeOption(opts, 'ones');
  const data = allocateFor(dtype, sizeOf(s), 'ones');
  data.fill(1);
  return finishLeaf(Tensor._wrap(data, s, dtype), opts);
}

/** Zeros with x's shape and dtype (opts may override the dtype). */
export function zerosLike(x: Tensor, opts?: TensorOptions): Tensor {
  // As the ops do, refuse a tensor whose storage is gone (transferred, or disposed): its size reads
  // as 0, so the result had x's shape and no elements.
  x = checkTensorArg(x, 'zerosLike', 'x');
  const dtype = dtypeOption(opts, 'zerosLike', x.dtype);
  return finishLeaf(Tensor._wrap(allocateFor(dtype, x.size, 'zerosLike'), x.shape.slice(), dtype), opts);
}

/** Ones with x's shape and dtype (opts may override the dtype). */
export function onesLike(x: Tensor, opts?: TensorOptions): Tensor {
  x = checkTensorArg(x, 'onesLike', 'x');
  const dtype = dtypeOption(opts, 'onesLike', x.dtype);
  const data = allocateFor(dtype, x.size, 'onesLike');
  data.fill(1);
  return finishLeaf(Tensor._wrap(data, x.shape.slice(), dtype), opts);
}

/**
 * arange(end) or arange(start, end, step = 1): values start, start+step, ... < end (1-D).
 * Options may also come right after the numbers, as PyTorch's keyword: arange(5, { dtype: 'int32' }).
 */
export function arange(
  start: number,
  end?: number | TensorOptions,
  step: number | TensorOptions = 1,
  opts?: TensorOptions,
): Tensor {
  if (isOptionsObject(end) && step === 1 && opts === undefined) [end, step, opts] = [undefined, 1, end];
  else if (isOptionsObject(step) && opts === undefined) [step, opts] = [1, step];
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [
    ['start', start],
    ['end', end],
    ['step', step],
  ] as const)
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new TypeError(`arange: argument '${name}' must be a finite number, got ${describe(v)}`);
  const [a, b, st] = [start, end as number, step as number];
  if (st === 0) throw new RangeError('arange: step must be non-zero, got 0');
  const dtype = dtypeOption(opts, 'arange');
  const n = Math.max(0, Math.ceil((b - a) / st));
  if (n > MAX_ELEMENTS)
    throw new RangeError(
      `arange: start ${a}, end ${b} and step ${st} give ${n} elements, more than the limit of ${MAX_ELEMENTS} (2^31 - 1) elements per tensor`,
    );
  if (dtype === 'int32' && n > 0) {
    // Both ends must fit, or the typed-array store would wrap silently (the values in between do then).
    storeValue(a, dtype, 'arange');
    storeValue(a + (n - 1) * st, dtype, 'arange');
  }
  const data = allocateFor(dtype, n, 'arange');
  if (dtype === 'bool') for (let i = 0; i < n; i++) data[i] = a + i * st !== 0 ? 1 : 0;
  else for (let i = 0; i < n; i++) data[i] = a + i * st;
  return finishLeaf(Tensor._wrap(data, [n], dtype), opts);
}

function isOptionsObject(x: unknown): x is TensorOptions {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m: number = n, opts?: TensorOptions): Tensor {
  if (isOptionsObject(m) && opts === undefined) [m, opts] = [n, m];
  for (const [name, v] of [
    ['n', n],
    ['m', m],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new TypeError(`eye: argument '${name}' must be a non-negative integer, got ${describe(v)}`);
    if (v < 0) throw new RangeError(`eye: argument '${name}' must be a non-negative integer, got ${v}`);
  }
  const s = checkShape([n, m], 'eye', 'the size [n, m]');
  const dtype = dtypeOption(opts, 'eye');
  const data = allocateFor(dtype, s[0] * s[1], 'eye');
  for (let i = 0; i < Math.min(s[0], s[1]); i++) data[i * s[1] + i] = 1;
  return finishLeaf(Tensor._wrap(data, s, dtype), opts);
}

function randomFloat(shape: unknown, opts: TensorOptions | undefined, op: string, sample: () => number): Tensor {
  const s = shapeArg(shape, op);
  const dtype: DType = dtypeOption(opts, op);
  if (!isFloatDType(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const data = allocateFor(dtype, sizeOf(s), op);
  for (let i = 0; i < data.length; i++) data[i] = sample();
  return finishLeaf(Tensor._wrap(data, s, dtype), opts);
}

/** Uniform samples in [0, 1) from the seeded generator (tg.manualSeed). */
export function rand(shape: number[] | number, opts?: TensorOptions): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('rand', randomFloat, [shape, opts, 'rand', uniform]); // drawn anew on every replay
  return randomFloat(shape, opts, 'rand', uniform);
}

/** Standard normal samples from the seeded generator (tg.manualSeed). */
export function randn(shape: number[] | number, opts?: TensorOptions): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('randn', randomFloat, [shape, opts, 'randn', normal]);
  return randomFloat(shape, opts, 'randn', normal);
}
