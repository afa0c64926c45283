// Elementwise kernels without autograd: plain JS loops for small tensors (a call into the addon costs
// more than the work), the native vectorised kernels for large ones.
import {
  allocateUninitialized,
  floatResult,
  isFloatDType as isFloatDtype,
  promoteOperands,
  type DType,
  type FloatArray,
  type TypedArray,
} from '../dtype.js';
import { native } from '../native.js';
import { broadcastShapes, broadcastStrides, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { normalCdf, normalPdf } from './erf.js';
import { ELEMENTWISE_NATIVE_MIN_ELEMENTS } from './routing.js';
import { recorder } from '../compile/state.js';

export type Loop = (x: TypedArray, out: TypedArray, n: number, p: number, p1: number) => void;
/** out[o + i] = a[ai + i·sa] ∘ b[bi + i·sb] for i < n. */
export type BinaryLoop = (
  a: TypedArray,
  ai: number,
  sa: number,
  b: TypedArray,
  bi: number,
  sb: number,
  out: TypedArray,
  o: number,
  n: number,
) => void;

/**
 * The JS loop of every binary kernel, keyed by the addon's op name (binding/elementwise.cc's
 * binaryOps), which gives the native code. One loop per op: a switch inside the loop would be slow.
 * `floatResult`: integer operands give float32 (true division; pow's negative and fractional powers).
 */
const BINARY_KERNELS = {
  add: {
    floatResult: false,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] + b[bi + i * sb];
    }) as BinaryLoop,
  },
  sub: {
    floatResult: false,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] - b[bi + i * sb];
    }) as BinaryLoop,
  },
  mul: {
    floatResult: false,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] * b[bi + i * sb];
    }) as BinaryLoop,
  },
  div: {
    floatResult: true,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] / b[bi + i * sb];
    }) as BinaryLoop,
  },
  pow: {
    floatResult: true,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) out[o + i] = powC(a[ai + i * sa], b[bi + i * sb]);
    }) as BinaryLoop,
  },
  maximum: {
    floatResult: false,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa],
          y = b[bi + i * sb];
        out[o + i] = x !== x || y !== y ? NaN : x > y ? x : y;
      }
    }) as BinaryLoop,
  },
  minimum: {
    floatResult: false,
    loop: ((a, ai, sa, b, bi, sb, out, o, n) => {
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa],
          y = b[bi + i * sb];
        out[o + i] = x !== x || y !== y ? NaN : x < y ? x : y;
      }
    }) as BinaryLoop,
  },
};
export type BinaryName = keyof typeof BINARY_KERNELS;

/** A unary kernel's JS loop; `keepsInteger`: integer tensors stay integer (with integer parameters). */
interface UnaryKernelSpec {
  loop: Loop;
  keepsInteger?: boolean;
}

/**
 * The JS loop of every unary kernel, keyed by the addon's op name (binding/elementwise.cc's unaryOps),
 * which gives the native code. p and p1 are the kernel's scalar parameters. The public ops among them
 * are declared in lib/ops/elementwise.ts; the rest serve other ops and backward formulas.
 */
