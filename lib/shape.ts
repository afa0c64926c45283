// Shape helpers: sizes, broadcasting, dim normalisation.

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
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
  if (!Number.isInteger(dim)) throw new TypeError(`${op}: dim must be an integer, got ${String(dim)}`);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (dim < lo || dim > hi) throw new RangeError(`${op}: dim ${dim} is out of range for a tensor of rank ${ndim} (expected ${lo}..${hi})`);
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Sorted unique non-negative dims from a number, an array, or undefined (= all dims). */
export function normalizeDims(dims: number | readonly number[] | undefined | null, ndim: number, op: string): number[] {
  if (dims === undefined || dims === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list)) throw new TypeError(`${op}: dim must be a number or an array of numbers, got ${typeof dims}`);
  const out = list.map((d) => normalizeDim(d, ndim, op));
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++)
    if (out[i] === out[i - 1]) throw new RangeError(`${op}: dim ${out[i]} appears more than once in ${JSON.stringify(list)}`);
  return ndim === 0 ? [] : out;
}

/** Checks a user-supplied shape array: non-negative integers. */
export function checkShape(shape: unknown, op: string, arg = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: ${arg} must be an array of non-negative integers, got ${describe(shape)}`);
  for (const d of shape)
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0)
      throw new TypeError(`${op}: ${arg} must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  return shape.slice();
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof x} (${String(x)})`;
}
