// JS-level checks of the native elementwise/reduction glue: op name lists, unary / binary / reduce values
// against plain-JS references (float32 and float64, broadcasting, subarray views, in place), and every
// TypeError / RangeError path of binding/elementwise.cc with its exact message.
import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf } from '../../lib/kernels/erf.js';
import { native } from '../../lib/native.js';

type Float = Float32Array | Float64Array;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const kinds: [string, Ctor][] = [
  ['float32', Float32Array],
  ['float64', Float64Array],
];

let seed = 7;
function rnd(lo = -1, hi = 1): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return lo + ((hi - lo) * seed) / 2147483648;
}
function randArr(C: Ctor, n: number, lo = -1, hi = 1): Float {
  const x = new C(n);
  for (let i = 0; i < n; i++) x[i] = rnd(lo, hi);
  return x;
}

// within `ulps` units in the last place of the kind (NaN equal to NaN, infinities exact), plus `abs`
function close(got: number, want: number, C: Ctor, ulps: number, abs = 0): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (C === Float32Array) want = Math.fround(want);
  if (!Number.isFinite(want) || (want === 0 && abs === 0)) return got === want;
  const eps = C === Float32Array ? 2 ** -23 : 2 ** -52;
  const tiny = C === Float32Array ? 2 ** -149 : 2 ** -1074;
  return Math.abs(got - want) <= ulps * eps * Math.abs(want) + tiny + abs;
}
function expectClose(
  got: Float,
  want: ArrayLike<number>,
  C: Ctor,
  ulps: number,
  what: string,
  absOf?: (i: number) => number,
): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!close(got[i], want[i], C, ulps, absOf ? absOf(i) : 0)) {
      throw new Error(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

const op = (list: string[], name: string): number => {
  const i = list.indexOf(name);
  if (i < 0) throw new Error(`no op ${name}`);
  return i;
};

describe('op name lists', () => {
  it('are exported in code order', () => {
    expect(native.unaryOps).toEqual([
      'neg',
      'exp',
      'log',
      'sqrt',
      'sin',
      'cos',
      'tanh',
      'sigmoid',
      'relu',
      'abs',
      'powScalar',
      'addScalar',
      'mulScalar',
      'reluMask',
      'clamp',
      'reciprocal',
      'square',
      'sign',
      'clampMask',
      'rsqrt',
      'log1p',
      'expm1',
      'softplus',
      'softplusMask',
      'leakyRelu',
      'leakyReluGrad',
      'elu',
      'geluTanh',
      'silu',
      'gelu',
      'geluGrad',
    ]);
    expect(native.binaryOps).toEqual(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum']);
    expect(native.reduceOps).toEqual(['sum', 'mean', 'max', 'min', 'prod']);
  });
});

// ---- unary --------------------------------------------------------------------------------------------

const f32 = (C: Ctor, v: number) => (C === Float32Array ? Math.fround(v) : v);
const unaryRef: Record<string, (x: number, p0: number, p1: number, C: Ctor) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (Number.isNaN(x) ? x : x > 0 ? x : 0),
  abs: Math.abs,
  powScalar: (x, p) => x ** p,
  addScalar: (x, p, _, C) => x + f32(C, p),
  mulScalar: (x, p, _, C) => x * f32(C, p),
  reluMask: (x) => (x > 0 ? 1 : 0),
  clamp: (x, lo, hi, C) => (Number.isNaN(x) ? x : Math.min(Math.max(x, f32(C, lo)), f32(C, hi))),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  // these compute in double for float32 too, like lib/'s JS loops
  clampMask: (x, lo, hi) => (x >= lo && x <= hi ? 1 : 0),
  rsqrt: (x) => 1 / Math.sqrt(x),
  log1p: Math.log1p,
  expm1: Math.expm1,
  softplus: (x, beta, threshold) => (x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta),
  softplusMask: (x, beta, threshold) => (x * beta > threshold ? 1 : 0),
  leakyRelu: (x, slope) => (x > 0 ? x : x * slope),
  leakyReluGrad: (x, slope) => (x > 0 ? 1 : Number.isNaN(x) ? x : slope),
  elu: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
  silu: (x) => x / (1 + Math.exp(-x)),
  gelu: (x) => x * normalCdf(x),
  geluGrad: (x) => normalCdf(x) + x * normalPdf(x),
};
const transcendental = new Set([
  'exp',
  'log',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'powScalar',
  'rsqrt',
  'log1p',
  'expm1',
  'softplus',
  'elu',
  'geluTanh',
  'silu',
  'gelu',
  'geluGrad',
]);
// gelu's 1 + tanh(.) cancels near −1 in any double implementation: allow |x|·2^-50 absolute there
const cancels = new Set(['geluTanh', 'gelu', 'geluGrad']);
// the exact gelu's reference uses lib/'s TS erfc (≈1e-13 relative in the far tail), not a correctly rounded one
const approxRef = new Set(['gelu', 'geluGrad']);
const specials = [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 1e-8, 700, -700, 3e5, 1e7];

describe('unary values', () => {
  for (const [kind, C] of kinds) {
    for (const name of native.unaryOps) {
      it(`${name} ${kind} matches the JS reference (sizes 0..100003, in place)`, () => {
        const ref = unaryRef[name];
        const [p0, p1] =
          name === 'clamp' || name === 'clampMask'
            ? [-0.25, 0.75]
            : name === 'powScalar'
              ? [2.5, 0]
              : name.startsWith('softplus')
                ? [1.7, 20]
                : [1.7, 0];
        const [lo, hi] =
          name === 'log' || name === 'powScalar' || name === 'rsqrt'
            ? [0, 20]
            : name === 'exp'
              ? [-80, 80]
              : name === 'log1p'
                ? [-1, 20]
                : [-20, 20];
        // f64 within 2 ulp of V8's Math (itself within 1 ulp); f32 within 1 ulp of the rounded value
        const ulps = transcendental.has(name) ? (C === Float32Array ? 1 : 3) : 0;
        for (const n of [0, 1, 17, 1000, 100003]) {
          const x = randArr(C, n, lo, hi);
          for (let i = 0; i < Math.min(n, specials.length); i++) x[i] = specials[i];
          const out = new C(n);
          native.unary(op(native.unaryOps, name), x, out, p0, p1);
          const want = Array.from(x, (v) => ref(v, p0, p1, C));
          const x0 = Array.from(x);
          const absOf = cancels.has(name)
            ? (i: number) => Math.abs(x0[i]) * 2 ** -50
            : approxRef.has(name)
              ? (i: number) => Math.abs(want[i]) * 1e-12
              : undefined;
          expectClose(out, want, C, ulps, `${name} ${kind} n=${n}`, absOf);
          native.unary(op(native.unaryOps, name), x, x, p0, p1); // in place
          expectClose(x, want, C, ulps, `${name} ${kind} in place`, absOf);
        }
      });
    }
  }

  it('works on subarray views (byte offsets)', () => {
    const buf = new Float64Array(10).map((_, i) => i);
    const out = new Float64Array(20);
    native.unary(op(native.unaryOps, 'square'), buf.subarray(3, 7), out.subarray(11, 15), 0, 0);
    expect(Array.from(out.subarray(10, 16))).toEqual([0, 9, 16, 25, 36, 0]);
  });
});

// ---- binary -------------------------------------------------------------------------------------------

const binaryRef: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
};

// contiguous strides of an operand's own shape, 0 where it broadcasts (size 1)
function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = shape[d] === 1 ? 0 : acc;
    acc *= shape[d];
  }
  return s;
}
const numel = (s: number[]) => s.reduce((p, v) => p * v, 1);