const UNARY_KERNELS = {
  neg: {
    keepsInteger: true,
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = -x[i];
    },
  },
  exp: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
    },
  },
  log: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
    },
  },
  sqrt: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
    },
  },
  sin: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]);
    },
  },
  cos: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]);
    },
  },
  tanh: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
    },
  },
  sigmoid: {
    loop: (x, out, n) => {
      // Two branches so exp never overflows: for x < 0 use e^x / (1 + e^x).
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
    },
  },
  relu: {
    keepsInteger: true,
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v !== v ? v : 0;
      }
    },
  },
  abs: {
    keepsInteger: true,
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
    },
  },
  powScalar: {
    loop: (x, out, n, p) => {
      if (p === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else if (!Number.isFinite(p)) for (let i = 0; i < n; i++) out[i] = powC(x[i], p);
      else for (let i = 0; i < n; i++) out[i] = x[i] ** p;
    },
  },
  addScalar: {
    keepsInteger: true,
    loop: (x, out, n, p) => {
      for (let i = 0; i < n; i++) out[i] = x[i] + p;
    },
  },
  mulScalar: {
    keepsInteger: true,
    loop: (x, out, n, p) => {
      for (let i = 0; i < n; i++) out[i] = x[i] * p;
    },
  },
  reluMask: {
    keepsInteger: true,
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0;
    },
  },
  sign: {
    keepsInteger: true,
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? 1 : v < 0 ? -1 : v;
      }
    },
  },
  // clamp (p = lo, p1 = hi) as torch.clamp: NaN stays NaN, lo > hi gives hi.
  clamp: {
    keepsInteger: true,
    loop: (x, out, n, p, p1) => {
      for (let i = 0; i < n; i++) {
        const v = x[i],
          r = v < p ? p : v;
        out[i] = r > p1 ? p1 : r;
      }
    },
  },
  clampMask: {
    loop: (x, out, n, p, p1) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v >= p && v <= p1 ? 1 : 0;
      }
    },
  },
  square: {
    keepsInteger: true,
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
    },
  },
  rsqrt: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]);
    },
  },
  reciprocal: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
    },
  },
  log1p: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]);
    },
  },
  expm1: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]);
    },
  },
  // softplus (p = β, p1 = threshold) as PyTorch: x where β·x > threshold, else log1p(exp(β·x))/β.
  softplus: {
    loop: (x, out, n, p, p1) => {
      for (let i = 0; i < n; i++) {
        const v = x[i],
          b = v * p;
        out[i] = b > p1 ? v : Math.log1p(Math.exp(b)) / p;
      }
    },
  },
  softplusMask: {
    loop: (x, out, n, p, p1) => {
      for (let i = 0; i < n; i++) out[i] = x[i] * p > p1 ? 1 : 0;
    },
  },
  leakyRelu: {
    loop: (x, out, n, p) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : v * p;
      }
    },
  },
  leakyReluGrad: {
    loop: (x, out, n, p) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? 1 : v !== v ? v : p;
      }
    },
  },
  elu: {
    loop: (x, out, n, p) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : p * Math.expm1(v);
      }
    },
  },
  gelu: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v * normalCdf(v);
      }
    },
  },
  geluGrad: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = normalCdf(v) + v * normalPdf(v);
      }
    },
  },
  geluTanh: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(GELU_K * (v + GELU_C * v * v * v)));
      }
    },
  },
  silu: {
    loop: (x, out, n) => {
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v / (1 + Math.exp(-v));
      }
    },
  },
} satisfies Record<string, UnaryKernelSpec>;
export type UnaryName = keyof typeof UNARY_KERNELS;

/** A unary kernel resolved at load: its JS loop and its native op code. */
export interface UnaryKernel {
  readonly name: UnaryName;
  readonly loop: Loop;
  readonly keepsInteger: boolean;
  readonly code: number;
}
interface BinaryKernel {
  readonly loop: BinaryLoop;
  readonly floatResult: boolean;
  readonly code: number;
}

/**
 * Every JS kernel's native op code, from the addon's own name list (the code is the index). A name
 * the addon lacks means lib and the binary were built from different sources: a clear error at
 * load, never a silent JS-only op.
 */
function nativeCode(list: readonly string[], name: string, kind: 'unaryOps' | 'binaryOps'): number {
  const code = list.indexOf(name);
  if (code < 0)
    throw new Error(
      `tapegrad: the native addon has no ${kind === 'unaryOps' ? 'unary' : 'binary'} kernel '${name}' ` +
        `(its ${kind}: ${list.join(', ')}).\n  fix: \`npm rebuild tapegrad\`, or \`npx cmake-js rebuild\` in a checkout.`,
    );
  return code;
}
const unaryKernels = new Map<string, UnaryKernel>();
for (const [name, spec] of Object.entries(UNARY_KERNELS) as [UnaryName, UnaryKernelSpec][])
  unaryKernels.set(name, {
    name,
    loop: spec.loop,
    keepsInteger: spec.keepsInteger === true,
    code: nativeCode(native.unaryOps, name, 'unaryOps'),
  });
