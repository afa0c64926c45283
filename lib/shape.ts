// Shape helpers: sizes, broadcasting, dim normalisation.

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * shape as [outer, n, inner] blocks around dim: outer = the product of the sizes before dim, inner = the
 * product after it, n = shape[dim] (1 for a 0-d shape), so element (o, j, i) is at (o·n + j)·inner + i.
 */
export function blocksAround(shape: readonly number[], dim: number): [outer: number, n: number, inner: number] {
  let outer = 1,
    inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape[dim] ?? 1, inner];
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major contiguous strides (in elements). */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** NumPy broadcast of two shapes; throws a RangeError naming `op` when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw new RangeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dim ${i - n} is ${da} vs ${db})`,
      );
  }
  // A result larger than both inputs (e.g. [1e5, 1] + [1, 1e5]) must not reach V8's allocator.
  checkElementCount(sizeOf(out), op, () => `the broadcast shape ${formatShape(out)}`);
  return out;
}

/**
 * Element strides that read a contiguous tensor of `shape` as if broadcast to `outShape`
 * (0 along broadcast dims). `shape` must be broadcastable to `outShape`.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const n = outShape.length;
  const offset = n - shape.length;
  const strides = new Array<number>(n).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i + offset] = shape[i] === 1 && outShape[i + offset] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/** Normalises a possibly negative dim for a tensor of rank ndim; RangeError naming `op` if out of range. */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  if (!Number.isInteger(dim))
    throw new TypeError(`${op}: dim must be an integer, got ${typeof dim === 'number' ? String(dim) : describe(dim)}`);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (dim < lo || dim > hi)
    throw new RangeError(`${op}: dim ${dim} is out of range for a tensor of rank ${ndim} (expected ${lo}..${hi})`);
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Sorted unique non-negative dims from a number, an array, or undefined (= all dims). */
export function normalizeDims(dims: number | readonly number[] | undefined | null, ndim: number, op: string): number[] {
  if (dims === undefined || dims === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list))
    throw new TypeError(`${op}: dim must be a number or an array of numbers, got ${describe(dims)}`);
  const out = list.map((d) => normalizeDim(d, ndim, op));
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++)
    if (out[i] === out[i - 1])
      throw new RangeError(`${op}: dim ${out[i]} appears more than once in ${formatValue(list)}`);
  return ndim === 0 ? [] : out;
}

/**
 * The most elements a tensor may hold: 2³¹ − 1, the largest int32. V8's own typed-array limit is
 * 2³² elements on Node 20 (and larger on later versions); this one is the same on every Node
 * version and every dtype, and every flat index fits in an int32 index tensor (argmax, gather).
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Checks a user-supplied shape array before anything is allocated: an array of non-negative safe
 * integers whose product is at most MAX_ELEMENTS. Returns a copy. TypeError for a wrong kind
 * (not an array, an entry that is not an integer number), RangeError for a negative or too large size.
 */
export function checkShape(shape: unknown, op: string, arg = 'shape'): number[] {
  const what = arg.includes(' ') ? arg : `argument '${arg}'`; // "option 'shape'" is passed whole
  const expected = `${op}: ${what} must be an array of non-negative integers`;
  if (!Array.isArray(shape)) throw new TypeError(`${expected}, got ${describe(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d))
      throw new TypeError(`${expected}, got ${formatValue(shape)} (entry ${i} is ${describe(d)})`);
    if (d < 0) throw new RangeError(`${expected}, got ${formatValue(shape)} (entry ${i} is negative)`);
    if (d > MAX_ELEMENTS)
      throw new RangeError(
        `${op}: ${what} ${formatValue(shape)} has a size above the limit of ${MAX_ELEMENTS} elements`,
      );
    n *= d;
  }
  checkElementCount(n, op, formatShape(shape as number[]));
  return shape.slice();
}

/** RangeError naming op unless n elements fit in one tensor (what is the shape, for the message). */
export function checkElementCount(n: number, op: string, what: string | (() => string)): void {
  if (n > MAX_ELEMENTS) {
    // A function: the description is only formatted when it is needed (hot paths pass one).
    if (typeof what === 'function') what = what();
    throw new RangeError(
      `${op}: ${what.startsWith('[') ? 'shape ' : ''}${what} has ${n} elements, more than the limit of ${MAX_ELEMENTS} (2^31 - 1) elements per tensor`,
    );
  }
}

/**
 * A user value formatted for an error message: JSON-like for plain data (arrays and objects of
 * numbers and strings), BigInt-safe ("2n"), never throwing (cycles, getters, odd objects fall back
 * to describe()). Long results are cut.
 */
export function formatValue(x: unknown): string {
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'number')
    return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : String(x);
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'boolean' || x === null || x === undefined) return String(x);
  if (
    Array.isArray(x) &&
    x.length <= 32 &&
    x.every((v) => v === null || (typeof v !== 'object' && typeof v !== 'function'))
  )
    return `[${x.map((v) => formatValue(v)).join(',')}]`; // JSON's spacing, as these messages always had
  let s: string | undefined;
  try {
    s = JSON.stringify(x, (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    );
  } catch {
    s = undefined;
  }
  if (s === undefined) return describe(x);
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/** A short description of any value for error messages: its kind and, for primitives, its value. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `${/^[AEIO]/.test(x.constructor.name) ? 'an' : 'a'} ${x.constructor.name}`;
  if (typeof x === 'bigint') return `a bigint (${x}n)`;
  if (typeof x === 'symbol') return `a symbol (${x.description ?? ''})`;
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof x} (${String(x)})`;
}
