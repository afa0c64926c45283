// JS-level checks of the native GEMM glue: values of gemm / gemmBatched against a float64 JS
// reference (all transpose combinations via strides, offsets, bias, β = 0 over NaN, batched broadcast),
// and every TypeError / RangeError path of binding/gemm.cc with its exact message.
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';

type Float = Float32Array | Float64Array;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
}
function randArr(C: Ctor, n: number): Float {
  const x = new C(n);
  for (let i = 0; i < n; i++) x[i] = rnd();
  return x;
}

interface Mat {
  data: Float;
  off: number;
  rs: number;
  cs: number;
}
// rows×cols, row-major (or column-major when `t`), leading dimension padded by `pad`, starting at `off`.
function mat(C: Ctor, rows: number, cols: number, t: boolean, pad = 0, off = 0): Mat {
  const ld = (t ? rows : cols) + pad;
  const data = randArr(C, off + ld * Math.max(t ? cols : rows, 1));
  return t ? { data, off, rs: 1, cs: ld } : { data, off, rs: ld, cs: 1 };
}
const at = (x: Mat, i: number, j: number) => x.data[x.off + i * x.rs + j * x.cs];

function reference(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Mat,
  b: Mat,
  beta: number,
  c0: Mat,
  bias?: Float,
  biasOff = 0,
): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += at(a, i, p) * at(b, p, j);
      let v = alpha * acc + (beta === 0 ? 0 : beta * at(c0, i, j));
      if (bias) v += bias[biasOff + j];
      row.push(v);
    }
    out.push(row);
  }
  return out;
}

function expectClose(c: Mat, want: number[][], k: number, f32: boolean) {
  const tol = (f32 ? 1e-6 : 1e-14) * (k + 4) * 4;
  for (let i = 0; i < want.length; i++)
    for (let j = 0; j < want[i].length; j++) {
      const got = at(c, i, j);
      if (!(Math.abs(got - want[i][j]) <= tol * (1 + Math.abs(want[i][j]))))
        throw new Error(`C(${i},${j}) = ${got}, want ${want[i][j]}`);
    }
}

const defaultThreads = native.getNumThreads();
afterAll(() => native.setNumThreads(defaultThreads));