const binaryKernels = new Map<string, BinaryKernel>();
for (const [name, spec] of Object.entries(BINARY_KERNELS))
  binaryKernels.set(name, { ...spec, code: nativeCode(native.binaryOps, name, 'binaryOps') });

/**
 * The JS loops of the addon's elementwise kernels, indexed by native op code: what eager runs below
 * ELEMENTWISE_NATIVE_MIN_ELEMENTS. A plan replays kernel calls on a few elements with them
 * (lib/compile/plan.ts), so that its values are eager's.
 */
export const jsLoopsByCode: {
  readonly unary: readonly (Loop | undefined)[];
  readonly binary: readonly (BinaryLoop | undefined)[];
} = {
  unary: native.unaryOps.map((name) => unaryKernels.get(name)?.loop),
  binary: native.binaryOps.map((name) => binaryKernels.get(name)?.loop),
};

/** The resolved kernel of a unary op name, for callers that look it up once (lib/ops/table.ts). */
export function unaryKernel(name: UnaryName): UnaryKernel {
  return unaryKernels.get(name)!;
}

function isFloatArray(a: TypedArray): a is FloatArray {
  return a instanceof Float32Array || a instanceof Float64Array;
}

/** C's pow (and PyTorch's, and the native kernels'): as Math.pow except 1^y = 1 for every y and (−1)^±∞ = 1. */
function powC(x: number, y: number): number {
  return x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : x ** y;
}

const scalarSlot = new Float64Array(1);

/** The dtype of a ∘ b where either may be a plain number (numbers do not widen a float tensor). */
export function binaryDtype(op: BinaryName, a: Tensor | number, b: Tensor | number): DType {
  let d: DType;
  if (a instanceof Tensor && b instanceof Tensor) d = promoteOperands(a, b);
  else {
    const t = (a instanceof Tensor ? a : b) as Tensor;
    const v = (a instanceof Tensor ? b : a) as number;
    d = t.dtype;
    if ((d === 'int32' || d === 'bool') && !Number.isInteger(v)) d = 'float32';
    if (d === 'bool') d = 'int32';
  }
  if (binaryKernels.get(op)!.floatResult) return floatResult(d);
  if (d === 'bool') return 'int32';
  return d;
}

/** Whether the native path would read a converted copy of x's values (a tensor of another dtype than the result's). */
function convertedOperand(x: Tensor | number, dtype: DType): boolean {
  return x instanceof Tensor && x.dtype !== dtype;
}

/** a ∘ b with NumPy broadcasting, as a new tensor (no autograd). Shapes must already be checked. */
export function binary(name: BinaryName, a: Tensor | number, b: Tensor | number, outShape?: readonly number[]): Tensor {
  const kernel = binaryKernels.get(name)!;
  const loop = kernel.loop;
  const dtype = binaryDtype(name, a, b);
  const aShape = a instanceof Tensor ? a.shape : [];
  const bShape = b instanceof Tensor ? b.shape : [];
  const shape = outShape ?? broadcastShapes(aShape, bShape, name);
  const n = sizeOf(shape);
  // While tg.compile records, float results take the native kernel at every size (a plan calls it
  // without a call's cost); integer ones are recorded as the JS kernel they are, and so are float ones with
  // an operand of another dtype: the native call would read a copy converted now, stale on every replay.
  const rec = recorder();
  if (rec !== null && (!isFloatDtype(dtype) || convertedOperand(a, dtype) || convertedOperand(b, dtype)))
    return rec.jsKernel('binary', binary, [name, a, b, shape]);
  const out = allocateUninitialized(dtype, n); // every element is written below
  let ad: TypedArray, bd: TypedArray;
  // A number meets a float32 op as a float32 (PyTorch and the native path round it so too).
  const f32 = out instanceof Float32Array;
  if (a instanceof Tensor) ad = a.data;
  else {
    ad = scalarSlot;
    scalarSlot[0] = f32 ? Math.fround(a) : a;
  }
  if (b instanceof Tensor) bd = b.data;
  else {
    bd = scalarSlot; // a is then a tensor: at most one operand is a number
    scalarSlot[0] = f32 ? Math.fround(b) : b;
  }
  if ((n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS || rec !== null) && isFloatArray(out)) {
    const nativeA = asArrayOf(ad, out, rec !== null),
      nativeB = asArrayOf(bd, out, rec !== null);
    const aStrides = broadcastStrides(a instanceof Tensor ? aShape : [], shape);
    const bStrides = broadcastStrides(b instanceof Tensor ? bShape : [], shape);
    if (rec !== null) rec.nativeCall('binary', [kernel.code, nativeA, aStrides, nativeB, bStrides, out, shape]);
    else native.binary(kernel.code, nativeA, aStrides, nativeB, bStrides, out, shape as number[]);
    return Tensor._wrap(out, shape, dtype);
  }
  if (ad.length === n && bd.length === n) loop(ad, 0, 1, bd, 0, 1, out, 0, n);
  else if (bd.length === 1 && ad.length === n) loop(ad, 0, 1, bd, 0, 0, out, 0, n);
  else if (ad.length === 1 && bd.length === n) loop(ad, 0, 0, bd, 0, 1, out, 0, n);
  else broadcastRun(loop, ad, broadcastStrides(aShape, shape), bd, broadcastStrides(bShape, shape), out, shape);
  return Tensor._wrap(out, shape, dtype);
}