function binaryExpected(name: string, a: Float, as: number[], b: Float, bs: number[], shape: number[]): number[] {
  const out: number[] = [];
  const idx = shape.map(() => 0);
  for (let i = 0; i < numel(shape); i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < shape.length; d++) {
      ia += idx[d] * as[d];
      ib += idx[d] * bs[d];
    }
    out.push(binaryRef[name](a[ia], b[ib]));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const broadcastCases: [string, number[], number[], number[]][] = [
  ['same shape', [1000], [1000], [1000]],
  ['scalar b', [100003], [100003], [1]],
  ['scalar a', [17], [1], [17]],
  ['0-d', [], [], []],
  ['row', [37, 129], [37, 129], [1, 129]],
  ['column', [37, 129], [37, 129], [37, 1]],
  ['outer product', [37, 129], [37, 1], [1, 129]],
  ['middle dim', [5, 7, 33], [5, 7, 33], [5, 1, 33]],
  ['4-d', [3, 4, 5, 6], [3, 1, 5, 1], [1, 4, 1, 6]],
  ['empty', [3, 0, 4], [3, 0, 4], [1, 1, 4]],
  ['short rows', [40000, 3], [40000, 3], [1, 3]],
  ['short columns', [40000, 3], [40000, 1], [40000, 3]],
  ['short rows, outer dim', [7, 5000, 3], [1, 5000, 3], [7, 1, 3]],
];

describe('binary values', () => {
  for (const [kind, C] of kinds) {
    for (const name of native.binaryOps) {
      it(`${name} ${kind} broadcasts like NumPy`, () => {
        for (const [label, shape, ashape, bshape] of broadcastCases) {
          const a = randArr(C, numel(ashape), name === 'pow' ? 0.1 : -3, 3);
          const b = randArr(C, numel(bshape), -3, 3);
          if (b.length > 2) b[2] = NaN;
          const as = stridesOf(ashape);
          const bs = stridesOf(bshape);
          const out = new C(numel(shape));
          native.binary(op(native.binaryOps, name), a, as, b, bs, out, shape);
          expectClose(
            out,
            binaryExpected(name, a, as, b, bs, shape),
            C,
            name === 'pow' ? 1 : 0,
            `${name} ${kind} ${label}`,
          );
        }
      });
    }
  }

  it('runs in place on the first or second operand', () => {
    const a = randArr(Float64Array, 1000);
    const b = randArr(Float64Array, 1000);
    const want = Array.from(a, (v, i) => v * b[i]);
    native.binary(op(native.binaryOps, 'mul'), a, [1], b, [1], a, [1000]);
    expectClose(a, want, Float64Array, 0, 'out = a');
    const c = new Float32Array([1, 2, 3, 4, 5, 6]);
    native.binary(op(native.binaryOps, 'sub'), new Float32Array([10]), [0, 0], c, [3, 1], c, [2, 3]);
    expect(Array.from(c)).toEqual([9, 8, 7, 6, 5, 4]);
  });

  it('accepts Int32Array / Float64Array for the strides and the shape (cheaper calls)', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const out = new Float32Array(6);
    const bin = native.binary as unknown as (...args: unknown[]) => void;
    bin(
      op(native.binaryOps, 'mul'),
      a,
      new Int32Array([3, 1]),
      new Float32Array([10, 100]),
      new Float64Array([1, 0]),
      out,
      new Int32Array([2, 3]),
    );
    expect(Array.from(out)).toEqual([10, 20, 30, 400, 500, 600]);
    const red = native.reduce as unknown as (...args: unknown[]) => void;
    const r = new Float32Array(3);
    red(op(native.reduceOps, 'sum'), a, new Float64Array([2, 3]), new Int32Array([0]), r);
    expect(Array.from(r)).toEqual([5, 7, 9]);
  });

  it('reads operands through explicit strides and subarray views', () => {
    const base = new Float64Array(20).map((_, i) => i);
    const a = base.subarray(4); // a 2×3 view with row stride 5: rows [4,5,6], [9,10,11]
    const out = new Float64Array(6);
    native.binary(op(native.binaryOps, 'add'), a, [5, 1], new Float64Array([100, 200]), [1, 0], out, [2, 3]);
    expect(Array.from(out)).toEqual([104, 105, 106, 209, 210, 211]);
  });
});

