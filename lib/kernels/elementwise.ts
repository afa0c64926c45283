// Elementwise kernels without autograd: plain JS loops for small tensors (a call into the addon costs
// more than the work), the native vectorised kernels for large ones.
import { allocate, allocateUninitialized, floatResult, promoteOperands, type DType, type FloatArray, type TypedArray } from '../dtype.js';
import { native } from '../native.js';
import { broadcastShapes, broadcastStrides, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { normalCdf, normalPdf } from './erf.js';
import { ELEMENTWISE_NATIVE_MIN_ELEMENTS } from './routing.js';

export type BinaryName = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';
export type UnaryName =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'relu' | 'abs'
  | 'powScalar' | 'addScalar' | 'mulScalar' | 'reluMask' | 'sign'
  // clamp (p = lo, p1 = hi), activations (p, p1 their parameters) and the masks/derivatives their backward needs
  | 'clamp' | 'clampMask' | 'square' | 'rsqrt' | 'log1p' | 'expm1' | 'softplus' | 'softplusMask' | 'leakyRelu'
  | 'leakyReluGrad' | 'elu' | 'gelu' | 'geluGrad' | 'geluTanh' | 'silu';

const enum B { Add, Sub, Mul, Div, Pow, Maximum, Minimum }
const BINARY_CODE: Record<BinaryName, B> = { add: B.Add, sub: B.Sub, mul: B.Mul, div: B.Div, pow: B.Pow, maximum: B.Maximum, minimum: B.Minimum };

const enum U {
  Neg, Exp, Log, Sqrt, Sin, Cos, Tanh, Sigmoid, Relu, Abs, PowScalar, AddScalar, MulScalar, ReluMask, Sign,
  Clamp, ClampMask, Square, Rsqrt, Log1p, Expm1, Softplus, SoftplusMask, LeakyRelu, LeakyReluGrad, Elu, Gelu, GeluGrad,
  GeluTanh, Silu,
}
const UNARY_CODE: Record<UnaryName, U> = {
  neg: U.Neg, exp: U.Exp, log: U.Log, sqrt: U.Sqrt, sin: U.Sin, cos: U.Cos, tanh: U.Tanh, sigmoid: U.Sigmoid,
  relu: U.Relu, abs: U.Abs, powScalar: U.PowScalar, addScalar: U.AddScalar, mulScalar: U.MulScalar, reluMask: U.ReluMask, sign: U.Sign,
  clamp: U.Clamp, clampMask: U.ClampMask, square: U.Square, rsqrt: U.Rsqrt, log1p: U.Log1p, expm1: U.Expm1,
  softplus: U.Softplus, softplusMask: U.SoftplusMask, leakyRelu: U.LeakyRelu, leakyReluGrad: U.LeakyReluGrad, elu: U.Elu,
  gelu: U.Gelu, geluGrad: U.GeluGrad, geluTanh: U.GeluTanh, silu: U.Silu,
};

// Native op codes, looked up by name once (the binding exports its name lists in code order).
function nativeCodes(list: readonly string[]): Map<string, number> {
  const codes = new Map<string, number>();
  list.forEach((name, i) => codes.set(name, i));
  return codes;
}
const nativeBinary = nativeCodes(native.binaryOps);
const nativeUnary = nativeCodes(native.unaryOps);

function isFloatArray(a: TypedArray): a is FloatArray {
  return a instanceof Float32Array || a instanceof Float64Array;
}

/** out[o + i] = a[ai + i·sa] ∘ b[bi + i·sb] for i < n. One loop per op: a switch inside would be slow. */
function binaryRun(op: B, a: TypedArray, ai: number, sa: number, b: TypedArray, bi: number, sb: number, out: TypedArray, o: number, n: number): void {
  switch (op) {
    case B.Add: for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] + b[bi + i * sb]; break;
    case B.Sub: for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] - b[bi + i * sb]; break;
    case B.Mul: for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] * b[bi + i * sb]; break;
    case B.Div: for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa] / b[bi + i * sb]; break;
    case B.Pow: for (let i = 0; i < n; i++) out[o + i] = powC(a[ai + i * sa], b[bi + i * sb]); break;
    case B.Maximum:
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa], y = b[bi + i * sb];
        out[o + i] = x !== x || y !== y ? NaN : x > y ? x : y;
      }
      break;
    case B.Minimum:
      for (let i = 0; i < n; i++) {
        const x = a[ai + i * sa], y = b[bi + i * sb];
        out[o + i] = x !== x || y !== y ? NaN : x < y ? x : y;
      }
      break;
  }
}

/** C's pow (and PyTorch's, and the native kernels'): as Math.pow except 1^y = 1 for every y and (−1)^±∞ = 1. */
function powC(x: number, y: number): number {
  return x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : Math.pow(x, y);
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
  if (op === 'div' || (op === 'pow' && d !== 'float64')) return floatResult(d);
  if (d === 'bool') return 'int32';
  return d;
}