describe('gemm values', () => {
  for (const [name, C] of [
    ['float32', Float32Array],
    ['float64', Float64Array],
  ] as const) {
    for (const threads of [1, 2]) {
      it(`${name}, ${threads} thread(s): every transpose combination, offsets, padding, α/β`, () => {
        native.setNumThreads(threads);
        const shapes: [number, number, number][] = [
          [1, 1, 1],
          [7, 17, 33],
          [65, 31, 2],
          [33, 129, 70],
          [130, 64, 65],
        ];
        for (const [m, n, k] of shapes)
          for (let mode = 0; mode < 8; mode++) {
            const a = mat(C, m, k, (mode & 1) !== 0, 2, 3);
            const b = mat(C, k, n, (mode & 2) !== 0, 1, 5);
            const c = mat(C, m, n, (mode & 4) !== 0, 3, 1);
            const c0 = { ...c, data: c.data.slice() };
            const want = reference(m, n, k, 1.5, a, b, -0.5, c0);
            native.gemm(
              a.data,
              a.off,
              a.rs,
              a.cs,
              b.data,
              b.off,
              b.rs,
              b.cs,
              c.data,
              c.off,
              c.rs,
              c.cs,
              m,
              n,
              k,
              1.5,
              -0.5,
            );
            expectClose(c, want, k, C === Float32Array);
          }
      });
    }
    it(`${name}: β = 0 ignores NaN in C; bias epilogue with offset`, () => {
      const [m, n, k] = [37, 45, 19];
      const a = mat(C, m, k, false),
        b = mat(C, k, n, true);
      const c = mat(C, m, n, false);
      c.data.fill(NaN);
      const bias = randArr(C, n + 4);
      const want = reference(m, n, k, 2, a, b, 0, c, bias, 4);
      native.gemm(a.data, 0, a.rs, a.cs, b.data, 0, b.rs, b.cs, c.data, 0, c.rs, c.cs, m, n, k, 2, 0, bias, 4);
      expectClose(c, want, k, C === Float32Array);
      // null / undefined bias = none
      const c2 = mat(C, m, n, false);
      const want2 = reference(m, n, k, 1, a, b, 0, c2);
      native.gemm(a.data, 0, a.rs, a.cs, b.data, 0, b.rs, b.cs, c2.data, 0, c2.rs, c2.cs, m, n, k, 1, 0, null);
      expectClose(c2, want2, k, C === Float32Array);
    });
    it(`${name}: k = 0 gives β·C (+ bias); empty products do nothing`, () => {
      const c = new C([1, 2, 3, 4]);
      native.gemm(new C(0), 0, 0, 0, new C(0), 0, 0, 0, c, 0, 2, 1, 2, 2, 0, 1, 3, new C([10, 20]));
      expect(Array.from(c)).toEqual([13, 26, 19, 32]);
      native.gemm(new C(0), 0, 1, 1, new C(0), 0, 1, 1, c, 0, 2, 1, 0, 2, 5, 1, 0);
      expect(Array.from(c)).toEqual([13, 26, 19, 32]);
    });
    it(`${name}: gemmBatched with a broadcast A and per-product B/C`, () => {
      const [m, n, k, batch] = [9, 14, 11, 6];
      const A = randArr(C, 2 * m * k),
        B = randArr(C, batch * k * n),
        Cm = randArr(C, batch * m * n);
      const C0 = Cm.slice();
      const ao = new Float64Array(batch).map((_, t) => (t % 2) * m * k);
      const bo = new Float64Array(batch).map((_, t) => t * k * n);
      const co = new Float64Array(batch).map((_, t) => (batch - 1 - t) * m * n);
      native.gemmBatched(A, ao, k, 1, B, bo, 1, k, Cm, co, n, 1, m, n, k, 0.5, 2);
      for (let t = 0; t < batch; t++) {
        // B is read transposed: element (p, j) at bo + p + j·k.
        const a = { data: A, off: ao[t], rs: k, cs: 1 },
          b = { data: B, off: bo[t], rs: 1, cs: k };
        const c0 = { data: C0, off: co[t], rs: n, cs: 1 },
          c = { data: Cm, off: co[t], rs: n, cs: 1 };
        expectClose(c, reference(m, n, k, 0.5, a, b, 2, c0), k, C === Float32Array);
      }
    });
  }
  it('a 256×256×256 float32 product with 2 threads matches 1 thread bitwise', () => {
    const n = 256;
    const a = randArr(Float32Array, n * n),
      b = randArr(Float32Array, n * n);
    const c1 = new Float32Array(n * n),
      c2 = new Float32Array(n * n);
    native.setNumThreads(1);
    native.gemm(a, 0, n, 1, b, 0, n, 1, c1, 0, n, 1, n, n, n, 1, 0);
    native.setNumThreads(2);
    native.gemm(a, 0, n, 1, b, 0, n, 1, c2, 0, n, 1, n, n, n, 1, 0);
    expect(c2).toEqual(c1);
  });
});