/** a ∘= b in place (b broadcast to a's shape); a must be a float or int tensor of the result dtype. */
export function binaryInPlace(name: BinaryName, a: Tensor, b: Tensor | number): void {
  const kernel = binaryKernels.get(name)!;
  const loop = kernel.loop;
  const n = a.data.length;
  const rec = recorder();
  if (rec !== null && (!isFloatArray(a.data) || convertedOperand(b, a.dtype))) {
    rec.jsKernelInPlace('binaryInPlace', binaryInPlace, [name, a, b], [a.data]);
    return;
  }
  let bd: TypedArray;
  if (b instanceof Tensor) bd = b.data;
  else {
    bd = scalarSlot;
    scalarSlot[0] = a.data instanceof Float32Array ? Math.fround(b) : b;
  }
  const out = a.data;
  if (
    (n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS || rec !== null) &&
    isFloatArray(out) &&
    (rec !== null || bd.length === n || bd.length === 1)
  ) {
    const nb = asArrayOf(bd, out, rec !== null);
    const strides = broadcastStrides(b instanceof Tensor ? b.shape : [], a.shape);
    const own = broadcastStrides(a.shape, a.shape);
    if (rec !== null) rec.nativeCall('binary', [kernel.code, out, own, nb, strides, out, a.shape]);
    else native.binary(kernel.code, out, own, nb, strides, out, a.shape as number[]);
    return;
  }
  if (bd.length === n) loop(out, 0, 1, bd, 0, 1, out, 0, n);
  else if (bd.length === 1) loop(out, 0, 1, bd, 0, 0, out, 0, n);
  else {
    // b broadcasts into a: read b through its broadcast strides; a is read before it is written.
    broadcastRun(
      loop,
      out,
      broadcastStrides(a.shape, a.shape),
      bd,
      broadcastStrides((b as Tensor).shape, a.shape),
      out,
      a.shape,
    );
  }
}

/**
 * The native kernels want all operands of one float kind: convert the (small or scalar) odd one.
 * `own`: the result must not be the shared scalar slot (a recorded call keeps its arrays).
 */
function asArrayOf(x: TypedArray, like: FloatArray, own = false): FloatArray {
  if (x instanceof like.constructor) return own && x === scalarSlot ? Float64Array.of(x[0]) : (x as FloatArray);
  return like instanceof Float32Array ? Float32Array.from(x) : Float64Array.from(x);
}