/** a ∘ b with NumPy broadcasting, as a new tensor (no autograd). Shapes must already be checked. */
export function binary(name: BinaryName, a: Tensor | number, b: Tensor | number, outShape?: readonly number[]): Tensor {
  const op = BINARY_CODE[name];
  const dtype = binaryDtype(name, a, b);
  const aShape = a instanceof Tensor ? a.shape : [];
  const bShape = b instanceof Tensor ? b.shape : [];
  const shape = outShape ?? broadcastShapes(aShape, bShape, name);
  const n = sizeOf(shape);
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
  if (n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS && isFloatArray(out) && nativeBinary.has(name)) {
    const nativeA = asArrayOf(ad, out), nativeB = asArrayOf(bd, out);
    native.binary(nativeBinary.get(name)!, nativeA, broadcastStrides(a instanceof Tensor ? aShape : [], shape),
      nativeB, broadcastStrides(b instanceof Tensor ? bShape : [], shape), out, shape as number[]);
    return Tensor._wrap(out, shape, dtype);
  }
  if (ad.length === n && bd.length === n) binaryRun(op, ad, 0, 1, bd, 0, 1, out, 0, n);
  else if (bd.length === 1 && ad.length === n) binaryRun(op, ad, 0, 1, bd, 0, 0, out, 0, n);
  else if (ad.length === 1 && bd.length === n) binaryRun(op, ad, 0, 0, bd, 0, 1, out, 0, n);
  else broadcastRun(op, ad, broadcastStrides(aShape, shape), bd, broadcastStrides(bShape, shape), out, shape);
  return Tensor._wrap(out, shape, dtype);
}

/** a ∘= b in place (b broadcast to a's shape); a must be a float or int tensor of the result dtype. */
export function binaryInPlace(name: BinaryName, a: Tensor, b: Tensor | number): void {
  const op = BINARY_CODE[name];
  const n = a.data.length;
  let bd: TypedArray;
  if (b instanceof Tensor) bd = b.data;
  else {
    bd = scalarSlot;
    scalarSlot[0] = a.data instanceof Float32Array ? Math.fround(b) : b;
  }
  const out = a.data;
  if (n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS && isFloatArray(out) && nativeBinary.has(name) &&
      (bd.length === n || bd.length === 1)) {
    const nb = asArrayOf(bd, out);
    const strides = bd.length === 1 ? new Array<number>(a.ndim).fill(0) : broadcastStrides(a.shape, a.shape);
    native.binary(nativeBinary.get(name)!, out, broadcastStrides(a.shape, a.shape), nb, strides, out, a.shape as number[]);
    return;
  }
  if (bd.length === n) binaryRun(op, out, 0, 1, bd, 0, 1, out, 0, n);
  else if (bd.length === 1) binaryRun(op, out, 0, 1, bd, 0, 0, out, 0, n);
  else {
    // b broadcasts into a: read b through its broadcast strides; a is read before it is written.
    broadcastRun(op, out, broadcastStrides(a.shape, a.shape), bd, broadcastStrides((b as Tensor).shape, a.shape), out, a.shape);
  }
}

/** The native kernels want all operands of one float kind: convert the (small or scalar) odd one. */
function asArrayOf(x: TypedArray, like: FloatArray): FloatArray {
  if (x instanceof like.constructor) return x as FloatArray;
  return like instanceof Float32Array ? Float32Array.from(x) : Float64Array.from(x);
}