// ---- reduce -------------------------------------------------------------------------------------------

function reduceExpected(name: string, x: Float, shape: number[], dims: number[]): number[] {
  const keptShape = shape.filter((_, d) => !dims.includes(d));
  const count = numel(dims.map((d) => shape[d]));
  const init = { sum: 0, mean: 0, max: -Infinity, min: Infinity, prod: 1 }[name] as number;
  const acc = new Array<number>(numel(keptShape)).fill(init);
  const idx = shape.map(() => 0);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (!dims.includes(d)) o = o * shape[d] + idx[d];
    const v = x[i];
    const a = acc[o];
    if (name === 'sum' || name === 'mean') acc[o] = a + v;
    else if (name === 'prod') acc[o] = a * v;
    else if (Number.isNaN(a) || Number.isNaN(v)) acc[o] = NaN;
    else acc[o] = name === 'max' ? Math.max(a, v) : Math.min(a, v);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return name === 'mean' ? acc.map((v) => v / count) : acc;
}

describe('reduce values', () => {
  const shape = [3, 4, 5, 6];
  for (const [kind, C] of kinds) {
    for (const name of native.reduceOps) {
      it(`${name} ${kind} over every subset of dims of a 4-d tensor`, () => {
        const x = randArr(C, numel(shape), name === 'prod' ? 0.8 : -2, name === 'prod' ? 1.2 : 2);
        for (let mask = 0; mask < 16; mask++) {
          const dims = [0, 1, 2, 3].filter((d) => mask & (1 << d));
          const want = reduceExpected(name, x, shape, dims);
          const out = new C(want.length);
          native.reduce(op(native.reduceOps, name), x, shape, dims, out);
          const tol = name === 'max' || name === 'min' ? 0 : C === Float32Array ? 1 : 16;
          expectClose(out, want, C, tol, `${name} ${kind} dims [${dims}]`);
        }
      });
    }
  }

  it('propagates NaN through max and min', () => {
    const x = randArr(Float32Array, 100003);
    x[5000] = NaN;
    const out = new Float32Array(1);
    native.reduce(op(native.reduceOps, 'max'), x, [100003], [0], out);
    expect(out[0]).toBeNaN();
    native.reduce(op(native.reduceOps, 'min'), x, [100003], [0], out);
    expect(out[0]).toBeNaN();
  });

  it('sums a million float32 values accurately', () => {
    const n = 1_000_003;
    const x = new Float32Array(n).fill(0.1);
    const out = new Float32Array(1);
    native.reduce(op(native.reduceOps, 'sum'), x, [n], [0], out);
    expect(out[0]).toBe(Math.fround(n * Math.fround(0.1)));
  });

  it('gives the identities for empty reductions', () => {
    const x = new Float64Array(0);
    const out = new Float64Array(3);
    const want: Record<string, number> = { sum: 0, mean: NaN, max: -Infinity, min: Infinity, prod: 1 };
    for (const name of native.reduceOps) {
      native.reduce(op(native.reduceOps, name), x, [0, 3], [0], out);
      expect(Array.from(out)).toEqual([want[name], want[name], want[name]]);
    }
    const none = new Float64Array(0);
    native.reduce(op(native.reduceOps, 'sum'), x, [0, 3], [1], none); // kept dim empty: nothing to write
  });
});

