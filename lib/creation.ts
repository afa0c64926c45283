// Creation functions: zeros, ones, full, arange, eye, rand, randn, zerosLike, onesLike.
import { allocate, isFloatDType, type DType } from './dtype.js';
import { normal, uniform } from './random.js';
import { checkShape, describe, sizeOf } from './shape.js';
import { Tensor, checkTensor, dtypeOption, finishLeaf, storeValue, type TensorOptions } from './tensor.js';

function shapeArg(shape: unknown, op: string): number[] {
  return checkShape(typeof shape === 'number' ? [shape] : shape, op);
}

/** A tensor of the given shape filled with value. */
export function full(shape: number[] | number, value: number, opts?: TensorOptions): Tensor {
  const s = shapeArg(shape, 'full');
  if (typeof value !== 'number') throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  const dtype = dtypeOption(opts, 'full');
  const data = allocate(dtype, sizeOf(s));
  if (value !== 0) data.fill(storeValue(value, dtype, 'full'));
  return finishLeaf(new Tensor(data, s, dtype), opts);
}

/** A tensor of zeros. */
export function zeros(shape: number[] | number, opts?: TensorOptions): Tensor {
  const s = shapeArg(shape, 'zeros');
  const dtype = dtypeOption(opts, 'zeros');
  return finishLeaf(new Tensor(allocate(dtype, sizeOf(s)), s, dtype), opts);
}

/** A tensor of ones. */
export function ones(shape: number[] | number, opts?: TensorOptions): Tensor {
  const s = shapeArg(shape, 'ones');
  const dtype = dtypeOption(opts, 'ones');
  const data = allocate(dtype, sizeOf(s));
  data.fill(1);
  return finishLeaf(new Tensor(data, s, dtype), opts);
}

/** Zeros with x's shape and dtype (opts may override the dtype). */
export function zerosLike(x: Tensor, opts?: TensorOptions): Tensor {
  checkTensor(x, 'zerosLike', 'x');
  return zeros(x.shape as number[], { dtype: x.dtype, ...opts });
}

/** Ones with x's shape and dtype (opts may override the dtype). */
export function onesLike(x: Tensor, opts?: TensorOptions): Tensor {
  checkTensor(x, 'onesLike', 'x');
  return ones(x.shape as number[], { dtype: x.dtype, ...opts });
}

/** arange(end) or arange(start, end, step = 1): values start, start+step, ... < end (1-D). */
export function arange(start: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const)
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`arange: ${name} must be a finite number, got ${describe(v)}`);
  if (step === 0) throw new RangeError('arange: step must be non-zero, got 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = dtypeOption(opts, 'arange');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finishLeaf(new Tensor(data, [n], dtype), opts);
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m: number = n, opts?: TensorOptions): Tensor {
  const s = checkShape([n, m], 'eye', 'size');
  const dtype = dtypeOption(opts, 'eye');
  const data = allocate(dtype, s[0] * s[1]);
  for (let i = 0; i < Math.min(s[0], s[1]); i++) data[i * s[1] + i] = 1;
  return finishLeaf(new Tensor(data, s, dtype), opts);
}

function randomFloat(shape: unknown, opts: TensorOptions | undefined, op: string, sample: () => number): Tensor {
  const s = shapeArg(shape, op);
  const dtype: DType = dtypeOption(opts, op);
  if (!isFloatDType(dtype)) throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const data = allocate(dtype, sizeOf(s));
  for (let i = 0; i < data.length; i++) data[i] = sample();
  return finishLeaf(new Tensor(data, s, dtype), opts);
}

/** Uniform samples in [0, 1) from the seeded generator (tg.manualSeed). */
export function rand(shape: number[] | number, opts?: TensorOptions): Tensor {
  return randomFloat(shape, opts, 'rand', uniform);
}

/** Standard normal samples from the seeded generator (tg.manualSeed). */
export function randn(shape: number[] | number, opts?: TensorOptions): Tensor {
  return randomFloat(shape, opts, 'randn', normal);
}