/** General n-d broadcast: an odometer over the outer dims, the kernel's loop over the last one. */
function broadcastRun(
  loop: BinaryLoop,
  a: TypedArray,
  as: number[],
  b: TypedArray,
  bs: number[],
  out: TypedArray,
  shape: readonly number[],
): void {
  const nd = shape.length;
  if (nd === 0) {
    loop(a, 0, 0, b, 0, 0, out, 0, 1);
    return;
  }
  const inner = shape[nd - 1];
  const sa = as[nd - 1],
    sb = bs[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  const total = sizeOf(shape);
  let ai = 0,
    bi = 0;
  for (let o = 0; o < total; o += inner) {
    loop(a, ai, sa, b, bi, sb, out, o, inner);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      ai += as[d];
      bi += bs[d];
      if (idx[d] < shape[d]) break;
      ai -= as[d] * shape[d];
      bi -= bs[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** gelu's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_C = 0.044715;

/** f(x) elementwise as a new tensor (no autograd). Float-valued ops on integer tensors give float32. */
export function unary(name: UnaryName, x: Tensor, p = 0, p1 = 0): Tensor {
  return applyUnary(unaryKernels.get(name)!, x, p, p1);
}

/** unary() with the kernel already looked up (the op table's generated Functions hold theirs). */
export function applyUnary(kernel: UnaryKernel, x: Tensor, p = 0, p1 = 0): Tensor {
  // clamp's absent bounds are ±Infinity, which keep an integer tensor integer.
  const intLike = (v: number) => Number.isInteger(v) || (kernel.name === 'clamp' && Math.abs(v) === Infinity);
  const keepsInteger = kernel.keepsInteger && intLike(p) && intLike(p1);
  let dtype = x.dtype;
  if (dtype === 'bool') dtype = keepsInteger ? 'int32' : 'float32';
  else if (dtype === 'int32' && !keepsInteger) dtype = 'float32';
  const n = x.data.length;
  const rec = recorder();
  const nativeKind = isFloatDtype(dtype) && dtype === x.dtype;
  if (rec !== null && !nativeKind) return rec.jsKernel('unary', applyUnary, [kernel, x, p, p1]);
  const out = allocateUninitialized(dtype, n); // every element is written below
  if (rec !== null) rec.nativeCall('unary', [kernel.code, x.data, out, p, p1]);
  else if (n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS && nativeKind)
    native.unary(kernel.code, x.data as FloatArray, out as FloatArray, p, p1);
  else kernel.loop(x.data, out, n, p, p1);
  return Tensor._wrap(out, x.shape, dtype);
}

/** Adds b into a's storage (same shape and dtype); for the engine's gradient accumulation. */
export function accumulateInto(a: Tensor, b: Tensor): void {
  const ad = a.data,
    bd = b.data,
    n = ad.length;
  const rec = recorder();
  const nativeKind = isFloatArray(ad) && ad.constructor === bd.constructor;
  if (rec !== null && !nativeKind) {
    rec.jsKernelInPlace('accumulateInto', accumulateInto, [a, b], [ad]);
    return;
  }
  if ((n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS || rec !== null) && nativeKind) {
    const strides = broadcastStrides(a.shape, a.shape);
    const code = binaryKernels.get('add')!.code;
    if (rec !== null) rec.nativeCall('binary', [code, ad, strides, bd, strides, ad, a.shape]);
    else native.binary(code, ad, strides, bd as FloatArray, strides, ad, a.shape as number[]);
    return;
  }
  for (let i = 0; i < n; i++) ad[i] += bd[i];
}

/** A copy of x with its own storage (optionally converted to dtype). */
export function copy(x: Tensor, dtype: DType = x.dtype): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('copy', copy, [x, dtype]);
  const out = allocateUninitialized(dtype, x.data.length);
  if (dtype === 'bool' && x.dtype !== 'bool') {
    // Nonzero (NaN included) is true, as PyTorch; a plain byte store would truncate 0.5 to 0 and 256 to 0.
    const src = x.data;
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else out.set(x.data);
  return Tensor._wrap(out, x.shape, dtype);
}

/** Does the binary kernel give a float result for integer operands (div, pow)? */
export function binaryResultIsFloat(name: BinaryName): boolean {
  return binaryKernels.get(name)!.floatResult;
}