// ---- errors -------------------------------------------------------------------------------------------

type Call = () => unknown;
function throwsExactly(fn: Call, type: typeof TypeError | typeof RangeError, message: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(type);
  expect((err as Error).message).toBe(message);
}

describe('unary errors', () => {
  const x = new Float64Array(3);
  const u = native.unary as unknown as (...args: unknown[]) => void;
  it.each([
    ['too few arguments', () => u(0, x, x, 0), TypeError, 'unary: expected 5 arguments, got 4'],
    ['op not an integer', () => u(0.5, x, x, 0, 0), TypeError, 'unary: argument 0 must be an integer, got a number'],
    ['op not a number', () => u('neg', x, x, 0, 0), TypeError, 'unary: argument 0 must be a number, got a string'],
    [
      'op out of range',
      () => u(native.unaryOps.length, x, x, 0, 0),
      RangeError,
      `unary: argument 0 must be in [0, ${native.unaryOps.length - 1}], got ${native.unaryOps.length}`,
    ],
    [
      'negative op',
      () => u(-1, x, x, 0, 0),
      RangeError,
      `unary: argument 0 must be in [0, ${native.unaryOps.length - 1}], got -1`,
    ],
    [
      'x not a float array',
      () => u(0, new Int32Array(3), x, 0, 0),
      TypeError,
      'unary: argument 1 must be a Float32Array or a Float64Array, got an Int32Array',
    ],
    [
      'x a plain array',
      () => u(0, [1, 2, 3], x, 0, 0),
      TypeError,
      'unary: argument 1 must be a Float32Array or a Float64Array, got an array',
    ],
    [
      'out of another kind',
      () => u(0, x, new Float32Array(3), 0, 0),
      TypeError,
      'unary: argument 2 must be a Float64Array (the type of argument 1), got a Float32Array',
    ],
    ['p0 not a number', () => u(0, x, x, '1', 0), TypeError, 'unary: argument 3 must be a number, got a string'],
    ['p1 not a number', () => u(0, x, x, 0, undefined), TypeError, 'unary: argument 4 must be a number, got undefined'],
    [
      'length mismatch',
      () => u(0, x, new Float64Array(2), 0, 0),
      RangeError,
      'unary: argument 2 must have length 3 (the length of argument 1), got 2',
    ],
  ] as [string, Call, typeof TypeError, string][])('%s', (_, fn, type, message) => throwsExactly(fn, type, message));

  it('rejects a partially overlapping out', () => {
    const buf = new Float32Array(10);
    throwsExactly(
      () => native.unary(0, buf.subarray(0, 5), buf.subarray(2, 7), 0, 0),
      RangeError,
      'unary: argument 2 must be argument 1 itself or not overlap it in memory, got views that partially share one ArrayBuffer',
    );
    native.unary(0, buf.subarray(0, 5), buf.subarray(5, 10), 0, 0); // adjacent views are fine
  });
});