describe('gemm argument errors', () => {
  const f = () => new Float32Array(16);
  // A valid 2×2×2 call; each case replaces one argument.
  const base = (): unknown[] => [f(), 0, 2, 1, f(), 0, 2, 1, f(), 0, 2, 1, 2, 2, 2, 1, 0];
  const call = (args: unknown[]) => () => (native.gemm as (...a: unknown[]) => void)(...args);
  const callB = (args: unknown[]) => () => (native.gemmBatched as (...a: unknown[]) => void)(...args);
  const withArg = (i: number, v: unknown) => {
    const a = base();
    a[i] = v;
    return a;
  };

  it('accepts the base call', () => expect(call(base())).not.toThrow());
  it('too few arguments', () => {
    expect(call(base().slice(0, 16))).toThrow(new TypeError('gemm: expected 17 arguments, got 16'));
  });
  it('wrong array kinds', () => {
    expect(call(withArg(0, [1, 2]))).toThrow(
      new TypeError('gemm: argument 0 must be a Float32Array or a Float64Array, got an array'),
    );
    expect(call(withArg(0, new Int32Array(4)))).toThrow(
      new TypeError('gemm: argument 0 must be a Float32Array or a Float64Array, got an Int32Array'),
    );
    expect(call(withArg(4, new Float64Array(16)))).toThrow(
      new TypeError('gemm: argument 4 must be a Float32Array, got a Float64Array'),
    );
    expect(call(withArg(8, null))).toThrow(new TypeError('gemm: argument 8 must be a Float32Array, got null'));
    expect(call([...base(), new Float64Array(2), 0])).toThrow(
      new TypeError('gemm: argument 17 must be a Float32Array, null or undefined, got a Float64Array'),
    );
  });
  it('non-integer and negative sizes, strides and offsets', () => {
    expect(call(withArg(1, 0.5))).toThrow(new TypeError('gemm: argument 1 must be an integer, got a number'));
    expect(call(withArg(2, '2'))).toThrow(new TypeError('gemm: argument 2 must be a number, got a string'));
    expect(call(withArg(13, NaN))).toThrow(new TypeError('gemm: argument 13 must be an integer, got a number'));
    expect(call(withArg(3, -1))).toThrow(new RangeError('gemm: argument 3 must be in [0, 9007199254740992], got -1'));
    expect(call(withArg(12, -2))).toThrow(new RangeError('gemm: argument 12 must be in [0, 9007199254740992], got -2'));
    expect(call(withArg(15, 'x'))).toThrow(new TypeError('gemm: argument 15 must be a number, got a string'));
    expect(call(withArg(16, undefined))).toThrow(new TypeError('gemm: argument 16 must be a number, got undefined'));
    expect(call([...base(), new Float32Array(2), -1])).toThrow(
      new RangeError('gemm: argument 18 must be in [0, 9007199254740992], got -1'),
    );
  });
  it('addressed elements out of bounds (including huge strides that would overflow 64 bits)', () => {
    expect(call(withArg(0, new Float32Array(3)))).toThrow(
      new RangeError(
        'gemm: argument 0 must hold every element of A the offsets, sizes and strides address (up to index 3), got length 3',
      ),
    );
    expect(call(withArg(5, 13))).toThrow(
      new RangeError(
        'gemm: argument 4 must hold every element of B the offsets, sizes and strides address (up to index 16), got length 16',
      ),
    );
    expect(call(withArg(10, 2 ** 53))).toThrow(
      new RangeError(
        'gemm: argument 8 must hold every element of C the offsets, sizes and strides address (up to index 9007199254740993), got length 16',
      ),
    );
    const huge = withArg(12, 2 ** 53);
    huge[10] = 2 ** 53;
    expect(call(huge)).toThrow(
      new RangeError(
        'gemm: argument 8 must hold every element of C the offsets, sizes and strides address (up to index more than 2^63), got length 16',
      ),
    );
    expect(call([...base(), new Float32Array(2), 1])).toThrow(
      new RangeError(
        'gemm: argument 17 must hold every element of bias the offsets, sizes and strides address (up to index 2), got length 2',
      ),
    );
  });
  it("C's strides must address distinct elements", () => {
    expect(call(withArg(10, 0))).toThrow(
      new RangeError("gemm: argument 10 must be positive when m > 1 (C's rows would share elements), got 0"),
    );
    expect(call(withArg(11, 0))).toThrow(
      new RangeError("gemm: argument 11 must be positive when n > 1 (C's columns would share elements), got 0"),
    );
    const rowVector = withArg(12, 1);
    rowVector[10] = 0; // m = 1: rsc is never stepped along
    expect(call(rowVector)).not.toThrow();
  });
  it('C may not overlap A, B or bias (views of one ArrayBuffer)', () => {
    const buf = new Float32Array(64);
    const args = base();
    args[8] = buf.subarray(0, 16);
    args[0] = buf.subarray(2, 18); // A elements 2..5 = C elements 2..3 + B
    expect(call(args)).toThrow(
      new RangeError(
        'gemm: argument 8 must not overlap argument 0 (A) in memory, got views that share elements of one ArrayBuffer',
      ),
    );
    const args2 = base();
    args2[4] = buf;
    args2[8] = buf;
    args2[9] = 4; // C elements 4..7, B elements 0..3: disjoint is fine
    expect(call(args2)).not.toThrow();
    args2[5] = 2; // B elements 2..5 now overlap C
    expect(call(args2)).toThrow(
      new RangeError(
        'gemm: argument 8 must not overlap argument 4 (B) in memory, got views that share elements of one ArrayBuffer',
      ),
    );
    const args3 = [...base(), buf.subarray(0, 4), 2]; // bias elements 2..3 = C elements 0..1
    args3[8] = buf.subarray(2, 6);
    expect(call(args3)).toThrow(
      new RangeError(
        'gemm: argument 8 must not overlap argument 17 (bias) in memory, got views that share elements of one ArrayBuffer',
      ),
    );
  });
  it('gemmBatched: offsets arrays, their entries, lengths and bounds', () => {
    const off = (...x: number[]) => new Float64Array(x);
    const bBase = (): unknown[] => [f(), off(0, 4), 2, 1, f(), off(0, 4), 2, 1, f(), off(0, 4), 2, 1, 2, 2, 2, 1, 0];
    const w = (i: number, v: unknown) => {
      const a = bBase();
      a[i] = v;
      return a;
    };
    expect(callB(bBase())).not.toThrow();
    expect(callB(bBase().slice(0, 3))).toThrow(new TypeError('gemmBatched: expected 17 arguments, got 3'));
    expect(callB(w(0, {}))).toThrow(
      new TypeError('gemmBatched: argument 0 must be a Float32Array or a Float64Array, got an object'),
    );
    expect(callB(w(1, [0, 4]))).toThrow(new TypeError('gemmBatched: argument 1 must be a Float64Array, got an array'));
    expect(callB(w(5, new Float32Array(2)))).toThrow(
      new TypeError('gemmBatched: argument 5 must be a Float64Array, got a Float32Array'),
    );
    expect(callB(w(9, off(0, 1.5)))).toThrow(
      new RangeError('gemmBatched: argument 9 entry 1 must be an integer in [0, 9007199254740992], got 1.500000'),
    );
    expect(callB(w(1, off(-4, 0)))).toThrow(
      new RangeError('gemmBatched: argument 1 entry 0 must be an integer in [0, 9007199254740992], got -4.000000'),
    );
    expect(callB(w(5, off(0)))).toThrow(
      new RangeError('gemmBatched: argument 5 must have as many offsets as argument 1 (2), got 1'),
    );
    expect(callB(w(9, off(0, 4, 8)))).toThrow(
      new RangeError('gemmBatched: argument 9 must have as many offsets as argument 1 (2), got 3'),
    );
    expect(callB(w(1, off(0, 13)))).toThrow(
      new RangeError(
        'gemmBatched: argument 0 must hold every element of A the offsets, sizes and strides address (up to index 16), got length 16',
      ),
    );
    expect(callB(w(11, 0))).toThrow(
      new RangeError("gemmBatched: argument 11 must be positive when n > 1 (C's columns would share elements), got 0"),
    );
    const shared = new Float32Array(32);
    const ov = bBase();
    ov[0] = shared;
    ov[8] = shared;
    ov[9] = off(6, 20); // C elements 6..9 overlap A elements 4..7
    expect(callB(ov)).toThrow(
      new RangeError(
        'gemmBatched: argument 8 must not overlap argument 0 (A) in memory, got views that share elements of one ArrayBuffer',
      ),
    );
    expect(callB(w(4, new Float64Array(16)))).toThrow(
      new TypeError('gemmBatched: argument 4 must be a Float32Array, got a Float64Array'),
    );
    expect(callB(w(14, 1.5))).toThrow(new TypeError('gemmBatched: argument 14 must be an integer, got a number'));
  });
  it('no crash on hostile values: detached-length views, zero sizes with empty arrays', () => {
    expect(
      call([new Float32Array(0), 0, 0, 0, new Float32Array(0), 0, 0, 0, new Float32Array(0), 0, 0, 0, 0, 0, 0, 1, 0]),
    ).not.toThrow();
    expect(
      call([new Float32Array(0), 0, 1, 1, new Float32Array(0), 0, 1, 1, new Float32Array(4), 0, 2, 1, 2, 2, 0, 1, 0]),
    ).not.toThrow();
    expect(
      call([new Float32Array(0), 0, 1, 1, new Float32Array(0), 0, 1, 1, new Float32Array(4), 0, 2, 1, 2, 2, 1, 1, 0]),
    ).toThrow(RangeError);
  });
});