/** General n-d broadcast: an odometer over the outer dims, binaryRun over the last one. */
function broadcastRun(op: B, a: TypedArray, as: number[], b: TypedArray, bs: number[], out: TypedArray, shape: readonly number[]): void {
  const nd = shape.length;
  if (nd === 0) {
    binaryRun(op, a, 0, 0, b, 0, 0, out, 0, 1);
    return;
  }
  const inner = shape[nd - 1];
  const sa = as[nd - 1], sb = bs[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  const total = sizeOf(shape);
  let ai = 0, bi = 0;
  for (let o = 0; o < total; o += inner) {
    binaryRun(op, a, ai, sa, b, bi, sb, out, o, inner);
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

function unaryRun(op: U, x: TypedArray, out: TypedArray, n: number, p: number, p1: number): void {
  switch (op) {
    case U.Neg: for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case U.Exp: for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case U.Log: for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case U.Sqrt: for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case U.Sin: for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]); break;
    case U.Cos: for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]); break;
    case U.Tanh: for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    case U.Sigmoid:
      // Two branches so exp never overflows: for x < 0 use e^x / (1 + e^x).
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      break;
    case U.Relu: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v !== v ? v : 0; } break;
    case U.Abs: for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case U.PowScalar:
      if (p === 2) for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      else if (!Number.isFinite(p)) for (let i = 0; i < n; i++) out[i] = powC(x[i], p);
      else for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], p);
      break;
    case U.AddScalar: for (let i = 0; i < n; i++) out[i] = x[i] + p; break;
    case U.MulScalar: for (let i = 0; i < n; i++) out[i] = x[i] * p; break;
    case U.ReluMask: for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0; break;
    case U.Sign: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? 1 : v < 0 ? -1 : v; } break;
    // clamp as torch.clamp: NaN stays NaN, lo > hi gives hi.
    case U.Clamp: for (let i = 0; i < n; i++) { const v = x[i], r = v < p ? p : v; out[i] = r > p1 ? p1 : r; } break;
    case U.ClampMask: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v >= p && v <= p1 ? 1 : 0; } break;
    case U.Square: for (let i = 0; i < n; i++) out[i] = x[i] * x[i]; break;
    case U.Rsqrt: for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]); break;
    case U.Log1p: for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]); break;
    case U.Expm1: for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]); break;
    // softplus (p = β, p1 = threshold) as PyTorch: x where β·x > threshold, else log1p(exp(β·x))/β.
    case U.Softplus: for (let i = 0; i < n; i++) { const v = x[i], b = v * p; out[i] = b > p1 ? v : Math.log1p(Math.exp(b)) / p; } break;
    case U.SoftplusMask: for (let i = 0; i < n; i++) out[i] = x[i] * p > p1 ? 1 : 0; break;
    case U.LeakyRelu: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : v * p; } break;
    case U.LeakyReluGrad: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? 1 : v !== v ? v : p; } break;
    case U.Elu: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? v : p * Math.expm1(v); } break;
    case U.Gelu: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v * normalCdf(v); } break;
    case U.GeluGrad: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = normalCdf(v) + v * normalPdf(v); } break;
    case U.GeluTanh:
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(GELU_K * (v + GELU_C * v * v * v)));
      }
      break;
    case U.Silu: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v / (1 + Math.exp(-v)); } break;
  }
}

const INTEGER_PRESERVING = new Set<UnaryName>(['neg', 'relu', 'abs', 'addScalar', 'mulScalar', 'reluMask', 'sign', 'clamp', 'square']);
/** gelu's tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_C = 0.044715;

/** f(x) elementwise as a new tensor (no autograd). Float-valued ops on integer tensors give float32. */
export function unary(name: UnaryName, x: Tensor, p = 0, p1 = 0): Tensor {
  // clamp's absent bounds are ±Infinity, which keep an integer tensor integer.
  const intLike = (v: number) => Number.isInteger(v) || (name === 'clamp' && Math.abs(v) === Infinity);
  const keepsInteger = INTEGER_PRESERVING.has(name) && intLike(p) && intLike(p1);
  let dtype = x.dtype;
  if (dtype === 'bool') dtype = keepsInteger ? 'int32' : 'float32';
  else if (dtype === 'int32' && !keepsInteger) dtype = 'float32';
  const n = x.data.length;
  const out = allocateUninitialized(dtype, n); // every element is written below
  if (n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS && isFloatArray(out) && out.constructor === x.data.constructor &&
      nativeUnary.has(name)) {
    native.unary(nativeUnary.get(name)!, x.data as FloatArray, out, p, p1);
  } else {
    unaryRun(UNARY_CODE[name], x.data, out, n, p, p1);
  }
  return Tensor._wrap(out, x.shape, dtype);
}

/** Adds b into a's storage (same shape and dtype); for the engine's gradient accumulation. */
export function accumulateInto(a: Tensor, b: Tensor): void {
  const ad = a.data, bd = b.data, n = ad.length;
  if (n >= ELEMENTWISE_NATIVE_MIN_ELEMENTS && isFloatArray(ad) && ad.constructor === bd.constructor &&
      nativeBinary.has('add')) {
    const strides = broadcastStrides(a.shape, a.shape);
    native.binary(nativeBinary.get('add')!, ad, strides, bd as FloatArray, strides, ad, a.shape as number[]);
    return;
  }
  for (let i = 0; i < n; i++) ad[i] += bd[i];
}

/** A copy of x with its own storage (optionally converted to dtype). */
export function copy(x: Tensor, dtype: DType = x.dtype): Tensor {
  const out = allocateUninitialized(dtype, x.data.length);
  if (dtype === 'bool' && x.dtype !== 'bool') {
    // Nonzero (NaN included) is true, as PyTorch; a plain byte store would truncate 0.5 to 0 and 256 to 0.
    const src = x.data;
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else out.set(x.data);
  return Tensor._wrap(out, x.shape, dtype);
}