describe('binary errors', () => {
  const a = new Float64Array(6);
  const b = new Float64Array(3);
  const out = new Float64Array(6);
  const bin = native.binary as unknown as (...args: unknown[]) => void;
  const ok = (): unknown[] => [0, a, [3, 1], b, [0, 1], out, [2, 3]];
  const with_ = (i: number, v: unknown) => () => {
    const args = ok();
    args[i] = v;
    bin(...args);
  };
  it.each([
    ['too few arguments', () => bin(0, a, [1], b, [1], out), TypeError, 'binary: expected 7 arguments, got 6'],
    ['op out of range', with_(0, 7), RangeError, 'binary: argument 0 must be in [0, 6], got 7'],
    [
      'a not a float array',
      with_(1, new Uint8Array(6)),
      TypeError,
      'binary: argument 1 must be a Float32Array or a Float64Array, got a Uint8Array',
    ],
    [
      'b of another kind',
      with_(3, new Float32Array(3)),
      TypeError,
      'binary: argument 3 must be a Float64Array (the type of argument 1), got a Float32Array',
    ],
    [
      'out of another kind',
      with_(5, new Float32Array(6)),
      TypeError,
      'binary: argument 5 must be a Float64Array (the type of argument 1), got a Float32Array',
    ],
    [
      'out not an array',
      with_(5, null),
      TypeError,
      'binary: argument 5 must be a Float64Array (the type of argument 1), got null',
    ],
    ['outShape not an array', with_(6, 6), TypeError, 'binary: argument 6 must be an array of integers, got a number'],
    [
      'outShape entry not a number',
      with_(6, [2, '3']),
      TypeError,
      'binary: argument 6 must be an array of integers, got an array',
    ],
    [
      'outShape entry negative',
      with_(6, [2, -3]),
      RangeError,
      'binary: argument 6 entry 1 must be an integer in [0, 9007199254740992]',
    ],
    [
      'outShape entry fractional',
      with_(6, [2, 1.5]),
      RangeError,
      'binary: argument 6 entry 1 must be an integer in [0, 9007199254740992]',
    ],
    [
      'more than 16 dims',
      with_(6, new Array(17).fill(1)),
      RangeError,
      'binary: argument 6 has 17 entries, at most 16 allowed',
    ],
    [
      'aStrides not an array',
      with_(2, 'x'),
      TypeError,
      'binary: argument 2 must be an array of integers, got a string',
    ],
    [
      'negative stride',
      with_(4, [0, -1]),
      RangeError,
      'binary: argument 4 entry 1 must be an integer in [0, 9007199254740992]',
    ],
    [
      'aStrides of the wrong length',
      with_(2, [1]),
      RangeError,
      'binary: argument 2 must have one stride per dim of argument 6 (2), got 1',
    ],
    [
      'bStrides of the wrong length',
      with_(4, [0, 1, 0]),
      RangeError,
      'binary: argument 4 must have one stride per dim of argument 6 (2), got 3',
    ],
    [
      'shape too large',
      () => bin(0, a, [0, 0, 0], b, [0, 0, 0], out, [2 ** 26, 2 ** 26, 4]),
      RangeError,
      'binary: argument 6 must describe at most 2^53 elements, got [67108864, 67108864, 4]',
    ],
    [
      'out of the wrong length',
      with_(5, new Float64Array(5)),
      RangeError,
      'binary: argument 5 must have length 6 (the product of argument 6, [2, 3]), got 5',
    ],
    [
      'a too short for its strides',
      with_(2, [4, 1]),
      RangeError,
      "binary: argument 1 must hold every element argument 2's strides address over argument 6 (up to index 6), got length 6",
    ],
    [
      'b too short for its strides',
      with_(4, [1, 1]),
      RangeError,
      "binary: argument 3 must hold every element argument 4's strides address over argument 6 (up to index 3), got length 3",
    ],
    [
      'strides as a Float32Array',
      with_(2, new Float32Array([3, 1])),
      TypeError,
      'binary: argument 2 must be an array of integers, got a Float32Array',
    ],
    [
      'Int32Array stride negative',
      with_(4, new Int32Array([0, -1])),
      RangeError,
      'binary: argument 4 entry 1 must be an integer in [0, 9007199254740992]',
    ],
    [
      'Float64Array shape fractional',
      with_(6, new Float64Array([2, 2.5])),
      RangeError,
      'binary: argument 6 entry 1 must be an integer in [0, 9007199254740992]',
    ],
    [
      'Float64Array shape NaN',
      with_(6, new Float64Array([NaN, 3])),
      RangeError,
      'binary: argument 6 entry 0 must be an integer in [0, 9007199254740992]',
    ],
    [
      'Int32Array shape with 17 dims',
      with_(6, new Int32Array(17).fill(1)),
      RangeError,
      'binary: argument 6 has 17 entries, at most 16 allowed',
    ],
    [
      'huge strides',
      with_(2, [2 ** 53, 2 ** 53]),
      RangeError,
      "binary: argument 1 must hold every element argument 2's strides address over argument 6 (up to index more than 2^53), got length 6",
    ],
  ] as [string, Call, typeof TypeError, string][])('%s', (_, fn, type, message) => throwsExactly(fn, type, message));

  it('rejects out overlapping an input except as the same contiguous view', () => {
    const buf = new Float64Array(12);
    throwsExactly(
      () => native.binary(0, buf.subarray(0, 6), [3, 1], b, [0, 1], buf.subarray(3, 9), [2, 3]),
      RangeError,
      'binary: argument 5 must not overlap argument 1 in memory unless it is the same contiguous view (strides [3, 1] over [2, 3])',
    );
    // out = a but a is read transposed: would overwrite elements before they are read
    throwsExactly(
      () => native.binary(0, a, [1, 2], b, [0, 1], a, [2, 3]),
      RangeError,
      'binary: argument 5 must not overlap argument 1 in memory unless it is the same contiguous view (strides [1, 2] over [2, 3])',
    );
    // out = b where b broadcasts
    const b6 = new Float64Array(6);
    throwsExactly(
      () => native.binary(0, a, [3, 1], b6, [0, 1], b6, [2, 3]),
      RangeError,
      'binary: argument 5 must not overlap argument 3 in memory unless it is the same contiguous view (strides [0, 1] over [2, 3])',
    );
    native.binary(0, a, [3, 1], b6, [3, 1], b6, [2, 3]); // the same contiguous view: fine
  });
});

describe('reduce errors', () => {
  const x = new Float32Array(6);
  const out = new Float32Array(2);
  const red = native.reduce as unknown as (...args: unknown[]) => void;
  const with_ = (i: number, v: unknown) => () => {
    const args: unknown[] = [0, x, [2, 3], [1], out];
    args[i] = v;
    red(...args);
  };
  it.each([
    ['too few arguments', () => red(0, x, [2, 3], [1]), TypeError, 'reduce: expected 5 arguments, got 4'],
    ['op out of range', with_(0, 5), RangeError, 'reduce: argument 0 must be in [0, 4], got 5'],
    [
      'x not a float array',
      with_(1, {}),
      TypeError,
      'reduce: argument 1 must be a Float32Array or a Float64Array, got an object',
    ],
    [
      'out of another kind',
      with_(4, new Float64Array(2)),
      TypeError,
      'reduce: argument 4 must be a Float32Array (the type of argument 1), got a Float64Array',
    ],
    [
      'shape not an array',
      with_(2, undefined),
      TypeError,
      'reduce: argument 2 must be an array of integers, got undefined',
    ],
    ['dims not an array', with_(3, 1), TypeError, 'reduce: argument 3 must be an array of integers, got a number'],
    [
      'dim negative',
      with_(3, [-1]),
      RangeError,
      'reduce: argument 3 entry 0 must be an integer in [0, 9007199254740992]',
    ],
    [
      'dim out of range',
      with_(3, [2]),
      RangeError,
      'reduce: argument 3 must list dims in [0, 2) of argument 2, got [2]',
    ],
    ['dims unsorted', with_(3, [1, 0]), RangeError, 'reduce: argument 3 must be sorted without repeats, got [1, 0]'],
    ['dims repeated', with_(3, [1, 1]), RangeError, 'reduce: argument 3 must be sorted without repeats, got [1, 1]'],
    [
      'x of the wrong length',
      with_(2, [2, 2]),
      RangeError,
      'reduce: argument 1 must have length 4 (the product of argument 2, [2, 2]), got 6',
    ],
    [
      'out of the wrong length',
      with_(3, [0]),
      RangeError,
      'reduce: argument 4 must have length 3 (the product of the kept dims, [3]), got 2',
    ],
    [
      'more than 16 dims',
      with_(2, new Array(17).fill(1)),
      RangeError,
      'reduce: argument 2 has 17 entries, at most 16 allowed',
    ],
    [
      'shape too large',
      with_(2, [2 ** 30, 2 ** 30, 2 ** 30]),
      RangeError,
      'reduce: argument 2 must describe at most 2^53 elements, got [1073741824, 1073741824, 1073741824]',
    ],
  ] as [string, Call, typeof TypeError, string][])('%s', (_, fn, type, message) => throwsExactly(fn, type, message));

  it('rejects out overlapping x', () => {
    const buf = new Float32Array(8);
    throwsExactly(
      () => native.reduce(0, buf.subarray(0, 6), [2, 3], [1], buf.subarray(5, 7)),
      RangeError,
      'reduce: argument 4 must not overlap argument 1 in memory, got views that share one ArrayBuffer',
    );
    native.reduce(0, buf.subarray(0, 6), [2, 3], [1], buf.subarray(6, 8));
  });
});
