// A seeded fuzzer of tapegrad's whole public API: the argument generators, the call table and the
// checks, shared by test/fuzz/fuzz.test.ts (CI) and scripts/fuzz-soak.mjs (long runs).
//
// This file imports nothing at run time (the library comes in as a parameter), so the soak script
// can load it with the library from lib/ (through a TypeScript loader) or from dist/.
//
// Every call is rebuilt from (seed, index) alone: its own PRNG stream, tg.manualSeed, fresh
// arguments, and the library's global settings put back afterwards, so a failure at index i of seed
// s replays with `node scripts/fuzz-soak.mjs --seed s --only i`.
//
// What a call must do (checkOutcome):
//   - throw only Error / TypeError / RangeError, with a message that starts with the public
//     function's name (or the method's, or 'Class.method') followed by ':' and that says what it got;
//   - or return a well-formed result (Tensor: data of the dtype's kind with data.length = ∏ shape;
//     arrays and { values, indices } of those), finite where the op is finite on finite inputs;
//   - not accept an argument that is certainly invalid (a string for a dim, NaN in a shape...);
//   - not refuse a call built to be valid;
//   - leave grad mode on.
import type * as TG from '../../lib/index.js';

export type TGModule = typeof TG;

// ---- PRNG ---------------------------------------------------------------------------------------

/** splitmix32: tiny, fast, and every seed gives an independent-looking stream. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }
}

/** The stream of call `index` under `seed` (independent of every other call). */
export function callRng(seed: number, index: number): Rng {
  const r = new Rng((seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b));
  r.u32();
  return r;
}

// ---- arguments ----------------------------------------------------------------------------------

/** A generated argument: its value, a JS expression describing it, and what is known about it. */
export interface Arg {
  v: unknown;
  d: string;
  /** Certainly invalid for this parameter (so a call that accepts it is a finding). */
  bad?: boolean;
  /** Validity unknown (e.g. a boolean where a number is expected): no expectation either way. */
  odd?: boolean;
}

/** The value given for an omitted trailing argument. */
const OMIT: Arg = { v: undefined, d: '<omitted>' };

export interface GenOptions {
  /** Allow shapes and sizes that would really allocate hundreds of MB..GB (soak child under ulimit only). */
  giant: boolean;
}

/** Facts about a call that the checks need, collected while its arguments are generated. */
export interface CallFacts {
  /** Some input tensor holds NaN/Inf/huge values, or a number argument is non-finite or huge. */
  nonfinite: boolean;
  /** Some input tensor's ArrayBuffer was transferred (detached). */
  detached: boolean;
  /** Some input tensor is large (≥ 20k elements). */
  big: boolean;
  /** Some argument is a giant size (soak only). */
  giant: boolean;
  /** Some input tensor has no elements. */
  empty: boolean;
  /** A known-hang argument (see KNOWN_OPEN); skipped in CI, run in the soak under a watchdog. */
  hangRisk: boolean;
  /** Tensors passed in, for the finiteness rule. */
  inputs: unknown[];
}

const DTYPES = ['float32', 'float64', 'int32', 'bool'] as const;
type DT = (typeof DTYPES)[number];
const FLOAT_DTYPES = ['float32', 'float64'] as const;

function lit(v: unknown): string {
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0';
    return String(v);
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'symbol') return v.toString();
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  if (typeof v === 'function') return '<function>';
  if (v instanceof Map) return `new Map(${lit([...v.entries()])})`;
  if (v instanceof Set) return `new Set(${lit([...v])})`;
  if (ArrayBuffer.isView(v)) return `new ${v.constructor.name}(${(v as any).length})`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${lit(x)}`);
    return `{ ${entries.join(', ')} }`;
  }
  return String(v);
}

/** Junk values of every kind; `d` is the source text. The giant-size ones only with opts.giant. */
function junkPool(): Arg[] {
  return [
    { v: undefined, d: 'undefined' },
    { v: null, d: 'null' },
    { v: NaN, d: 'NaN' },
    { v: Infinity, d: 'Infinity' },
    { v: -Infinity, d: '-Infinity' },
    { v: -0, d: '-0' },
    { v: 1e308, d: '1e308' },
    { v: -1, d: '-1' },
    { v: 2.5, d: '2.5' },
    { v: 2 ** 53, d: '2**53' },
    { v: 1e20, d: '1e20' },
    { v: 1n, d: '1n' },
    { v: 2n ** 70n, d: '2n**70n' },
    { v: 'abc', d: '"abc"' },
    { v: '3', d: '"3"' },
    { v: '', d: '""' },
    { v: true, d: 'true' },
    { v: false, d: 'false' },
    { v: {}, d: '{}' },
    { v: { a: 1 }, d: '{ a: 1 }' },
    { v: [], d: '[]' },
    { v: [1, [2]], d: '[1, [2]]' },
    { v: [[1, 2], [3]], d: '[[1, 2], [3]]' },
    { v: new Map([['a', 1]]), d: "new Map([['a', 1]])" },
    { v: new Set([1]), d: 'new Set([1])' },
    { v: () => 1, d: '() => 1' },
    { v: Symbol('s'), d: "Symbol('s')" },
    { v: new Float32Array(3), d: 'new Float32Array(3)' },
    { v: new Int8Array(2), d: 'new Int8Array(2)' },
    { v: new ArrayBuffer(8), d: 'new ArrayBuffer(8)' },
    { v: Object.create(null), d: 'Object.create(null)' },
    { v: new Date(0), d: 'new Date(0)' },
    { v: [NaN], d: '[NaN]' },
    { v: [-1], d: '[-1]' },
    { v: [1.5], d: '[1.5]' },
    { v: ['2'], d: '["2"]' },
  ];
}

/** What a parameter expects, for judging junk given to it. */
export type JunkKind = 'any' | 'tensor' | 'operand' | 'num' | 'int' | 'fn' | 'obj';

function junkValidity(v: unknown, kind: JunkKind, optional: boolean): { bad?: boolean; odd?: boolean } {
  if (kind === 'any') return { odd: true };
  if (v === undefined) return optional ? {} : { bad: true };
  const t = typeof v;
  switch (kind) {
    case 'tensor':
      return t === 'number' || t === 'boolean' ? { odd: true } : { bad: true };
    case 'operand':
      return t === 'number' ? {} : t === 'boolean' ? { odd: true } : { bad: true };
    case 'num':
      return t === 'number' ? { odd: true } : v === null && optional ? { odd: true } : { bad: true };
    case 'int':
      return t === 'number'
        ? Number.isInteger(v)
          ? { odd: true }
          : { bad: true }
        : v === null && optional
          ? { odd: true }
          : { bad: true };
    case 'fn':
      return t === 'function' ? { odd: true } : { bad: true };
    case 'obj':
      return t === 'object' || (v === null && optional) ? { odd: true } : { bad: true };
  }
}

/** A plain object (prototype Object.prototype or null): what the library takes as keyword arguments. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Junk for a parameter that PyTorch passes by keyword: since 80b8ab6 a plain object there is an
 * options object ({} and Object.create(null) are empty ones, { a: 1 } an unknown option), so it
 * is not certainly invalid; the entry's own rule (if any) judges it.
 */
function keywordJunk(a: Arg): Arg {
  return isPlainObject(a.v) ? { ...a, bad: undefined, odd: true } : a;
}

const SPECIAL_FLOATS = [NaN, Infinity, -Infinity, -0, 1e30, -1e30, 1e-40, 3.4e38, -3.4e38, 1e300];

export class Gen {
  readonly facts: CallFacts = {
    nonfinite: false,
    detached: false,
    big: false,
    giant: false,
    empty: false,
    hangRisk: false,
    inputs: [],
  };
  private readonly junk = junkPool();
  /** Set while building a method call: the next tensorArg() is the receiver and must be a Tensor. */
  receiver = false;

  constructor(
    readonly tg: TGModule,
    readonly r: Rng,
    readonly opts: GenOptions,
  ) {}

  // -- plain values --

  /**
   * A junk value for a parameter of the given kind; `bad` is set only when the value is certainly
   * invalid there ('any': no expectation either way).
   */
  junkArg(kind: JunkKind = 'any', optional = false): Arg {
    const a = this.r.pick(this.junk);
    if (typeof a.v === 'number' && (!Number.isFinite(a.v) || Math.abs(a.v) > 1e6)) this.facts.nonfinite = true;
    return { ...a, ...junkValidity(a.v, kind, optional) };
  }

  /** A number for a value position (fill values, alphas, bounds): mostly moderate, sometimes extreme. */
  num(lo = -3, hi = 3): Arg {
    const r = this.r;
    if (r.chance(0.8)) {
      const v = Math.round((lo + (hi - lo) * r.float()) * 1000) / 1000;
      return { v, d: lit(v) };
    }
    const v = r.pick([
      0,
      -0,
      1,
      -1,
      0.5,
      NaN,
      Infinity,
      -Infinity,
      1e308,
      -1e308,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 53,
      5e-324,
      1e10,
    ]);
    if (!Number.isFinite(v) || Math.abs(v) > 1e6) this.facts.nonfinite = true;
    return { v, d: lit(v), odd: true };
  }

  /** A number where an integer count/size is expected (arange ends, eye sizes, split sizes...). */
  sizeNum(maxValid = 6): Arg {
    const r = this.r;
    if (r.chance(0.75)) {
      const v = r.range(0, maxValid);
      return { v, d: lit(v) };
    }
    const pool: number[] = [-1, -0, 2.5, NaN, Infinity, -Infinity, 1e20, 2 ** 53, -(2 ** 31), 1e300];
    if (this.opts.giant) pool.push(2 ** 27, 5e8, 2 ** 31, 2 ** 32 - 1, 3e9);
    const v = r.pick(pool);
    if (v >= 2 ** 26 && v < 2 ** 34) this.facts.giant = true;
    return {
      v,
      d: lit(v),
      bad: !(Number.isInteger(v) && v >= 0) ? true : undefined,
      odd: Number.isInteger(v) && v >= 0 ? true : undefined,
    };
  }

  bool(pOdd = 0.15): Arg {
    if (!this.r.chance(pOdd)) {
      const v = this.r.chance(0.5);
      return { v, d: String(v) };
    }
    const v = this.r.pick<unknown>([1, 0, 'true', 'false', 'yes', {}, null, NaN]);
    // {} may be a keyword-options object ({ keepdim }) since options objects were added: no expectation.
    return { v, d: lit(v), bad: typeof v !== 'object' || undefined, odd: typeof v === 'object' || undefined };
  }

  /** An optional argument: omitted (trailing) with probability pOmit. */
  opt(p: number, f: () => Arg): Arg {
    return this.r.chance(p) ? OMIT : f();
  }

  // -- shapes and dims --

  smallShape(maxRank = 4, maxDim = 5): number[] {
    const r = this.r;
    const rank = r.pick([0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4].filter((k) => k <= maxRank));
    const shape: number[] = [];
    for (let i = 0; i < rank; i++) shape.push(r.chance(0.05) ? 0 : r.chance(0.25) ? 1 : r.range(2, maxDim));
    return shape;
  }

  /** A shape argument for creation functions: valid, a bare number, or wrong in some way. */
  shapeArg(): Arg {
    const r = this.r;
    const k = r.float();
    if (k < 0.7) {
      const s = this.smallShape();
      return { v: s, d: lit(s) };
    }
    if (k < 0.78) {
      const n = r.range(0, 5);
      return { v: n, d: lit(n) };
    }
    const bad: [unknown, string][] = [
      [[-1], '[-1]'],
      [[NaN], '[NaN]'],
      [[2.5], '[2.5]'],
      [[Infinity], '[Infinity]'],
      [[1n], '[1n]'],
      [[2, 3n], '[2, 3n]'],
      [['3'], '["3"]'],
      [[null], '[null]'],
      [[[2]], '[[2]]'],
      [{ length: 2 }, '{ length: 2 }'],
      [-3, '-3'],
      [2n, '2n'],
      ['abc', '"abc"'],
      [null, 'null'],
      [[2 ** 31, 2 ** 31], '[2**31, 2**31]'],
      [[1e10, 1e10], '[1e10, 1e10]'],
      [[2 ** 53], '[2**53]'],
      [[1e300], '[1e300]'],
      [[2 ** 40, 2 ** 40, 0], '[2**40, 2**40, 0]'],
      [new Int32Array([2, 2]), 'new Int32Array([2, 2])'],
      [[-0], '[-0]'],
    ];
    if (this.opts.giant && r.chance(0.5)) {
      const g: [unknown, string][] = [
        [[2 ** 27], '[2**27]'],
        [[5e4, 5e4], '[5e4, 5e4]'],
        [[2 ** 31], '[2**31]'],
        [[2 ** 32], '[2**32]'],
        [[65536, 65535], '[65536, 65535]'],
      ];
      const [v, d] = r.pick(g);
      this.facts.giant = true;
      return { v, d, odd: true };
    }
    const [v, d] = r.pick(bad);
    // [2**40, 2**40, 0] has no elements and [-0] is -0 (an integer ≥ 0): their validity is a matter of taste.
    const odd = d === '[2**40, 2**40, 0]' || d === '[-0]' || d === 'new Int32Array([2, 2])';
    return { v, d, bad: !odd, odd };
  }

  /** A dim for a tensor of rank ndim: valid mostly, else out of range or not an integer. */
  dimArg(ndim: number, optional = false): Arg {
    const r = this.r;
    if (optional && r.chance(0.15)) return r.chance(0.5) ? OMIT : { v: null, d: 'null' };
    if (r.chance(0.78)) {
      const lo = ndim === 0 ? -1 : -ndim,
        hi = ndim === 0 ? 0 : ndim - 1;
      const v = r.range(lo, hi);
      return { v, d: lit(v) };
    }
    const v = r.pick<unknown>([
      ndim,
      -ndim - 1,
      100,
      -100,
      NaN,
      Infinity,
      -Infinity,
      0.5,
      1n,
      '0',
      {},
      [0, 0],
      2 ** 53,
      -0,
    ]);
    if (typeof v === 'number' && Number.isInteger(v) && ((ndim === 0 && v >= -1 && v <= 0) || (v >= -ndim && v < ndim)))
      return { v, d: lit(v) };
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return { v, d: lit(v), odd: true }; // a keyword-options object
    return { v, d: lit(v), bad: !(optional && v === null) };
  }

  /** dim?: number | number[] | null (reductions). */
  dimsArg(ndim: number): Arg {
    const r = this.r;
    const k = r.float();
    if (k < 0.15) return OMIT;
    if (k < 0.22) return { v: null, d: 'null' };
    if (k < 0.6) return this.dimArg(ndim);
    if (k < 0.85 && ndim > 0) {
      const all = Array.from({ length: ndim }, (_, i) => i);
      const sel = all.filter(() => r.chance(0.5)).map((d) => (r.chance(0.3) ? d - ndim : d));
      return { v: sel, d: lit(sel) };
    }
    const v = r.pick<unknown>([[0, 0], [ndim + 1], [NaN], ['0'], [0.5], 'all', {}, [[0]], [Infinity]]);
    return {
      v,
      d: lit(v),
      bad: !(typeof v === 'object' && !Array.isArray(v)) || undefined,
      odd: (typeof v === 'object' && !Array.isArray(v)) || undefined,
    };
  }

  dtypeArg(): Arg {
    if (this.r.chance(0.8)) {
      const v = this.r.pick(DTYPES);
      return { v, d: lit(v) };
    }
    const v = this.r.pick<unknown>(['float16', 'Float32', 'int64', '', null, 32, {}, Float32Array]);
    return { v, d: lit(v), bad: true };
  }

  /** TensorOptions: undefined, valid objects, and wrong kinds. */
  tensorOpts(floatOnly = false): Arg {
    const r = this.r;
    const k = r.float();
    if (k < 0.3) return OMIT;
    if (k < 0.75) {
      const o: Record<string, unknown> = {};
      if (r.chance(0.6)) o.dtype = floatOnly ? r.pick(FLOAT_DTYPES) : r.pick(DTYPES);
      if (r.chance(0.3)) o.requiresGrad = r.chance(0.5);
      const bad = o.requiresGrad === true && (o.dtype === 'int32' || o.dtype === 'bool');
      return { v: o, d: lit(o), odd: bad || undefined };
    }
    const v = r.pick<unknown>([
      'float64',
      null,
      5,
      { dtype: 'float16' },
      { requiresGrad: 1 },
      { requiresGrad: 'yes' },
      { requiresGrad: {} },
      { dtype: 'int32', requiresGrad: true },
      { dtype: 'bool', requiresGrad: true },
      [],
      () => 1,
    ]);
    return { v, d: lit(v), bad: true };
  }

  // -- tensors --

  private values(dtype: DT, n: number, special: boolean): ArrayLike<number> {
    const r = this.r;
    switch (dtype) {
      case 'float32':
      case 'float64': {
        const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) a[i] = special && r.chance(0.2) ? r.pick(SPECIAL_FLOATS) : r.normal();
        return a;
      }
      case 'int32': {
        const a = new Int32Array(n);
        for (let i = 0; i < n; i++)
          a[i] = special && r.chance(0.2) ? r.pick([2147483647, -2147483648, 0]) : r.range(-3, 6);
        return a;
      }
      case 'bool': {
        const a = new Uint8Array(n);
        for (let i = 0; i < n; i++) a[i] = r.chance(0.5) ? 1 : 0;
        return a;
      }
    }
  }

  /**
   * A tensor argument. o.dtype / o.shape fix them; o.float restricts to float dtypes; o.plain avoids
   * the odd variants (requiresGrad, views, non-leaves, detached buffers).
   */
  tensor(
    o: { dtype?: DT; shape?: readonly number[]; float?: boolean; plain?: boolean; big?: boolean; grad?: boolean } = {},
  ): Arg {
    const r = this.r;
    const tg = this.tg;
    const dtype: DT = o.dtype ?? (o.float ? r.pick(FLOAT_DTYPES) : r.pick([...DTYPES, 'float32', 'float32'] as DT[]));
    let shape = o.shape ? [...o.shape] : this.smallShape();
    // A shape handed in from a (possibly invalid) argument: fall back to a small one rather than allocate.
    // (Per dim too: [2**40, 2**40, 0] has no elements but dims no tensor may have.)
    if (
      !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 2e6) ||
      shape.reduce((a, b) => a * b, 1) > 2e6
    )
      shape = this.smallShape();
    if (!o.shape && (o.big || r.chance(0.03))) {
      const n = r.range(20000, 70000);
      shape = r.chance(0.5) ? [n] : [r.range(100, 300), Math.ceil(n / 250)];
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (size >= 20000) this.facts.big = true;
    if (size === 0) this.facts.empty = true;
    const special = (dtype === 'float32' || dtype === 'float64' || dtype === 'int32') && r.chance(0.08);
    if (special && dtype !== 'int32') this.facts.nonfinite = true;
    const data = this.values(dtype, size, special);
    let t = tg.tensor(data as any, { shape });
    let d =
      size <= 8
        ? `tg.tensor(${lit(Array.from(data))}, { dtype: '${dtype}', shape: ${lit(shape)} })`
        : `rnd('${dtype}', ${lit(shape)}${special ? ', /* with extremes */' : ''})`;
    if (size <= 8 && dtype === 'bool')
      d = `tg.tensor(${lit(Array.from(data, (x) => x !== 0))}, { shape: ${lit(shape)} })`;
    const isFloat = dtype === 'float32' || dtype === 'float64';
    if (!o.plain) {
      const k = r.float();
      if ((o.grad || k < 0.15) && isFloat) {
        t.requiresGrad_(true);
        d += '.requiresGrad_()';
      } else if (k < 0.22 && isFloat) {
        t = t.requiresGrad_(true).mul(1);
        d += '.requiresGrad_().mul(1)';
      } else if (k < 0.3) {
        const vk = r.int(3);
        if (vk === 0) {
          t = t.reshape([...shape]);
          d += `.reshape(${lit(shape)})`;
        } else if (vk === 1) {
          t = t.unsqueeze(0).squeeze(0);
          d += '.unsqueeze(0).squeeze(0)';
        } else {
          t = t.detach();
          d += '.detach()';
        }
      } else if (k < 0.34 && size > 0) {
        const buf = (t.data as Float32Array).buffer as ArrayBuffer;
        structuredClone(buf, { transfer: [buf] });
        d += ' /* ArrayBuffer transferred */';
        this.facts.detached = true;
      }
    } else if (o.grad && isFloat) {
      t.requiresGrad_(true);
      d += '.requiresGrad_()';
    }
    this.facts.inputs.push(t);
    return { v: t, d };
  }

  /** A tensor in a required-tensor position: a tensor mostly, else junk or a number. */
  tensorArg(o: Parameters<Gen['tensor']>[0] = {}, pJunk = 0.1): Arg {
    const receiver = this.receiver;
    this.receiver = false;
    if (!receiver && this.r.chance(pJunk)) {
      if (this.r.chance(0.3)) return { ...this.num(), odd: true };
      return this.junkArg('tensor');
    }
    return this.tensor(o);
  }

  /** A second operand for x: broadcast-compatible tensor, same shape, a number, or anything. */
  operandFor(x: unknown): Arg {
    const r = this.r;
    const k = r.float();
    if (!(x instanceof this.tg.Tensor)) return k < 0.5 ? this.tensor() : this.num();
    const shape = x.shape;
    if (k < 0.35) return this.tensor({ shape });
    if (k < 0.6) return this.tensor({ shape: this.broadcastOf(shape) });
    if (k < 0.8) return this.num();
    if (k < 0.92) return this.tensor();
    return this.junkArg('operand');
  }

  /** A shape that broadcasts with `shape` (some dims set to 1, some leading dims dropped or added). */
  broadcastOf(shape: readonly number[]): number[] {
    const r = this.r;
    let s = shape.map((d) => (r.chance(0.4) ? 1 : d));
    if (s.length > 0 && r.chance(0.3)) s = s.slice(r.int(s.length + 1));
    if (r.chance(0.2)) s = [r.pick([1, 2]), ...s];
    return s;
  }

  /** An int32 index tensor with values in [0, n) mostly (some out of range or of the wrong dtype). */
  indexTensor(shape: readonly number[], n: number): Arg {
    const r = this.r;
    const size = shape.reduce((a, b) => a * b, 1);
    const a = new Int32Array(size);
    let outOfRange = false;
    for (let i = 0; i < size; i++) {
      if (r.chance(0.03)) {
        a[i] = r.pick([-1, n, 2147483647, -2147483648]);
        outOfRange = true;
      } else a[i] = n > 0 ? r.int(n) : 0;
      if (n === 0) outOfRange = true;
    }
    if (r.chance(0.1)) {
      const t = this.tg.tensor(Array.from(a), { shape: [...shape], dtype: r.pick(['float32', 'bool'] as const) });
      return { v: t, d: `tg.tensor(${lit(Array.from(a))}, { shape: ${lit(shape)}, dtype: '${t.dtype}' })`, odd: true };
    }
    const t = this.tg.tensor(a, { shape: [...shape] });
    return {
      v: t,
      d:
        size <= 8
          ? `tg.tensor(new Int32Array(${lit(Array.from(a))}), { shape: ${lit(shape)} })`
          : `index(${lit(shape)}, < ${n})`,
      odd: outOfRange || undefined,
    };
  }

  /** A list of tensors (cat/stack): same shapes mostly. */
  tensorList(): Arg {
    const r = this.r;
    if (r.chance(0.1)) return this.junkArg();
    const n = r.range(0, 4);
    const base = this.smallShape(3, 4);
    const dtype = r.pick(DTYPES);
    const items: Arg[] = [];
    for (let i = 0; i < n; i++) {
      const k = r.float();
      if (k < 0.7) items.push(this.tensor({ shape: base, dtype: r.chance(0.8) ? dtype : undefined }));
      else if (k < 0.9) items.push(this.tensor({ shape: base.map((d, j) => (j === 0 ? r.range(0, 4) : d)) }));
      else items.push({ ...this.junkArg('tensor') });
    }
    return {
      v: items.map((a) => a.v),
      d: `[${items.map((a) => a.d).join(', ')}]`,
      bad: items.some((a) => a.bad) || undefined,
    };
  }
}

// ---- calls --------------------------------------------------------------------------------------

/** A built call: run it and check it. */
export interface Call {
  desc: string;
  run(): unknown;
  /** Extra check of a successful result (after the generic well-formedness check); returns a problem or null. */
  check?(result: unknown): string | null;
  /** The op is finite on finite moderate inputs, so a non-finite float result is a finding. */
  finite?: boolean;
  /** Built to be valid: a throw is a finding. */
  valid?: boolean;
  /** Some argument is certainly invalid: success is a finding. */
  invalid?: boolean;
  /** Which argument is the invalid one (for the report). */
  invalidWhy?: string;
}

export interface Spec {
  /** Table key: 'tg.add', 'Tensor#add', 'new nn.Linear', 'SGD#step', ... */
  id: string;
  /** Accepted error-message prefixes (each followed by ':'). */
  names: string[];
  /** Relative frequency (default 1). */
  weight?: number;
  /** The public function it calls ('matmul', 'nn.functional.relu', 'Tensor#add'); the entry is dropped when that is not exported. */
  path?: string;
  build(g: Gen): Call;
}

function exported(tg: TGModule, p: string): boolean {
  if (p.startsWith('Tensor#')) return typeof (tg.Tensor.prototype as any)[p.slice(7)] === 'function';
  return resolve(tg, p) !== undefined;
}

/** Resolves 'nn.functional.relu' on tg (undefined when not exported). */
export function resolve(tg: TGModule, path: string): any {
  let o: any = tg;
  for (const k of path.split('.')) o = o?.[k];
  return o;
}

/** Trailing omitted arguments dropped; an omitted one before a given one becomes undefined. */
function trim(args: Arg[]): Arg[] {
  const out = args.slice();
  while (out.length > 0 && out[out.length - 1] === OMIT) out.pop();
  return out.map((a) => (a === OMIT ? { v: undefined, d: 'undefined' } : a));
}

function invalidOf(args: Arg[]): { invalid: boolean; invalidWhy?: string } {
  const i = args.findIndex((a) => a.bad);
  return i < 0 ? { invalid: false } : { invalid: true, invalidWhy: `argument ${i} (${args[i].d})` };
}

function fnCall(g: Gen, path: string, rawArgs: Arg[], extra: Partial<Call> = {}): Call {
  const args = trim(rawArgs);
  const f = resolve(g.tg, path);
  return {
    desc: `tg.${path}(${args.map((a) => a.d).join(', ')})`,
    run: () => f(...args.map((a) => a.v)),
    ...invalidOf(args),
    ...extra,
  };
}

function methodCall(_g: Gen, recv: Arg, name: string, rawArgs: Arg[], extra: Partial<Call> = {}): Call {
  const args = trim(rawArgs);
  return {
    desc: `${recv.d}.${name}(${args.map((a) => a.d).join(', ')})`,
    run: () => (recv.v as any)[name](...args.map((a) => a.v)),
    ...invalidOf(args),
    ...extra,
  };
}

function newCall(g: Gen, path: string, rawArgs: Arg[], extra: Partial<Call> = {}): Call {
  const args = trim(rawArgs);
  const C = resolve(g.tg, path);
  return {
    desc: `new tg.${path}(${args.map((a) => a.d).join(', ')})`,
    run: () => new C(...args.map((a) => a.v)),
    ...invalidOf(args),
    ...extra,
  };
}

const isT = (g: Gen, x: unknown): x is TG.Tensor => x instanceof g.tg.Tensor;
const isFloatT = (g: Gen, x: unknown): boolean => isT(g, x) && (x.dtype === 'float32' || x.dtype === 'float64');
const allValid = (args: Arg[]) => args.every((a) => !a.bad && !a.odd);

// ---- the table ----------------------------------------------------------------------------------

const UNARY = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'square',
  'rsqrt',
  'log1p',
  'expm1',
  'silu',
  'reciprocal',
  'logicalNot',
  'clone',
  't',
];
/** Finite on finite inputs of moderate size (N(0, 1) here). */
const FINITE_UNARY = new Set([
  'neg',
  'exp',
  'abs',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'square',
  'expm1',
  'silu',
  'clone',
  't',
]);
const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'gt', 'lt', 'ge', 'le', 'eq', 'ne'];
const FINITE_BINARY = new Set(['add', 'sub', 'mul', 'maximum', 'minimum', 'gt', 'lt', 'ge', 'le', 'eq', 'ne']);
const REDUCE_DIMS = ['sum', 'mean', 'prod', 'logSumExp'];
const REDUCE_DIM = ['max', 'min', 'argmax', 'argmin'];

function both(
  name: string,
  build: (g: Gen, call: (recv: Arg, args: Arg[], extra?: Partial<Call>) => Call) => Call,
  opts: { weight?: number; names?: string[]; fnName?: string } = {},
): Spec[] {
  const fnName = opts.fnName ?? name;
  const names = opts.names ?? [name];
  return [
    {
      id: `tg.${fnName}`,
      names: [fnName, ...names],
      weight: opts.weight,
      path: fnName,
      build: (g) => build(g, (recv, args, extra) => fnCall(g, fnName, [recv, ...args], extra)),
    },
    {
      id: `Tensor#${name}`,
      names: [name, ...names],
      weight: opts.weight,
      path: `Tensor#${name}`,
      build: (g) =>
        build(((g.receiver = true), g), (recv, args, extra) => {
          // A method needs a Tensor receiver; a junk "receiver" becomes a plain tensor.
          const r = isT(g, recv.v) ? recv : g.tensor();
          return methodCall(g, r, name, args, extra);
        }),
    },
  ];
}

/**
 * The call table. With tg, entries whose public function is not exported (any more) are dropped,
 * so the table follows the library's surface; the coverage test checks the other direction.
 */
export function buildTable(tg?: TGModule): Spec[] {
  const specs: Spec[] = [];
  const add = (...s: Spec[]) => {
    for (const x of s) {
      if (!x.path && /^(tg|nn|autograd|func|optim|safetensors)\./.test(x.id) && !x.id.includes('#'))
        x.path = x.id.replace(/^tg\./, '');
      if (!x.path && x.id.startsWith('new ')) x.path = x.id.slice(4);
      if (tg && x.path && !exported(tg, x.path)) continue;
      specs.push(x);
    }
  };

  // -- elementwise unary --
  for (const op of UNARY)
    add(
      ...both(op, (g, call) => {
        const x = g.tensorArg(op === 't' ? {} : {});
        const ok = isFloatT(g, x.v) && (op !== 't' || (x.v as TG.Tensor).ndim <= 2);
        return call(x, [], { finite: FINITE_UNARY.has(op), valid: ok && op !== 'logicalNot', invalid: !!x.bad });
      }),
    );
  // methods without a tg.* function
  for (const m of ['double', 'float', 'detach', 'detach_', 'item', 'toArray', 'toString', 'zero_', 'retainGrad'])
    add({
      id: `Tensor#${m}`,
      names: [m, m === 'double' || m === 'float' ? 'to' : m],
      build: (g) => {
        const x = g.tensor();
        return methodCall(g, x, m, [], { finite: m === 'double' || m === 'float' });
      },
    });
  add({
    id: 'Tensor#getters',
    names: ['ndim', 'size', 'isLeaf', 'version', 'requiresGrad', 'retainsGrad', 'grad'],
    build: (g) => {
      const x = g.tensor();
      return {
        desc: `[x.ndim, x.size, x.isLeaf, x.version, x.requiresGrad, x.retainsGrad, x.grad] with x = ${x.d}`,
        run: () => {
          const t = x.v as TG.Tensor;
          return [t.ndim, t.size, t.isLeaf, t.version, t.requiresGrad, t.retainsGrad, t.grad];
        },
        check: (res) => {
          const [ndim, size] = res as number[];
          const t = x.v as TG.Tensor;
          if (ndim !== t.shape.length) return `ndim ${ndim} but shape ${lit(t.shape)}`;
          if (!g.facts.detached && size !== t.shape.reduce((a, b) => a * b, 1))
            return `size ${size} but shape ${lit(t.shape)}`;
          return null;
        },
      };
    },
  });

  // -- elementwise binary --
  for (const op of BINARY)
    add(
      ...both(op, (g, call) => {
        const a = g.r.chance(0.06) ? g.num() : g.tensorArg();
        const b = g.operandFor(a.v);
        const floatOps = isFloatT(g, a.v) && (typeof b.v === 'number' || isFloatT(g, b.v));
        return call(a, [b], {
          finite: FINITE_BINARY.has(op) || op === 'div' ? FINITE_BINARY.has(op) : false,
          valid: floatOps && allValid([a, b]) && isT(g, a.v) && compatible(g, a.v, b.v),
        });
      }),
    );
  // in-place methods
  for (const op of ['add_', 'sub_', 'mul_', 'div_'])
    add({
      id: `Tensor#${op}`,
      names: [op],
      build: (g) => {
        const x = g.tensor();
        return methodCall(g, x, op, [g.operandFor(x.v)]);
      },
    });
  add({
    id: 'Tensor#fill_',
    names: ['fill_'],
    build: (g) => {
      const x = g.tensor({ plain: g.r.chance(0.5) });
      const v = g.r.chance(0.85) ? g.num(-5, 5) : g.junkArg('num');
      return methodCall(g, x, 'fill_', [v], {
        check: () => {
          const t = x.v as TG.Tensor;
          const val = v.v as number;
          const want =
            t.dtype === 'bool'
              ? val !== 0
                ? 1
                : 0
              : t.dtype === 'int32'
                ? Math.trunc(val)
                : t.dtype === 'float32'
                  ? Math.fround(val)
                  : val;
          for (let i = 0; i < t.data.length; i++)
            if (!Object.is(t.data[i], want) && !(t.data[i] === 0 && want === 0))
              return `fill_(${lit(val)}) on ${t.dtype} stored ${t.data[i]} (expected ${want}, or an error)`;
          return null;
        },
      });
    },
  });

  // -- matmul --
  add(
    ...both('matmul', (g, call) => {
      const r = g.r;
      const dtype = r.pick(FLOAT_DTYPES);
      const k = r.range(0, 5),
        m = r.range(1, 5),
        n = r.range(1, 5);
      let a: Arg,
        b: Arg,
        coherent = false;
      const mode = r.int(5);
      if (mode === 0) {
        a = g.tensor({ dtype, shape: [m, k] });
        b = g.tensor({ dtype, shape: [k, n] });
        coherent = true;
      } else if (mode === 1) {
        const batch = r.chance(0.5) ? [r.range(1, 3)] : [];
        a = g.tensor({ dtype, shape: [...batch, m, k] });
        b = g.tensor({ dtype, shape: r.chance(0.5) ? [k] : [...batch, k, n] });
        coherent = true;
      } else if (mode === 2 && r.chance(0.3)) {
        const M = r.range(100, 200),
          K = r.range(100, 200),
          N = r.range(100, 200);
        a = g.tensor({ dtype, shape: [M, K], plain: true });
        b = g.tensor({ dtype, shape: [K, N] });
        coherent = true;
      } else {
        a = g.tensorArg();
        b = r.chance(0.8) ? g.tensorArg() : g.junkArg('tensor');
      }
      return call(a, [b], { finite: true, valid: coherent });
    }),
  );
  add({
    id: 'tg.matmulT',
    names: ['matmulT', 'matmul'],
    build: (g) => {
      const r = g.r;
      const dtype = r.pick(FLOAT_DTYPES);
      const m = r.range(1, 4),
        k = r.range(0, 4),
        n = r.range(1, 4);
      const ta = g.bool(0.1),
        tb = g.bool(0.1);
      const coherent = r.chance(0.6);
      const a = coherent ? g.tensor({ dtype, shape: ta.v === true ? [k, m] : [m, k] }) : g.tensorArg();
      const b = coherent ? g.tensor({ dtype, shape: tb.v === true ? [n, k] : [k, n] }) : g.tensorArg();
      return fnCall(g, 'matmulT', [a, b, ta, tb], { finite: true, valid: coherent && allValid([ta, tb]) });
    },
  });

  // -- reductions --
  for (const op of REDUCE_DIMS)
    add(
      ...both(op, (g, call) => {
        const x = g.tensorArg();
        const nd = isT(g, x.v) ? x.v.ndim : 1;
        const dims = g.dimsArg(nd);
        const keep = g.opt(0.4, () => g.bool());
        return call(x, [dims, keep], {
          finite: op === 'sum' || (op === 'logSumExp' && !g.facts.empty),
          valid: isFloatT(g, x.v) && allValid([dims, keep]) && !(op === 'logSumExp' && g.facts.empty),
        });
      }),
    );
  for (const op of REDUCE_DIM)
    add(
      ...both(op, (g, call) => {
        const x = g.tensorArg();
        const nd = isT(g, x.v) ? x.v.ndim : 1;
        const dim = g.dimArg(nd, true);
        const keep = dim === OMIT ? OMIT : g.opt(0.4, () => g.bool());
        return call(x, [dim, keep], {
          finite: !g.facts.empty,
          valid: isFloatT(g, x.v) && !g.facts.empty && allValid([dim, keep]) && dim.v !== null,
        });
      }),
    );
  for (const op of ['var', 'std'])
    add(
      ...both(op, (g, call) => {
        const x = g.tensorArg();
        const nd = isT(g, x.v) ? x.v.ndim : 1;
        const r = g.r;
        const o = r.chance(0.3)
          ? OMIT
          : r.chance(0.3)
            ? g.bool(0)
            : r.chance(0.7)
              ? { v: { correction: r.pick([0, 1, 2]), keepdim: r.chance(0.5) }, d: '{ correction, keepdim }' }
              : g.junkArg('any');
        if (o !== OMIT && typeof o.v === 'object' && o.v !== null && !o.bad) o.d = lit(o.v);
        const dims = g.dimsArg(nd);
        if (dims.bad) Object.assign(dims, { bad: undefined, odd: true }); // var(options) is an overload
        return call(x, [dims, o], {});
      }),
    );
  add(
    ...both('norm', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 1;
      const p = g.opt(0.3, () =>
        g.r.chance(0.7)
          ? { v: g.r.pick([1, 2, 3, 0.5, Infinity, -Infinity]), d: '' }
          : g.r.chance(0.5)
            ? g.num()
            : keywordJunk(g.junkArg('num', true)),
      );
      if (p !== OMIT && p.d === '') p.d = lit(p.v);
      return call(x, [p, g.dimsArg(nd), g.opt(0.5, () => g.bool())], {});
    }),
  );

  // -- shape ops --
  add(
    ...both('transpose', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 2;
      return call(x, [g.dimArg(nd), g.dimArg(nd)], {});
    }),
  );
  add(
    ...both('permute', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 2;
      const perm = Array.from({ length: nd }, (_, i) => i).sort(() => g.r.float() - 0.5);
      const dims = g.r.chance(0.75)
        ? { v: perm, d: lit(perm) }
        : g.r.chance(0.5)
          ? { v: [...perm, 0], d: lit([...perm, 0]), bad: true }
          : g.junkArg();
      return call(x, [dims], { valid: isT(g, x.v) && allValid([dims]) });
    }),
  );
  for (const [name, fnName] of [
    ['reshape', 'reshape'],
    ['view', 'reshape'],
  ] as const) {
    const build = (g: Gen, call: (recv: Arg, args: Arg[], extra?: Partial<Call>) => Call) => {
      const x = g.tensorArg();
      const r = g.r;
      let s: Arg;
      if (isT(g, x.v) && r.chance(0.6)) {
        const n = x.v.shape.reduce((a, b) => a * b, 1);
        const shp = n === 1 ? (r.chance(0.5) ? [] : [1, 1]) : r.chance(0.5) ? [n] : [-1];
        if (n > 1 && r.chance(0.4)) shp.push(1);
        s = { v: shp, d: lit(shp) };
      } else
        s = r.chance(0.5)
          ? minusOneOk(g.shapeArg())
          : r.chance(0.5)
            ? { v: [-1, -1], d: '[-1, -1]', bad: true }
            : g.junkArg();
      return call(x, [s], {});
    };
    if (name === 'reshape') add(...both('reshape', build));
    else
      add({
        id: 'Tensor#view',
        names: ['view', fnName],
        build: (g) =>
          build(g, (recv, args, extra) => methodCall(g, isT(g, recv.v) ? recv : g.tensor(), 'view', args, extra)),
      });
  }
  add(
    ...both('expand', (g, call) => {
      const x = g.tensorArg();
      const r = g.r;
      let s: Arg;
      if (isT(g, x.v) && r.chance(0.6)) {
        const shp = x.v.shape.map((d) => (d === 1 ? r.range(1, 3) : r.chance(0.2) ? -1 : d));
        if (r.chance(0.3)) shp.unshift(r.range(1, 3));
        s = { v: shp, d: lit(shp) };
      } else s = r.chance(0.7) ? minusOneOk(g.shapeArg()) : g.junkArg();
      return call(x, [s], {});
    }),
  );
  add({
    id: 'tg.sumTo',
    names: ['sumTo'],
    build: (g) => {
      const x = g.tensorArg();
      const s = isT(g, x.v) && g.r.chance(0.6) ? { v: g.broadcastOf(x.v.shape), d: '' } : g.shapeArg();
      if (s.d === '') s.d = lit(s.v);
      return fnCall(g, 'sumTo', [x, s]);
    },
  });
  add({
    id: 'tg.toDtype',
    names: ['toDtype', 'to'],
    build: (g) => fnCall(g, 'toDtype', [g.tensorArg(), g.dtypeArg()]),
  });
  add({ id: 'Tensor#to', names: ['to', 'toDtype'], build: (g) => methodCall(g, g.tensor(), 'to', [g.dtypeArg()]) });
  add(
    ...both('flatten', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 2;
      return call(x, [g.opt(0.3, () => g.dimArg(nd)), g.opt(0.4, () => g.dimArg(nd))], {});
    }),
  );
  add(
    ...both('squeeze', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 2;
      return call(x, [g.dimsArg(nd)], {});
    }),
  );
  add(
    ...both('unsqueeze', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim + 1 : 2;
      return call(x, [g.dimArg(nd)], {});
    }),
  );
  add(
    ...both('split', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 1;
      const r = g.r;
      let s: Arg;
      if (isT(g, x.v) && nd > 0 && r.chance(0.4)) {
        const n = x.v.shape[0];
        const parts: number[] = [];
        let left = n;
        while (left > 0) {
          const p = r.range(1, left);
          parts.push(p);
          left -= p;
        }
        if (r.chance(0.2)) parts.push(0);
        s = { v: parts, d: lit(parts) };
        return call(x, [s, { v: 0, d: '0' }], {});
      }
      s = r.chance(0.7) ? g.sizeNum(4) : g.junkArg();
      return call(x, [s, g.opt(0.4, () => g.dimArg(nd))], {});
    }),
  );
  add(
    ...both('slice', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 1;
      const r = g.r;
      const idx = () =>
        r.chance(0.8) ? { v: r.range(-6, 6), d: '' } : r.chance(0.5) ? { v: null, d: 'null' } : g.num();
      const fix = (a: Arg) => (a.d === '' ? { ...a, d: lit(a.v) } : a);
      const step = g.opt(0.5, () =>
        r.chance(0.7)
          ? { v: r.range(1, 3), d: '' }
          : r.chance(0.5)
            ? { v: r.pick([0, -1, 0.5, NaN]), d: '', bad: true }
            : g.junkArg(),
      );
      return call(x, [g.dimArg(nd), fix(g.opt(0.2, idx)), fix(g.opt(0.3, idx)), fix(step)], {});
    }),
  );
  add(
    ...both('indexSelect', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 1;
      const dim = g.dimArg(nd);
      const n =
        isT(g, x.v) && typeof dim.v === 'number' && !dim.bad
          ? (x.v.shape[dim.v < 0 ? dim.v + Math.max(nd, 1) : dim.v] ?? 1)
          : 3;
      const idx = g.r.chance(0.7)
        ? g.indexTensor([g.r.range(0, 4)], n)
        : g.r.chance(0.5)
          ? { v: [0, n - 1, n], d: lit([0, n - 1, n]), odd: true }
          : g.junkArg();
      return call(x, [dim, idx], {});
    }),
  );
  add(
    ...both('gather', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 1;
      const dim = g.dimArg(nd);
      const shape = isT(g, x.v) ? x.v.shape.map((d) => (g.r.chance(0.3) ? Math.max(0, d - 1) : d)) : [2];
      const n =
        isT(g, x.v) && typeof dim.v === 'number' && !dim.bad
          ? (x.v.shape[dim.v < 0 ? dim.v + Math.max(nd, 1) : dim.v] ?? 1)
          : 3;
      return call(x, [dim, g.r.chance(0.85) ? g.indexTensor(shape, n) : g.junkArg()], {});
    }),
  );
  add(
    ...both('scatterAdd', (g, call) => {
      const x = g.tensorArg();
      const nd = isT(g, x.v) ? x.v.ndim : 1;
      const dim = g.dimArg(nd);
      const shape = isT(g, x.v) ? x.v.shape.map((d) => (g.r.chance(0.3) ? Math.max(0, d - 1) : d)) : [2];
      const n =
        isT(g, x.v) && typeof dim.v === 'number' && !dim.bad
          ? (x.v.shape[dim.v < 0 ? dim.v + Math.max(nd, 1) : dim.v] ?? 1)
          : 3;
      const src = g.r.chance(0.8)
        ? g.tensor({ shape, dtype: isT(g, x.v) && g.r.chance(0.8) ? (x.v.dtype as DT) : undefined })
        : g.tensorArg();
      return call(x, [dim, g.indexTensor(shape, n), src], {});
    }),
  );
  add({
    id: 'tg.where',
    names: ['where'],
    build: (g) => {
      const a = g.tensorArg();
      const shape = isT(g, a.v) ? g.broadcastOf(a.v.shape) : g.smallShape();
      const cond = g.r.chance(0.8) ? g.tensor({ dtype: 'bool', shape }) : g.tensorArg();
      return fnCall(g, 'where', [cond, a, g.operandFor(a.v)], { finite: true });
    },
  });
  add({
    id: 'Tensor#where',
    names: ['where'],
    build: (g) => {
      const a = g.tensor();
      const cond = g.r.chance(0.8)
        ? g.tensor({ dtype: 'bool', shape: g.broadcastOf((a.v as TG.Tensor).shape) })
        : g.tensorArg();
      return methodCall(g, a, 'where', [cond, g.operandFor(a.v)], { finite: true });
    },
  });
  add(
    ...both('maskedFill', (g, call) => {
      const x = g.tensorArg();
      const shape = isT(g, x.v) ? g.broadcastOf(x.v.shape) : g.smallShape();
      const mask = g.r.chance(0.8) ? g.tensor({ dtype: 'bool', shape }) : g.tensorArg();
      const v = g.r.chance(0.8) ? g.num() : g.r.chance(0.5) ? g.bool(0) : g.junkArg();
      return call(x, [mask, v], {});
    }),
  );
  for (const op of ['cat', 'stack'])
    add({
      id: `tg.${op}`,
      names: [op],
      build: (g) => {
        const list = g.tensorList();
        return fnCall(g, op, [list, g.opt(0.4, () => g.dimArg(4))], { finite: true });
      },
    });

  // -- softmax & activations with parameters --
  for (const op of ['softmax', 'logSoftmax'])
    add(
      ...both(op, (g, call) => {
        const x = g.tensorArg();
        const nd = isT(g, x.v) ? x.v.ndim : 1;
        const dim = g.dimArg(nd);
        return call(x, [dim], { finite: true, valid: isFloatT(g, x.v) && allValid([dim]) });
      }),
    );
  add({
    id: 'tg.softmaxBackward',
    names: ['softmaxBackward', 'softmax', 'logSoftmax'],
    build: (g) => {
      const y = g.tensorArg({ float: true });
      const shape = isT(g, y.v) ? y.v.shape : [2];
      const gr = g.r.chance(0.8) ? g.tensor({ shape, float: true }) : g.tensorArg();
      const nd = shape.length;
      const dim = g.dimArg(nd);
      if (typeof dim.v !== 'number' || !Number.isInteger(dim.v)) g.facts.hangRisk = true; // was the softmaxBackward hang (fixed); kept for the soak
      return fnCall(g, 'softmaxBackward', [y, gr, dim, g.bool()]);
    },
  });
  add(
    ...both('clamp', (g, call) => {
      const x = g.tensorArg();
      const b = () =>
        g.r.chance(0.2) ? { v: null, d: 'null' } : g.r.chance(0.9) ? g.num() : keywordJunk(g.junkArg('num', true));
      return call(x, [g.opt(0.2, b), g.opt(0.3, b)], { finite: true });
    }),
  );
  add(
    ...both('softplus', (g, call) => {
      const x = g.tensorArg();
      const beta = g.opt(0.4, () => (g.r.chance(0.8) ? g.num(0.5, 3) : keywordJunk(g.junkArg('num', true))));
      const th = g.opt(0.5, () => (g.r.chance(0.8) ? g.num(1, 30) : keywordJunk(g.junkArg('num', true))));
      return call(x, [beta, th], { finite: allValid([beta, th]), valid: isFloatT(g, x.v) && allValid([beta, th]) });
    }),
  );
  add(
    ...both('leakyRelu', (g, call) =>
      call(g.tensorArg(), [g.opt(0.4, () => (g.r.chance(0.85) ? g.num() : keywordJunk(g.junkArg('num', true))))], {
        finite: true,
      }),
    ),
  );
  add(
    ...both('elu', (g, call) =>
      call(g.tensorArg(), [g.opt(0.4, () => (g.r.chance(0.85) ? g.num() : keywordJunk(g.junkArg('num', true))))], {
        finite: true,
      }),
    ),
  );
  add(
    ...both('gelu', (g, call) => {
      const x = g.tensorArg();
      const k = g.r.float();
      const a: Arg =
        k < 0.3
          ? OMIT
          : k < 0.5
            ? { v: g.r.pick(['none', 'tanh']), d: '' }
            : k < 0.75
              ? { v: { approximate: g.r.pick(['none', 'tanh']) }, d: '' } // PyTorch's spelling: gelu(x, approximate='tanh')
              : g.junkArg('any');
      if (a.d === '') a.d = lit(a.v);
      return call(x, [a], { finite: true, valid: isFloatT(g, x.v) && allValid([a]) });
    }),
  );

  // -- creation --
  for (const op of ['zeros', 'ones', 'rand', 'randn'])
    add({
      id: `tg.${op}`,
      names: [op],
      build: (g) => {
        const s = g.shapeArg();
        const o = g.tensorOpts(op === 'rand' || op === 'randn');
        return fnCall(g, op, [s, o], { valid: allValid([s, o]), finite: true });
      },
    });
  add({
    id: 'tg.full',
    names: ['full'],
    build: (g) => {
      const s = g.shapeArg();
      const v = g.r.chance(0.85) ? g.num() : g.junkArg('num');
      return fnCall(g, 'full', [s, v, g.tensorOpts()]);
    },
  });
  for (const op of ['zerosLike', 'onesLike'])
    add({
      id: `tg.${op}`,
      names: [op],
      build: (g) => {
        const x = g.tensorArg();
        const o = g.tensorOpts();
        return fnCall(g, op, [x, o], {
          check: (res) => {
            // zerosLike(x, 'float64'): a string where options go must not be silently ignored.
            const want =
              typeof o.v === 'object' && o.v !== null && typeof (o.v as any).dtype === 'string'
                ? (o.v as any).dtype
                : (x.v as TG.Tensor).dtype;
            const t = res as TG.Tensor;
            if (t.dtype !== want) return `dtype ${t.dtype}, expected ${want}`;
            return null;
          },
        });
      },
    });
  add({
    id: 'tg.arange',
    names: ['arange'],
    build: (g) => {
      const r = g.r;
      const bound = (hi: number): Arg => {
        if (r.chance(0.8))
          return { v: r.chance(0.7) ? r.range(-3, hi) : Math.round(r.float() * hi * 100) / 100, d: '' };
        const v = r.pick<unknown>([NaN, Infinity, -Infinity, '3', null, 1n]);
        return { v, d: lit(v), bad: true };
      };
      const fixd = (x: Arg): Arg => (x.d === '' ? { ...x, d: lit(x.v) } : x);
      const a = fixd(bound(8));
      const b = g.opt(0.4, () => fixd(bound(10)));
      const step = g.opt(0.5, () =>
        r.chance(0.8) ? { v: r.pick([1, 2, 0.5, -1, 0, 0.1, 1e-300]), d: '' } : g.junkArg('any'),
      );
      if (step !== OMIT && step.d === '') {
        step.d = lit(step.v);
        if (step.v === 1e-300) g.facts.hangRisk = true; // a tiny step over a range → billions of elements (giant)
      }
      return fnCall(g, 'arange', [a, b, step, g.opt(0.6, () => g.tensorOpts())]);
    },
  });
  add({
    id: 'tg.eye',
    names: ['eye'],
    build: (g) => fnCall(g, 'eye', [g.sizeNum(5), g.opt(0.5, () => g.sizeNum(5)), g.opt(0.5, () => g.tensorOpts())]),
  });
  add({
    id: 'tg.tensor',
    names: ['tensor'],
    weight: 2,
    build: (g) => {
      const r = g.r;
      const k = r.float();
      let data: Arg;
      if (k < 0.35) {
        const s = g.smallShape(3, 3);
        const nest = (dim: number): unknown =>
          dim === s.length
            ? r.chance(0.05)
              ? r.pick<unknown>([NaN, 'x', null, true, 1n, [], 2 ** 31, Infinity])
              : r.range(-3, 3)
            : Array.from({ length: s[dim] }, () => nest(dim + 1));
        const v = nest(0);
        data = { v, d: lit(v) };
      } else if (k < 0.5) {
        const v = r.pick<unknown>([
          [[1, 2], [3]],
          [[1], 2],
          [1, [2]],
          [[[]]],
          [[], [1]],
          [true, 1],
          [1, true],
          [[true], [false]],
          [1n],
          [[1, 2], 'ab'],
          [null],
          [undefined],
          [{}],
          [new Float32Array(2)],
        ]);
        data = { v, d: lit(v), odd: true };
      } else if (k < 0.7) {
        const ctor = r.pick<any>([
          Float32Array,
          Float64Array,
          Int32Array,
          Uint8Array,
          Int8Array,
          Uint8ClampedArray,
          Uint16Array,
          Float64Array,
        ]);
        const n = r.range(0, 8);
        const arr = new ctor(n);
        for (let i = 0; i < n; i++)
          arr[i] =
            ctor === Float32Array || ctor === Float64Array
              ? r.chance(0.1)
                ? r.pick(SPECIAL_FLOATS)
                : r.normal()
              : r.range(0, 5);
        data = { v: arr, d: `new ${ctor.name}(${lit(Array.from(arr))})` };
      } else if (k < 0.85) {
        data = g.num(-10, 10);
      } else data = g.junkArg();
      const o = g.r.chance(0.5)
        ? OMIT
        : (() => {
            const base = g.tensorOpts();
            if (g.r.chance(0.3)) {
              const s = g.r.chance(0.6) ? g.shapeArg() : { v: [2, 2], d: '[2, 2]' };
              const obj =
                typeof base.v === 'object' && base.v !== null && !Array.isArray(base.v)
                  ? { ...(base.v as object), shape: s.v }
                  : { shape: s.v };
              const baseIsObj = typeof base.v === 'object' && base.v !== null && !Array.isArray(base.v);
              return { v: obj, d: lit(obj), bad: (baseIsObj && base.bad) || s.bad, odd: true };
            }
            return base;
          })();
      return fnCall(g, 'tensor', [data, o]);
    },
  });
  add({
    id: 'new Tensor',
    names: ['Tensor'],
    build: (g) => {
      const r = g.r;
      const n = r.range(0, 6);
      const data: Arg = r.chance(0.7)
        ? { v: new Float32Array(n), d: `new Float32Array(${n})` }
        : r.chance(0.5)
          ? { v: Array(n).fill(0), d: `[${Array(n).fill(0)}]`, bad: true }
          : g.junkArg();
      const shape: Arg = r.chance(0.5) ? { v: [n], d: `[${n}]` } : g.shapeArg();
      // The junk may be a typed array too (seed 2023: a Float32Array(3) beside shape [1, 3], a valid call).
      const length = ArrayBuffer.isView(data.v) ? (data.v as Float32Array).length : n;
      if (!shape.bad && Array.isArray(shape.v) && (shape.v as number[]).reduce((a, b) => a * b, 1) !== length)
        shape.bad = true;
      const dtype = g.opt(0.6, () => g.dtypeArg());
      if (dtype !== OMIT && !dtype.bad && dtype.v !== 'float32') dtype.bad = true; // data is a Float32Array
      return newCall(g, 'Tensor', [data, shape, dtype]);
    },
  });

  // -- Tensor autograd members --
  add({
    id: 'Tensor#requiresGrad_',
    names: ['requiresGrad_', 'requiresGrad'],
    build: (g) => methodCall(g, g.tensor(), 'requiresGrad_', [g.opt(0.3, () => g.bool(0.4))]),
  });
  add({
    id: 'Tensor#requiresGrad=',
    names: ['requiresGrad', 'requiresGrad_'],
    build: (g) => {
      const x = g.tensor();
      const v = g.bool(0.4);
      return {
        desc: `(${x.d}).requiresGrad = ${v.d}`,
        run: () => ((x.v as any).requiresGrad = v.v),
        invalid: !!v.bad,
        invalidWhy: v.d,
      };
    },
  });
  add({
    id: 'Tensor#grad=',
    names: ['grad'],
    build: (g) => {
      const x = g.tensor({ float: true, grad: true, plain: true });
      const xs = (x.v as TG.Tensor).shape;
      const k = g.r.float();
      const v =
        k < 0.4
          ? g.tensor({ shape: xs, dtype: (x.v as TG.Tensor).dtype as DT, plain: true })
          : k < 0.5
            ? { v: null, d: 'null' }
            : k < 0.75
              ? g.tensor()
              : g.junkArg();
      const shapeOk =
        isT(g, v.v) &&
        v.v.shape.length === xs.length &&
        v.v.shape.every((d, i) => d === xs[i]) &&
        v.v.dtype === (x.v as TG.Tensor).dtype;
      return {
        desc: `(${x.d}).grad = ${v.d}`,
        run: () => ((x.v as any).grad = v.v),
        invalid: !(v.v === null || shapeOk),
        invalidWhy: `a gradient ${v.d} for a ${(x.v as TG.Tensor).dtype} tensor of shape ${lit(xs)}`,
      };
    },
  });
  add({
    id: 'Tensor#registerHook',
    names: ['registerHook', 'backward', 'mul', 'to', 'zeros'],
    build: (g) => {
      const x = g.tensor({ float: true, grad: true, plain: true });
      const r = g.r;
      const mode = r.int(6);
      const xs = (x.v as TG.Tensor).shape;
      const hooks: [unknown, string][] = [
        [(t: TG.Tensor) => t.mul(2), 'g => g.mul(2)'],
        [() => undefined, '() => undefined'],
        [() => 3, '() => 3'],
        [() => g.tg.zeros([7, 7]), '() => tg.zeros([7, 7])'],
        [(t: TG.Tensor) => t.to('int32'), "g => g.to('int32')"],
        [42, '42'],
      ];
      const [h, hd] = hooks[mode];
      return {
        desc: `x = ${x.d}; x.registerHook(${hd}); x.mul(x).sum().backward()`,
        run: () => {
          const t = x.v as TG.Tensor;
          t.registerHook(h as any);
          t.mul(t).sum().backward();
          return t.grad;
        },
        invalid: mode >= 2 && !(mode === 3 && xs.length === 2 && xs[0] === 7 && xs[1] === 7),
        invalidWhy: `hook ${hd}`,
        check: (res) =>
          res instanceof g.tg.Tensor && (res.shape.length !== xs.length || res.shape.some((d, i) => d !== xs[i]))
            ? `grad of shape ${lit(res.shape)} for x of shape ${lit(xs)}`
            : null,
      };
    },
  });
  add({
    id: 'Tensor#backward',
    names: ['backward'],
    weight: 3,
    build: (g) => {
      const r = g.r;
      const x = g.tensor({ float: true, grad: true, plain: true });
      const xt = x.v as TG.Tensor;
      const chain = r.pick(['sum', 'exp', 'mul2', 'none', 'matmul', 'softmax']);
      const gradient = r.float();
      const opts = r.float();
      const optsArg: Arg =
        opts < 0.4
          ? OMIT
          : opts < 0.7
            ? { v: { retainGraph: r.chance(0.5), createGraph: r.chance(0.3) }, d: '' }
            : {
                v: r.pick<unknown>([
                  { retainGraph: 1 },
                  { retainGraph: 'yes' },
                  { createGraph: 'no' },
                  null,
                  5,
                  'retain',
                ]),
                d: '',
                bad: true,
              };
      // null options mean "no options" (engine.ts checkOptions, as for gradient = null): not invalid.
      if (optsArg.v === null) Object.assign(optsArg, { bad: undefined, odd: true });
      if (optsArg !== OMIT) optsArg.d = lit(optsArg.v);
      let gradArg: Arg = OMIT;
      return {
        desc: `x = ${x.d}; y = ${chain}(x); y.backward(${'<gradient>'}, ${optsArg.d}); y.backward() again`,
        run: () => {
          const y =
            chain === 'sum'
              ? xt.sum()
              : chain === 'exp'
                ? xt.exp()
                : chain === 'mul2'
                  ? xt.mul(2)
                  : chain === 'none'
                    ? xt
                    : chain === 'matmul'
                      ? xt.ndim === 2
                        ? xt.matmul(xt.t())
                        : xt.mul(xt)
                      : xt.softmax(xt.ndim > 0 ? -1 : 0);
          gradArg =
            gradient < 0.5
              ? OMIT
              : gradient < 0.75
                ? { v: g.tg.onesLike(y), d: 'tg.onesLike(y)' }
                : gradient < 0.9
                  ? { v: g.tg.ones([3, 3]), d: 'tg.ones([3, 3])' }
                  : g.junkArg();
          (y as TG.Tensor).backward(...(trim([gradArg, optsArg]).map((a) => a.v) as [any, any]));
          if (r.chance(0.5)) (y as TG.Tensor).backward(...(trim([gradArg, optsArg]).map((a) => a.v) as [any, any]));
          return xt.grad;
        },
        invalid: !!optsArg.bad,
        invalidWhy: `options ${optsArg.d}`,
        check: (res) =>
          res instanceof g.tg.Tensor && (res.shape.length !== xt.ndim || res.shape.some((d, i) => d !== xt.shape[i]))
            ? `grad of shape ${lit(res.shape)} for x of shape ${lit(xt.shape)}`
            : null,
      };
    },
  });

  // -- grad mode, seeds, threads --
  for (const op of ['noGrad', 'enableGrad', 'inferenceMode'])
    add({
      id: `tg.${op}`,
      names: [op],
      build: (g) => {
        const r = g.r;
        const fns: [unknown, string, boolean?][] = [
          [() => g.tg.isGradEnabled(), '() => tg.isGradEnabled()'],
          [
            () => {
              throw new Error('user: thrown inside');
            },
            "() => { throw new Error('user: thrown inside') }",
          ],
          [() => g.tg.noGrad(() => g.tg.enableGrad(() => 1)), '() => tg.noGrad(() => tg.enableGrad(() => 1))'],
          [undefined, 'undefined', true],
          [null, 'null', true],
          [5, '5', true],
          ['f', '"f"', true],
          [{}, '{}', true],
        ];
        const [f, fd, bad] = r.pick(fns);
        return fnCall(g, op, [{ v: f, d: fd, bad }]);
      },
    });
  add({ id: 'tg.isGradEnabled', names: ['isGradEnabled'], build: (g) => fnCall(g, 'isGradEnabled', []) });
  add({ id: 'tg.isInferenceMode', names: ['isInferenceMode'], build: (g) => fnCall(g, 'isInferenceMode', []) });
  add({
    id: 'tg.manualSeed',
    names: ['manualSeed'],
    build: (g) => {
      const v = g.r.chance(0.6) ? { v: g.r.range(-1e9, 1e9), d: '' } : g.r.chance(0.5) ? g.num() : g.junkArg('num');
      if (v.d === '') v.d = lit(v.v);
      return fnCall(g, 'manualSeed', [v]);
    },
  });
  add({
    id: 'tg.setNumThreads',
    names: ['setNumThreads'],
    weight: 0.3,
    build: (g) => {
      const v = g.r.chance(0.5)
        ? { v: g.r.range(1, 2), d: '' }
        : g.r.chance(0.5)
          ? { v: g.r.pick([0, -1, 1.5, 1025, NaN, Infinity, 2 ** 31]), d: '', bad: true }
          : g.junkArg();
      if (v.d === '') v.d = lit(v.v);
      return fnCall(g, 'setNumThreads', [v]);
    },
  });
  add({ id: 'tg.getNumThreads', names: ['getNumThreads'], build: (g) => fnCall(g, 'getNumThreads', []) });
  add({ id: 'tg.backendInfo', names: ['backendInfo'], build: (g) => fnCall(g, 'backendInfo', []) });

  // -- declarative mode: a compiled function called three times (record, then replay) must give
  // what the plain function gives; bad functions, options and arguments are refused by name.
  const COMPILE_BODIES: [unknown, string, boolean?][] = [
    [(x: TG.Tensor) => x.mul(2).add(1).sum(), '(x) => x.mul(2).add(1).sum()'],
    [(x: TG.Tensor) => x.abs().sqrt().neg(), '(x) => x.abs().sqrt().neg()'],
    [(x: TG.Tensor) => [x.exp(), x.sum(0)], '(x) => [x.exp(), x.sum(0)]'],
    [(x: TG.Tensor) => ({ y: x.sub(x.mean()) }), '(x) => ({ y: x.sub(x.mean()) })'],
    [5, '5', true],
    [null, 'null', true],
    [{}, '{}', true],
  ];
  add({
    id: 'tg.compile',
    names: ['compile', 'tg.compile', 'mul', 'add', 'sum', 'abs', 'sqrt', 'neg', 'exp', 'sub', 'mean'],
    build: (g) => {
      const r = g.r;
      const [f, fd, badFn] = r.pick(COMPILE_BODIES);
      const opts: Arg = r.chance(0.7)
        ? OMIT
        : r.pick([
            { v: { fallback: 'eager' }, d: "{ fallback: 'eager' }" },
            { v: { poison: true }, d: '{ poison: true }' },
            { v: { maxPlans: 0 }, d: '{ maxPlans: 0 }', bad: true },
            { v: { fallback: 'never' }, d: "{ fallback: 'never' }", bad: true },
            { v: { unknown: 1 }, d: '{ unknown: 1 }', bad: true },
            g.junkArg(),
          ]);
      const x = g.tensor({ plain: true });
      const args = trim([opts]);
      return {
        desc: `const c = tg.compile(${fd}${args.length ? `, ${args[0].d}` : ''}); c(x); c(x); c(x) with x = ${x.d}`,
        run: () => {
          const c = g.tg.compile(f as never, ...(args.map((a) => a.v) as []));
          return [c(x.v), c(x.v), c(x.v)]; // the recording call, then two replays
        },
        invalid: !!(badFn || opts.bad),
        invalidWhy: badFn ? `fn ${fd}` : `options ${opts.d}`,
        check: (res) => {
          const eager = g.tg.noGrad(() => (f as (t: unknown) => unknown)(x.v));
          const flat = (v: unknown): TG.Tensor[] =>
            v instanceof g.tg.Tensor
              ? [v]
              : Array.isArray(v)
                ? v.flatMap(flat)
                : v && typeof v === 'object'
                  ? Object.values(v).flatMap(flat)
                  : [];
          const [recorded, ...replays] = (res as unknown[]).map(flat);
          const want = flat(eager);
          if (recorded.length !== want.length)
            return `returned ${recorded.length} tensors, the plain function ${want.length}`;
          // A replay repeats the recording bit for bit (the same kernels over the same values).
          for (const [k, replay] of replays.entries())
            for (let i = 0; i < recorded.length; i++) {
              const [p, q] = [replay[i].data, recorded[i].data];
              if (p.length !== q.length || p.some((v, j) => !Object.is(v, q[j])))
                return `replay ${k + 1}, output ${i} differs from the recording call's: ${lit(Array.from(p).slice(0, 6))} vs ${lit(Array.from(q).slice(0, 6))}`;
            }
          // The plain function agrees to rounding: below the size cut-offs it runs JS loops, whose summation
          // order and sin/exp may differ in the last bits from the addon's kernels that a plan runs.
          for (let i = 0; i < recorded.length; i++) {
            const [p, q] = [recorded[i].data, want[i].data];
            const eps = q instanceof Float64Array ? 2 ** -52 : 2 ** -23;
            let scale = 0;
            for (const v of q) scale = Math.max(scale, Math.abs(v));
            const tol = 64 * eps * scale;
            const differs = (v: number, j: number) =>
              !Object.is(v, q[j]) && !(Math.abs(v - q[j]) <= tol) && !(Number.isNaN(v) && Number.isNaN(q[j]));
            if (p.length !== q.length || Array.from(p).some(differs))
              return `output ${i} differs from the plain function's: ${lit(Array.from(p).slice(0, 6))} vs ${lit(Array.from(q).slice(0, 6))}`;
          }
          return null;
        },
      };
    },
  });
  add({
    id: 'tg.matmulAsync',
    names: ['matmulAsync', 'matmul'],
    weight: 0.3,
    build: (g) => {
      const a = g.tensorArg({ float: true });
      const b = g.operandFor(a.v);
      const call = fnCall(g, 'matmulAsync', [a, b]);
      // The promise settles after the call is judged: only the synchronous part is fuzzed here
      // (argument checks, locking); test/compile covers the results.
      return { ...call, run: () => void (call.run() as Promise<unknown>).catch(() => undefined) };
    },
  });
  add({
    id: 'new GraphBreakError',
    names: ['GraphBreakError'],
    weight: 0.1,
    build: (g) =>
      newCall(g, 'GraphBreakError', [
        g.r.chance(0.5) ? { v: 'tg.compile: example', d: "'tg.compile: example'" } : g.junkArg(),
      ]),
  });
  add({
    id: 'tg.memory',
    names: ['memory'],
    build: (g) => {
      // tg.memory() takes no arguments; junk ones are ignored, as JavaScript does.
      const junk = g.opt(0.7, () => ({ ...g.junkArg(), bad: undefined, odd: true }));
      return fnCall(g, 'memory', [junk], { check: (res) => memoryInfoProblem(res) });
    },
  });
  // The allocator's global settings (pool cap, tracking) are put back inside each call, so every
  // call still replays alone from (seed, index).
  add({
    id: 'tg.memory.setPoolCap',
    names: ['memory.setPoolCap', 'setPoolCap'],
    weight: 0.5,
    build: (g) => {
      const r = g.r;
      const v: Arg = r.chance(0.6)
        ? { v: r.pick([0, 1024, 16384, 1 << 20, 256 * 1024 * 1024]), d: '' }
        : r.chance(0.4)
          ? { v: r.pick([-1, NaN, -Infinity]), d: '', bad: true }
          : r.chance(0.2)
            ? { v: Infinity, d: 'Infinity', odd: true }
            : g.junkArg('num');
      if (v.d === '') v.d = lit(v.v);
      const tg = g.tg as any;
      return {
        desc: `tg.memory.setPoolCap(${v.d}); then put back`,
        run: () => {
          const before = tg.memory().pool.cap;
          const prev = tg.memory.setPoolCap(v.v);
          try {
            if (prev !== before) throw new FuzzCheck(`setPoolCap returned ${lit(prev)} but the cap was ${before}`);
            const now = tg.memory().pool;
            if (now.cap !== v.v) throw new FuzzCheck(`memory().pool.cap is ${now.cap} after setPoolCap(${v.d})`);
            if (now.cached > now.cap)
              throw new FuzzCheck(`the pool caches ${now.cached} bytes, above its cap ${now.cap}`);
            return prev;
          } finally {
            tg.memory.setPoolCap(prev);
          }
        },
        invalid: !!v.bad,
        invalidWhy: `argument 0 (${v.d})`,
      };
    },
  });
  add({
    id: 'tg.memory.track',
    names: ['memory.track', 'track'],
    weight: 0.5,
    build: (g) => {
      const on = g.bool(0.4);
      const tg = g.tg as any;
      const alloc = g.r.chance(0.5);
      return {
        desc: `tg.memory.track(${on.d})${alloc ? '; tg.zeros([5000]); tg.memory(); tg.memory.byOp(); tg.memory.resetPeak()' : ''}; then put back`,
        run: () => {
          const prev = tg.memory.track(on.v);
          try {
            if (typeof prev !== 'boolean') throw new FuzzCheck(`track returned ${lit(prev)}, not the previous boolean`);
            if (!alloc) return prev;
            const keep = tg.zeros([5000]);
            const info = tg.memory();
            const p = memoryInfoProblem(info);
            if (p) throw new FuzzCheck(p);
            if (on.v === true && !(info.liveBytes >= 5000 * 4))
              throw new FuzzCheck(`tracking on, a live 20000-byte tensor, but liveBytes is ${info.liveBytes}`);
            if (on.v === false && info.liveBytes !== null)
              throw new FuzzCheck(`tracking off but liveBytes is ${info.liveBytes}`);
            const ops = tg.memory.byOp();
            if (!Array.isArray(ops) || ops.some((e: any) => typeof e?.op !== 'string' || typeof e?.bytes !== 'number'))
              throw new FuzzCheck(`byOp() returned ${lit(ops)}`);
            tg.memory.resetPeak();
            keep.dispose();
            return prev;
          } finally {
            tg.memory.track(prev);
          }
        },
        invalid: !!on.bad,
        invalidWhy: `argument 0 (${on.d})`,
      };
    },
  });
  for (const op of ['emptyCache', 'byOp', 'resetPeak'])
    add({
      id: `tg.memory.${op}`,
      names: [`memory.${op}`, op],
      weight: 0.3,
      build: (g) => {
        // No parameters: junk arguments are ignored.
        const junk = g.opt(0.6, () => ({ ...g.junkArg(), bad: undefined, odd: true }));
        // A collection after emptyCache() may hand blocks of dead buffers back to the cache at once (the
        // addon's finalizers run during the collection): only a cache refilled without one is a finding.
        const collectedBefore: number = (g.tg as any).memory().collected;
        return fnCall(g, `memory.${op}`, [junk], {
          check: (res) => {
            const info = (g.tg as any).memory();
            if (op === 'emptyCache' && info.pool.cached !== 0 && info.collected === collectedBefore)
              return `memory().pool.cached is ${info.pool.cached} after emptyCache(), with no collection since`;
            if (
              op === 'byOp' &&
              (!Array.isArray(res) || res.some((e: any) => typeof e?.op !== 'string' || !(e?.bytes > 0)))
            )
              return `byOp() returned ${lit(res)}`;
            return null;
          },
        });
      },
    });
  add({
    id: 'Tensor#dispose',
    names: ['dispose', 'add', 'sum', 'reshape', 'matmul', 'fill_', 'backward', 'zeros', 'clone'],
    weight: 1.5,
    build: (g) => {
      const r = g.r;
      const tg = g.tg;
      // Always tensors made for this call (Gen builds fresh arguments per call), so disposing them
      // cannot reach another call's tensors. Views and detached copies share the base's storage.
      const base = g.tensor({ big: r.chance(0.3), plain: r.chance(0.5) });
      // Sometimes the caller transferred x's ArrayBuffer away before disposing it (pooled storage
      // of 16 KiB or more when big): the pool must not hand that buffer out again.
      const transfer = r.chance(0.15) && !g.facts.detached && (base.v as TG.Tensor).data.byteLength > 0;
      if (transfer) g.facts.detached = true;
      // A base whose buffer was already transferred when it was made: detach() and reshape() refuse it
      // before dispose is reached, so only x itself is disposed.
      const viewKind = transfer || g.facts.detached ? 0 : r.int(4); // 0: dispose x itself, 1: a reshape view of x, 2: x.detach(), 3: dispose x, keep a view
      const after = transfer
        ? 'zerosSameSize'
        : r.pick([
            'none',
            'none',
            'isDisposed',
            'again',
            'add',
            'sum',
            'reshape',
            'matmul',
            'fill_',
            'backward',
            'clone',
            'zerosSameSize',
          ]);
      const desc = `x = ${base.d}${transfer ? ' /* ArrayBuffer transferred */' : ''}; ${['t = x', 't = x.reshape([-1])', 't = x.detach()', 'v = x.reshape([-1]); t = x'][viewKind]}; t.dispose(); ${after === 'none' ? '' : `then ${after}`}`;
      return {
        desc,
        run: () => {
          const x = base.v as TG.Tensor;
          if (transfer) {
            const buf = x.data.buffer as ArrayBuffer;
            structuredClone(buf, { transfer: [buf] });
          }
          try {
            return disposeAndUse(x);
          } finally {
            // Keep every call replayable alone: whatever this dispose did to the pool is undone.
            if (g.facts.detached) (tg as any).memory.emptyCache();
          }
        },
        check: (res) => {
          // Using the disposed tensor itself must be refused. A view taken before its base was
          // disposed (viewKind 3) is refused only when the storage was pooled (16 KiB or more); a
          // small storage stays V8's and the view may still read it, so no expectation there.
          if (['add', 'sum', 'reshape', 'matmul', 'fill_', 'clone', 'backward'].includes(after) && viewKind !== 3)
            return `${after} on a disposed tensor returned ${summarize(tg, res)} instead of an Error naming it`;
          return null;
        },
      };
      function disposeAndUse(x: TG.Tensor): unknown {
        const t = viewKind === 1 ? x.reshape([-1]) : viewKind === 2 ? x.detach() : x;
        const v = viewKind === 3 ? x.reshape([-1]) : null;
        t.dispose();
        if (!t.isDisposed) throw new FuzzCheck('isDisposed is false after dispose()');
        const used = v ?? t;
        switch (after) {
          case 'none':
            return t.isDisposed;
          case 'isDisposed':
            return [t.isDisposed, x.isDisposed];
          case 'again':
            t.dispose();
            return t.isDisposed;
          case 'add':
            return used.add(1);
          case 'sum':
            return used.sum();
          case 'reshape':
            return used.reshape([-1]);
          case 'matmul':
            return used.matmul(used);
          case 'fill_':
            return used.fill_(0);
          case 'clone':
            return used.clone();
          case 'backward':
            used.backward();
            return null;
          case 'zerosSameSize': {
            // The pool must hand out working storage after any dispose (also of a tensor whose
            // ArrayBuffer the caller transferred away).
            const n = x.shape.reduce((a, b) => a * b, 1);
            try {
              const z = tg.zeros([n], { dtype: x.dtype });
              if (z.data.length !== n)
                throw new FuzzCheck(`zeros([${n}]) after a dispose has ${z.data.length} elements`);
              return z;
            } catch (e) {
              if (e instanceof FuzzCheck) throw e;
              throw new FuzzCheck(
                `zeros([${n}], ${x.dtype}) failed after a dispose: ${e instanceof Error ? e.message : String(e)}`,
              );
            }
          }
        }
        return null;
      }
    },
  });

  // -- autograd --
  add({
    id: 'autograd.grad',
    names: ['grad', 'autograd.grad'],
    weight: 2,
    build: (g) => {
      const r = g.r;
      const x = g.tensor({ float: true, grad: true, plain: true });
      const xt = x.v as TG.Tensor;
      const other = g.tensor({ float: true, plain: true, grad: r.chance(0.5) });
      const optsArg: Arg = r.chance(0.3)
        ? OMIT
        : r.chance(0.7)
          ? { v: { retainGraph: r.chance(0.5), createGraph: r.chance(0.3), allowUnused: r.chance(0.5) }, d: '' }
          : {
              v: r.pick<unknown>([
                { allowUnused: 1 },
                { retainGraph: 'y' },
                { gradOutputs: 3 },
                { gradOutputs: [null, null] },
                null,
                7,
              ]),
              d: '',
              bad: true,
            };
      // null options mean "no options" (engine.ts checkOptions): not invalid.
      if (optsArg.v === null) Object.assign(optsArg, { bad: undefined, odd: true });
      if (optsArg !== OMIT) optsArg.d = lit(optsArg.v);
      const inputsKind = r.int(5);
      return {
        desc: `x = ${x.d}; o = ${other.d}; tg.autograd.grad(x.square().sum(), ${['x', '[x, o]', '[]', '[x.mul(1)]', '"x"'][inputsKind]}, ${optsArg.d})`,
        run: () => {
          const y = xt.square().sum();
          const inputs = [xt, [xt, other.v], [], [xt.mul(1)], 'x'][inputsKind];
          return g.tg.autograd.grad(y, inputs as any, optsArg.v as any);
        },
        invalid: optsArg.bad && optsArg.d !== '{ "gradOutputs": [null, null] }' ? true : inputsKind === 4,
        invalidWhy: `options ${optsArg.d}`,
      };
    },
  });
  add({
    id: 'autograd.setDetectAnomaly',
    names: ['setDetectAnomaly'],
    build: (g) => fnCall(g, 'autograd.setDetectAnomaly', [g.bool(0.5)]),
  });
  add({
    id: 'autograd.isAnomalyEnabled',
    names: ['isAnomalyEnabled'],
    build: (g) => fnCall(g, 'autograd.isAnomalyEnabled', []),
  });
  const gcFns: [(...a: any[]) => any, string][] = [
    [(x: TG.Tensor) => x.sin(), 'x => x.sin()'],
    [(x: TG.Tensor) => x.mul(x).sum(), 'x => x.mul(x).sum()'],
    [(x: TG.Tensor, y: unknown) => x.mul(y as any), '(x, y) => x.mul(y)'],
    [(x: TG.Tensor) => x.to('int32'), "x => x.to('int32')"],
    [() => 3, '() => 3'],
    [(x: TG.Tensor) => [x.exp(), x.tanh()], 'x => [x.exp(), x.tanh()]'],
  ];
  for (const op of ['gradcheck', 'gradgradcheck'])
    add({
      id: `autograd.${op}`,
      names: [op, `autograd.${op}`, 'sin', 'mul', 'sum', 'to', 'exp', 'tanh'],
      weight: 0.5,
      build: (g) => {
        const r = g.r;
        const [f, fd] = r.pick(gcFns);
        const shape = g.smallShape(2, 2);
        const inputs: Arg = r.chance(0.8)
          ? (() => {
              const a = g.tensor({
                dtype: r.chance(0.85) ? 'float64' : 'float32',
                shape,
                plain: true,
                grad: r.chance(0.9),
              });
              const b = g.tensor({ dtype: 'float64', shape, plain: true });
              return r.chance(0.5) ? { v: [a.v], d: `[${a.d}]` } : { v: [a.v, b.v], d: `[${a.d}, ${b.d}]` };
            })()
          : g.junkArg();
        const o = g.opt(0.5, () =>
          r.chance(0.7)
            ? {
                v: { eps: r.pick([1e-6, 1e-3, 0, -1, NaN]), atol: r.pick([1e-5, 0, 1]), raiseException: r.chance(0.5) },
                d: '',
              }
            : g.junkArg(),
        );
        if (o !== OMIT && o.d === '') o.d = lit(o.v);
        const args =
          op === 'gradcheck'
            ? [{ v: f, d: fd }, inputs, o]
            : [{ v: f, d: fd }, inputs, g.opt(0.6, () => g.junkArg()), o];
        return fnCall(g, `autograd.${op}`, args);
      },
    });
  add({
    id: 'autograd.Function',
    names: [
      'Bad',
      'BadBackward',
      'Bad.saveForBackward',
      'Bad.markDirty',
      'Bad.markNonDifferentiable',
      'Bad.setMaterializeGrads',
      'mul',
      'sum',
      'to',
      'zeros',
      'backward',
      'apply',
      'saveForBackward',
      'markDirty',
      'markNonDifferentiable',
      'setMaterializeGrads',
      'forward',
    ],
    weight: 2,
    build: (g) => {
      const r = g.r;
      const tg = g.tg;
      const x = g.tensor({ float: true, grad: true, plain: true });
      const xt = x.v as TG.Tensor;
      const bwd = r.int(9);
      const ctxMode = r.int(8);
      const bwdDesc = [
        '[g.mul(2)]',
        'g.mul(2)',
        '[]',
        '[g, g]',
        '[tg.zeros([9])]',
        '["x"]',
        '[null]',
        '[g.to("int32")]',
        'undefined',
      ][bwd];
      const ctxDesc = [
        'saveForBackward(x)',
        'saveForBackward(3)',
        'saveForBackward(x, x, null)',
        'markDirty("x")',
        'markNonDifferentiable(5)',
        'setMaterializeGrads("no")',
        'nothing',
        'saveForBackward(x.mul(1))',
      ][ctxMode];
      class Bad extends tg.autograd.Function {
        static override forward(a: TG.Tensor): TG.Tensor {
          return a.mul(2);
        }
        static override setupContext(ctx: any, inputs: TG.Tensor[]): void {
          const a = inputs[0];
          switch (ctxMode) {
            case 0:
              ctx.saveForBackward(a);
              break;
            case 1:
              ctx.saveForBackward(3);
              break;
            case 2:
              ctx.saveForBackward(a, a, null);
              break;
            case 3:
              ctx.markDirty('x');
              break;
            case 4:
              ctx.markNonDifferentiable(5);
              break;
            case 5:
              ctx.setMaterializeGrads('no');
              break;
            case 7:
              ctx.saveForBackward(a.mul(1));
              break;
          }
        }
        static override backward(ctx: any, gr: TG.Tensor): unknown {
          void ctx.savedTensors;
          switch (bwd) {
            case 0:
              return [gr.mul(2)];
            case 1:
              return gr.mul(2);
            case 2:
              return [];
            case 3:
              return [gr, gr];
            case 4:
              return [tg.zeros([9])];
            case 5:
              return ['x'];
            case 6:
              return [null];
            case 7:
              return [gr.to('int32')];
            default:
              return undefined;
          }
        }
      }
      const badBwd = bwd >= 2 && bwd !== 6 && bwd !== 8 && !(bwd === 4 && xt.shape.length === 1 && xt.shape[0] === 9);
      const badCtx = [1, 3, 4, 5].includes(ctxMode);
      return {
        desc: `class Bad extends Function { forward: a => a.mul(2); setupContext: ctx.${ctxDesc}; backward: g => ${bwdDesc} }; x = ${x.d}; Bad.apply(x).sum().backward()`,
        run: () => {
          (Bad as any).apply(xt).sum().backward();
          return xt.grad;
        },
        invalid: badBwd || badCtx,
        invalidWhy: badCtx ? `ctx.${ctxDesc}` : `backward returning ${bwdDesc}`,
      };
    },
  });

  // -- func --
  const fFns: [(...a: any[]) => any, string][] = [
    [(x: TG.Tensor) => x.square().sum(), 'x => x.square().sum()'],
    [(x: TG.Tensor, y: TG.Tensor) => x.mul(y).sum(), '(x, y) => x.mul(y).sum()'],
    [(x: TG.Tensor) => x.exp(), 'x => x.exp()'],
    [() => 5, '() => 5'],
    [
      () => {
        throw new Error('user: f threw');
      },
      "() => { throw new Error('user: f threw') }",
    ],
    [(x: TG.Tensor) => g0(x), 'x => x.detach().sum()'],
  ];
  function g0(x: TG.Tensor) {
    return x.detach().sum();
  }
  for (const op of ['grad', 'valueAndGrad', 'jacobian', 'hessian', 'vjp'])
    add({
      id: `func.${op}`,
      names: [op, `func.${op}`, 'mul', 'sum', 'square', 'exp', 'detach'],
      weight: 0.7,
      build: (g) => {
        const r = g.r;
        const fa: Arg = r.chance(0.9)
          ? (() => {
              const [f, d] = r.pick(fFns);
              return { v: f, d };
            })()
          : g.junkArg('fn');
        const shape = g.smallShape(2, 3);
        const xs: Arg[] = [g.tensor({ float: true, shape, plain: true })];
        if (r.chance(0.4)) xs.push(r.chance(0.8) ? g.tensor({ float: true, shape, plain: true }) : g.junkArg());
        if (op === 'vjp') {
          const call = fnCall(g, 'func.vjp', [fa, ...xs]);
          const vArg = r.chance(0.7) ? g.tensor({ float: true, shape, plain: true }) : g.junkArg();
          return {
            ...call,
            desc: `const [y, vjpFn] = ${call.desc}; vjpFn(${vArg.d})`,
            run: () => {
              const [, vjpFn] = call.run() as [TG.Tensor, (v: unknown) => TG.Tensor[]];
              return vjpFn(vArg.v);
            },
          };
        }
        const o = g.opt(0.6, () =>
          r.chance(0.7) ? { v: { argnums: r.pick<unknown>([0, 1, [0], [0, 1], -1, 2, 0.5]) }, d: '' } : g.junkArg(),
        );
        if (o !== OMIT && o.d === '') o.d = lit(o.v);
        const outer = fnCall(g, `func.${op}`, [fa, o]);
        const args = trim(xs);
        return {
          desc: `${outer.desc}(${args.map((a) => a.d).join(', ')})`,
          run: () => (outer.run() as (...a: unknown[]) => unknown)(...args.map((a) => a.v)),
          invalid: outer.invalid,
          invalidWhy: outer.invalidWhy,
        };
      },
    });

  add({
    id: 'func.jvp',
    names: ['jvp', 'func.jvp', 'mul', 'sum', 'square', 'exp', 'detach'],
    weight: 0.5,
    build: (g) => {
      const r = g.r;
      const fa: Arg = r.chance(0.9)
        ? (() => {
            const [f, d] = r.pick(fFns);
            return { v: f, d };
          })()
        : g.junkArg('fn');
      const shape = g.smallShape(2, 3);
      const primal = g.tensor({ float: true, shape, plain: true });
      const sameKind = (primal.v as TG.Tensor).dtype;
      const tangent = r.chance(0.8) ? g.tensor({ dtype: sameKind, shape, plain: true }) : g.tensorArg({}, 0.5);
      const primals: Arg = r.chance(0.9) ? { v: [primal.v], d: `[${primal.d}]` } : g.junkArg('obj');
      const tangents: Arg = r.chance(0.9) ? { v: [tangent.v], d: `[${tangent.d}]` } : g.junkArg('obj');
      return fnCall(g, 'func.jvp', [fa, primals, tangents]);
    },
  });
  add({
    id: 'autograd.toDot',
    names: ['toDot'],
    build: (g) => {
      const x = g.tensorArg({ float: true, plain: true }, 0.2);
      const graph = isT(g, x.v) && g.r.chance(0.6);
      return {
        desc: graph ? `tg.autograd.toDot(${x.d}.detach().requiresGrad_().exp().sum())` : `tg.autograd.toDot(${x.d})`,
        run: () =>
          g.tg.autograd.toDot(graph ? (x.v as TG.Tensor).detach().requiresGrad_().exp().sum() : (x.v as TG.Tensor)),
        ...invalidOf([x]),
      };
    },
  });
  for (const op of ['clipGradNorm_', 'clipGradValue_'])
    add({
      id: `nn.utils.${op}`,
      names: [op],
      build: (g) => {
        const r = g.r;
        const ps: TG.Tensor[] = [];
        const descs: string[] = [];
        for (let i = r.range(0, 3); i > 0; i--) {
          const t = g.tensor({ float: true, plain: true });
          const p = (t.v as TG.Tensor).detach().requiresGrad_();
          if (r.chance(0.8)) p.grad = (t.v as TG.Tensor).mul(2).detach();
          ps.push(p);
          descs.push(t.d);
        }
        const params: Arg = r.chance(0.9) ? { v: ps, d: `[${descs.join(', ')}] with grads` } : g.junkArg('obj');
        const limit: Arg = r.chance(0.8) ? { v: r.range(0, 4) / 2, d: '' } : g.junkArg('num');
        if (limit.d === '') limit.d = lit(limit.v);
        const rest: Arg[] = [];
        if (op === 'clipGradNorm_' && r.chance(0.5)) {
          const nt = r.pick<unknown>([1, 2, 3, Infinity]);
          rest.push(r.chance(0.8) ? { v: nt, d: lit(nt) } : g.junkArg('num', true)); // undefined: the default norm
        }
        return fnCall(g, `nn.utils.${op}`, [params, limit, ...rest]);
      },
    });
  for (const cls of ['ModuleList', 'ModuleDict'])
    add({
      id: `new nn.${cls}`,
      names: [cls, `${cls}.append`, `${cls}.set`, 'registerModule'],
      build: (g) => {
        const r = g.r;
        const modules = [new g.tg.nn.ReLU(), new g.tg.nn.Linear(2, 2)];
        const ok: Arg =
          cls === 'ModuleList'
            ? { v: modules, d: '[new tg.nn.ReLU(), new tg.nn.Linear(2, 2)]' }
            : { v: { act: modules[0], fc: modules[1] }, d: '{ act: new tg.nn.ReLU(), fc: new tg.nn.Linear(2, 2) }' };
        const arg: Arg = r.chance(0.7) ? ok : g.junkArg('obj', true); // undefined: no modules
        return newCall(g, `nn.${cls}`, [arg], {
          run: () => {
            const m = new (g.tg.nn as any)[cls](arg.v);
            return m.parameters();
          },
        });
      },
    });

  // -- nn.functional --
  const F = 'nn.functional.';
  for (const op of ['relu', 'sigmoid', 'tanh', 'silu', 'elu', 'leakyRelu', 'softplus', 'gelu'])
    add({
      id: F + op,
      names: [op, F + op],
      build: (g) => fnCall(g, F + op, [g.tensorArg(), g.opt(0.7, () => g.junkArg())]),
    });
  for (const op of ['softmax', 'logSoftmax'])
    add({
      id: F + op,
      names: [op, F + op],
      build: (g) => {
        const x = g.tensorArg();
        return fnCall(g, F + op, [x, g.dimArg(isT(g, x.v) ? x.v.ndim : 1)]);
      },
    });
  add({
    id: `${F}linear`,
    names: ['linear'],
    build: (g) => {
      const r = g.r;
      const dtype = r.pick(FLOAT_DTYPES);
      const inF = r.range(0, 4),
        outF = r.range(0, 4);
      const coherent = r.chance(0.6);
      const x = coherent ? g.tensor({ dtype, shape: [...g.smallShape(2, 3), inF] }) : g.tensorArg();
      const w = coherent ? g.tensor({ dtype, shape: [outF, inF] }) : g.tensorArg();
      let goodBias = true;
      const b = g.opt(0.3, () =>
        coherent && r.chance(0.7)
          ? g.tensor({ dtype, shape: [outF] })
          : r.chance(0.3)
            ? { v: null, d: 'null' }
            : ((goodBias = false), g.tensorArg()),
      );
      // A junk tensor argument can come out as null or undefined: for the bias that means "no bias", which is valid.
      if (b !== OMIT && (b.v === null || b.v === undefined)) {
        b.bad = false;
        goodBias = true;
      }
      return fnCall(g, `${F}linear`, [x, w, b], { finite: true, valid: coherent && goodBias && allValid([b]) });
    },
  });
  for (const op of ['mseLoss', 'l1Loss', 'binaryCrossEntropyWithLogits'])
    add({
      id: F + op,
      names: [op],
      build: (g) => {
        const x = g.tensorArg({ float: g.r.chance(0.8) });
        const t =
          isT(g, x.v) && g.r.chance(0.7)
            ? g.tensor({ shape: x.v.shape, dtype: g.r.chance(0.8) ? (x.v.dtype as DT) : undefined })
            : g.tensorArg();
        const o = g.opt(0.5, () =>
          g.r.chance(0.6)
            ? { v: { reduction: g.r.pick(['mean', 'sum', 'none']) }, d: '' }
            : g.r.chance(0.5)
              ? { v: { reduction: g.r.pick<unknown>(['avg', 1, null]) }, d: '', bad: true }
              : g.junkArg(),
        );
        if (o !== OMIT && o.d === '') o.d = lit(o.v);
        return fnCall(g, F + op, [x, t, o]);
      },
    });
  for (const op of ['crossEntropy', 'nllLoss'])
    add({
      id: F + op,
      names: [op],
      build: (g) => {
        const r = g.r;
        const N = r.range(0, 4),
          C = r.range(1, 5);
        const coherent = r.chance(0.7);
        const x = coherent ? g.tensor({ float: true, shape: r.chance(0.8) ? [N, C] : [C] }) : g.tensorArg();
        const xs = isT(g, x.v) ? x.v.shape : [N, C];
        const t = coherent
          ? r.chance(0.8)
            ? g.indexTensor(xs.length === 2 ? [N] : [], C)
            : g.tensor({ float: true, shape: xs })
          : g.tensorArg();
        const o = g.opt(0.5, () => {
          const k = r.float();
          if (k < 0.6) {
            const v: Record<string, unknown> = {};
            if (r.chance(0.4)) v.reduction = r.pick(['mean', 'sum', 'none']);
            if (r.chance(0.3)) v.ignoreIndex = r.pick([-100, 0, 1, 0.5, NaN]);
            if (op === 'crossEntropy' && r.chance(0.3)) v.labelSmoothing = r.pick([0, 0.1, 1, -0.1, 2, NaN]);
            if (r.chance(0.2))
              v.weight = (
                r.chance(0.7)
                  ? g.tensor({ dtype: isT(g, x.v) ? (x.v.dtype as DT) : 'float32', shape: [C] })
                  : g.tensorArg()
              ).v;
            return { v, d: lit(v) };
          }
          return g.junkArg();
        });
        return fnCall(g, F + op, [x, t, o]);
      },
    });
  add({
    id: `${F}dropout`,
    names: ['dropout'],
    build: (g) =>
      fnCall(
        g,
        `${F}dropout`,
        [
          g.tensorArg(),
          g.opt(0.3, () => (g.r.chance(0.7) ? { v: g.r.pick([0, 0.5, 1, 0.999]), d: '' } : g.junkArg())),
          g.opt(0.5, () => g.bool()),
        ].map((a) => (a.d === '' ? { ...a, d: lit(a.v) } : a)),
      ),
  });
  add({
    id: `${F}layerNorm`,
    names: ['layerNorm'],
    build: (g) => {
      const r = g.r;
      const x = g.tensorArg({ float: true });
      const xs = isT(g, x.v) ? x.v.shape : [2];
      const k = r.range(0, Math.min(2, xs.length));
      const ns = r.chance(0.8) ? { v: xs.slice(xs.length - k), d: lit(xs.slice(xs.length - k)) } : g.shapeArg();
      const wb = () =>
        r.chance(0.3)
          ? { v: null, d: 'null' }
          : r.chance(0.8) && Array.isArray(ns.v)
            ? g.tensor({ shape: ns.v as number[], dtype: isT(g, x.v) ? (x.v.dtype as DT) : undefined })
            : g.tensorArg();
      // weight and bias are optional keyword parameters: undefined and null mean none, and a plain object
      // there is an options object ({ bias, eps }).
      const keyword = () => {
        const a = wb();
        return a.v === undefined || a.v === null ? { ...a, bad: undefined } : keywordJunk(a);
      };
      return fnCall(g, `${F}layerNorm`, [
        x,
        ns,
        g.opt(0.3, keyword),
        g.opt(0.4, keyword),
        g.opt(0.5, () => g.num(0, 1)),
      ]);
    },
  });
  add({
    id: `${F}embedding`,
    names: ['embedding'],
    build: (g) => {
      const r = g.r;
      const n = r.range(0, 5);
      const w = r.chance(0.8) ? g.tensor({ float: true, shape: [n, r.range(0, 3)] }) : g.tensorArg();
      return fnCall(g, `${F}embedding`, [r.chance(0.8) ? g.indexTensor(g.smallShape(2, 3), n) : g.tensorArg(), w]);
    },
  });

  // -- nn.init --
  const I = 'nn.init.';
  for (const op of [
    'uniform_',
    'normal_',
    'constant_',
    'zeros_',
    'ones_',
    'kaimingUniform_',
    'kaimingNormal_',
    'xavierUniform_',
    'xavierNormal_',
    'calculateFanInAndFanOut',
  ])
    add({
      id: I + op,
      names: [op, I + op],
      build: (g) => {
        const r = g.r;
        const t = g.tensorArg({ plain: r.chance(0.5) });
        const extra: Arg[] = [];
        if (op === 'uniform_' || op === 'normal_')
          extra.push(
            g.opt(0.3, () => g.num()),
            g.opt(0.4, () => (r.chance(0.8) ? g.num(0, 3) : g.junkArg('num', true))),
          );
        if (op === 'constant_') extra.push(r.chance(0.8) ? g.num() : g.junkArg('num'));
        if (op.startsWith('kaiming'))
          extra.push(
            g.opt(0.4, () =>
              r.chance(0.7)
                ? {
                    v: {
                      mode: r.pick<unknown>(['fanIn', 'fanOut', 'fan_in']),
                      nonlinearity: r.pick<unknown>(['relu', 'leaky_relu', 'tanh', 'bogus', undefined]),
                      a: r.pick<unknown>([0, 0.1, undefined, 'x']),
                    },
                    d: '',
                  }
                : g.junkArg(),
            ),
          );
        if (op.startsWith('xavier'))
          extra.push(g.opt(0.4, () => (r.chance(0.8) ? g.num(0, 3) : g.junkArg('num', true))));
        for (const e of extra) if (e.d === '') e.d = lit(e.v);
        return fnCall(g, I + op, [t, ...extra], { finite: !g.facts.nonfinite && op !== 'calculateFanInAndFanOut' });
      },
    });
  add({
    id: `${I}calculateGain`,
    names: ['calculateGain', `${I}calculateGain`],
    build: (g) => {
      const nl = g.r.chance(0.8)
        ? { v: g.r.pick(['linear', 'conv1d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu', 'bogus']), d: '' }
        : g.junkArg();
      if (nl.d === '') nl.d = lit(nl.v);
      return fnCall(g, `${I}calculateGain`, [
        nl,
        g.opt(0.6, () => (g.r.chance(0.7) ? g.num() : g.junkArg(nl.v === 'leaky_relu' ? 'num' : 'any', true))),
      ]);
    },
  });

  // -- nn layers --
  const layerCtors: Record<string, (g: Gen) => Arg[]> = {
    Linear: (g) => [
      g.r.chance(0.8) ? g.sizeNum(4) : g.junkArg('int'),
      g.r.chance(0.8) ? g.sizeNum(4) : g.junkArg('int'),
      g.opt(0.5, () => linOpts(g)),
    ],
    Identity: (g) => [g.opt(0.8, () => g.junkArg())],
    ReLU: () => [],
    Tanh: () => [],
    Sigmoid: () => [],
    SiLU: () => [],
    GELU: (g) => [
      g.opt(0.5, () =>
        g.r.chance(0.6) ? { v: { approximate: g.r.pick<unknown>(['none', 'tanh', 'fast']) }, d: '' } : g.junkArg(),
      ),
    ],
    ELU: (g) => [g.opt(0.5, () => (g.r.chance(0.6) ? g.num() : keywordJunk(g.junkArg('num', true))))],
    LeakyReLU: (g) => [g.opt(0.5, () => (g.r.chance(0.6) ? g.num() : keywordJunk(g.junkArg('num', true))))],
    Softplus: (g) => [
      g.opt(0.5, () => (g.r.chance(0.6) ? g.num(0.5, 3) : keywordJunk(g.junkArg('num', true)))),
      g.opt(0.5, () => (g.r.chance(0.6) ? g.num(1, 30) : g.junkArg('num', true))),
    ],
    // Any integer dim is valid when the layer is built: the input's rank is known only in forward
    // (PyTorch's nn.Softmax(dim=100) constructs too), so an out-of-range dim is forward's error.
    Softmax: (g) => [g.r.chance(0.6) ? intDimOk(g.dimArg(2)) : g.junkArg('int')],
    LogSoftmax: (g) => [g.r.chance(0.6) ? intDimOk(g.dimArg(2)) : g.junkArg('int')],
    Dropout: (g) => [
      g.opt(0.4, () => (g.r.chance(0.6) ? { v: g.r.pick([0, 0.5, 1, 1.5, -0.1, NaN]), d: '' } : g.junkArg())),
    ],
    LayerNorm: (g) => [
      g.r.chance(0.7) ? (g.r.chance(0.5) ? g.sizeNum(4) : g.shapeArg()) : g.junkArg(),
      g.opt(0.5, () =>
        g.r.chance(0.6)
          ? {
              v: {
                eps: g.r.pick<unknown>([1e-5, 0, -1, NaN, '1']),
                elementwiseAffine: g.r.pick<unknown>([true, false, 1]),
                dtype: g.r.pick<unknown>(['float32', 'float64', 'int32', undefined]),
              },
              d: '',
            }
          : g.junkArg(),
      ),
    ],
    Embedding: (g) => [
      g.r.chance(0.8) ? g.sizeNum(5) : g.junkArg('int'),
      g.r.chance(0.8) ? g.sizeNum(4) : g.junkArg('int'),
      g.opt(0.6, () =>
        g.r.chance(0.6) ? { v: { dtype: g.r.pick<unknown>(['float32', 'float64', 'int32']) }, d: '' } : g.junkArg(),
      ),
    ],
    Sequential: (g) =>
      Array.from({ length: g.r.range(0, 3) }, () =>
        g.r.chance(0.8) ? { v: new (g.tg.nn as any).ReLU(), d: 'new tg.nn.ReLU()' } : { ...g.junkArg(), bad: true },
      ),
  };
  function intDimOk(a: Arg): Arg {
    return typeof a.v === 'number' && Number.isInteger(a.v) ? { ...a, bad: undefined } : a;
  }
  function linOpts(g: Gen): Arg {
    const v = g.r.chance(0.7)
      ? {
          bias: g.r.pick<unknown>([true, false, 1, 'no']),
          dtype: g.r.pick<unknown>(['float32', 'float64', undefined, 'int32']),
        }
      : g.junkArg().v;
    return { v, d: lit(v) };
  }
  const fix = (args: Arg[]) => args.map((a) => (a.d === '' ? { ...a, d: lit(a.v) } : a));
  /** Whether a constructor argument is certainly invalid beyond what the generators marked. */
  const ctorBad = (name: string, args: Arg[]): boolean => {
    const v = args.map((a) => a.v);
    const numOk = (x: unknown) => x === undefined || (typeof x === 'number' && Number.isFinite(x));
    // A plain object stands for PyTorch's keyword arguments (new ELU({ alpha: 0.5 })): valid when
    // it names only known options with valid values ({} and Object.create(null) give the defaults).
    const kwOk = (x: unknown, ok: Record<string, (y: unknown) => boolean>) =>
      isPlainObject(x) && Object.keys(x).every((k) => k in ok && ok[k](x[k]));
    const pOk = (x: unknown) => x === undefined || (typeof x === 'number' && x >= 0 && x <= 1);
    switch (name) {
      case 'ELU':
        return !(numOk(v[0]) || kwOk(v[0], { alpha: numOk }));
      case 'LeakyReLU':
        return !(numOk(v[0]) || kwOk(v[0], { negativeSlope: numOk }));
      case 'Softplus':
        if (isPlainObject(v[0])) return !(v[1] === undefined && kwOk(v[0], { beta: numOk, threshold: numOk }));
        return !numOk(v[0]) || !numOk(v[1]);
      case 'Softmax':
      case 'LogSoftmax':
        return !(typeof v[0] === 'number' && Number.isInteger(v[0]));
      case 'Dropout':
        return !(pOk(v[0]) || kwOk(v[0], { p: pOk }));
      case 'GELU':
        return !(
          v[0] === undefined ||
          (typeof v[0] === 'object' && v[0] !== null && ['none', 'tanh', undefined].includes((v[0] as any).approximate))
        );
      case 'Embedding':
        return !(
          v[2] === undefined ||
          (typeof v[2] === 'object' && v[2] !== null && ['float32', 'float64', undefined].includes((v[2] as any).dtype))
        );
      case 'Linear': {
        const o = v[2] as any;
        return !(
          o === undefined ||
          (typeof o === 'object' &&
            o !== null &&
            [true, false, undefined].includes(o.bias) &&
            ['float32', 'float64', undefined].includes(o.dtype))
        );
      }
      case 'LayerNorm': {
        const o = v[1] as any;
        return !(
          o === undefined ||
          (typeof o === 'object' &&
            o !== null &&
            (o.eps === undefined || (typeof o.eps === 'number' && o.eps >= 0)) &&
            [true, false, undefined].includes(o.elementwiseAffine) &&
            ['float32', 'float64', undefined].includes(o.dtype))
        );
      }
      default:
        return false;
    }
  };
  for (const [name, gen] of Object.entries(layerCtors)) {
    add({
      id: `new nn.${name}`,
      names: [name],
      build: (g) => {
        const args = fix(gen(g));
        const call = newCall(g, `nn.${name}`, args);
        const bad = call.invalid || (name !== 'Identity' && ctorBad(name, trim(args)));
        return {
          ...call,
          invalid: bad,
          invalidWhy:
            call.invalidWhy ??
            `constructor arguments (${trim(args)
              .map((a) => a.d)
              .join(', ')})`,
        };
      },
    });
    add({
      id: `nn.${name}#forward`,
      names: [
        name,
        name.charAt(0).toLowerCase() + name.slice(1),
        'forward',
        'call',
        'linear',
        'layerNorm',
        'embedding',
        'dropout',
        'softmax',
        'logSoftmax',
        'relu',
        'tanh',
        'sigmoid',
        'silu',
        'elu',
        'leakyRelu',
        'softplus',
        'gelu',
      ],
      build: (g) => {
        const r = g.r;
        // A valid module (retrying constructor arguments), then forward on a tensor that fits or not.
        let m: any = null,
          md = '';
        for (let tries = 0; tries < 8 && m === null; tries++) {
          const args = fix(gen(g));
          if (args.some((a) => a.bad) || ctorBad(name, trim(args))) continue;
          try {
            m = new (resolve(g.tg, `nn.${name}`))(...trim(args).map((a) => a.v));
            md = `new tg.nn.${name}(${trim(args)
              .map((a) => a.d)
              .join(', ')})`;
          } catch {
            m = null;
          }
        }
        if (m === null) {
          m = new (g.tg.nn as any).Identity();
          md = 'new tg.nn.Identity()';
        }
        let x: Arg;
        const C = resolve(g.tg, `nn.${name}`);
        const fits =
          m instanceof C &&
          (name !== 'Linear' || m.inFeatures <= 1000) &&
          (name !== 'LayerNorm' || m.normalizedShape.reduce((a: number, b: number) => a * b, 1) <= 1000);
        if (!fits) x = g.tensorArg();
        else if (name === 'Linear' && r.chance(0.7))
          x = g.tensor({ dtype: m.weight.dtype, shape: [...g.smallShape(2, 3), m.inFeatures] });
        else if (name === 'LayerNorm' && r.chance(0.7))
          x = g.tensor({ dtype: m.weight?.dtype ?? 'float32', shape: [...g.smallShape(1, 3), ...m.normalizedShape] });
        else if (name === 'Embedding' && r.chance(0.7)) x = g.indexTensor(g.smallShape(2, 3), m.numEmbeddings);
        else x = g.tensorArg();
        const viaCall = r.chance(0.3);
        if (r.chance(0.2)) m.eval();
        return {
          desc: `${md}.${viaCall ? 'call' : 'forward'}(${x.d})`,
          run: () => (viaCall ? m.call(x.v) : m.forward(x.v)),
          finite: !['Softplus', 'ELU', 'LeakyReLU', 'LayerNorm', 'Dropout'].includes(name),
        };
      },
    });
  }
  add({
    id: 'nn.Module#methods',
    names: [
      'registerParameter',
      'registerBuffer',
      'registerModule',
      'train',
      'eval',
      'requiresGrad_',
      'zeroGrad',
      'apply',
      'stateDict',
      'loadStateDict',
      'namedParameters',
      'parameters',
      'namedBuffers',
      'children',
      'modules',
      'namedChildren',
      'namedModules',
      'toString',
      'call',
      'Sequential.at',
      'Sequential.append',
      'at',
      'append',
    ],
    weight: 2,
    build: (g) => {
      const r = g.r;
      const tg: any = g.tg;
      const makers: [() => any, string][] = [
        [() => new tg.nn.Linear(3, 2), 'new tg.nn.Linear(3, 2)'],
        [
          () => new tg.nn.Sequential(new tg.nn.Linear(2, 2), new tg.nn.ReLU(), new tg.nn.LayerNorm(2)),
          'new tg.nn.Sequential(new tg.nn.Linear(2, 2), new tg.nn.ReLU(), new tg.nn.LayerNorm(2))',
        ],
        [() => new tg.nn.Embedding(4, 2), 'new tg.nn.Embedding(4, 2)'],
        [() => new tg.nn.Identity(), 'new tg.nn.Identity()'],
      ];
      const [mk, md] = r.pick(makers);
      const m = mk();
      const method = r.pick([
        'registerParameter',
        'registerBuffer',
        'registerModule',
        'train',
        'eval',
        'requiresGrad_',
        'zeroGrad',
        'apply',
        'stateDict',
        'loadStateDict',
        'namedParameters',
        'parameters',
        'namedBuffers',
        'children',
        'modules',
        'toString',
        'at',
        'append',
      ]);
      const name = () =>
        r.chance(0.6)
          ? { v: r.pick(['w', 'extra', 'weight', 'a.b', '', 'forward', '__proto__', 'constructor']), d: '' }
          : g.junkArg();
      let args: Arg[] = [];
      switch (method) {
        case 'registerParameter':
          args = [name(), r.chance(0.6) ? g.tensor({ plain: r.chance(0.5) }) : g.junkArg()];
          break;
        case 'registerBuffer':
          args = [name(), r.chance(0.6) ? g.tensor() : g.junkArg()];
          break;
        case 'registerModule':
          args = [name(), r.chance(0.6) ? { v: new tg.nn.ReLU(), d: 'new tg.nn.ReLU()' } : g.junkArg()];
          break;
        case 'train':
        case 'requiresGrad_':
          args = [g.opt(0.4, () => g.bool(0.4))];
          break;
        case 'apply':
          args = [r.chance(0.5) ? { v: (mm: any) => mm.eval(), d: 'm => m.eval()' } : g.junkArg('fn')];
          break;
        case 'loadStateDict': {
          const sd = m.stateDict();
          const k = r.int(5);
          let dict: Arg;
          if (k === 0) dict = { v: sd, d: 'm.stateDict()' };
          else if (k === 1) {
            const key = Object.keys(sd)[0];
            dict =
              key === undefined
                ? { v: {}, d: '{}' }
                : {
                    v: { ...sd, [key]: g.tg.zeros([7]) },
                    d: `{ ...m.stateDict(), ${JSON.stringify(key)}: tg.zeros([7]) }`,
                    bad: true,
                  };
          } else if (k === 2)
            dict = { v: { ...sd, bogus: g.tg.zeros([1]) }, d: '{ ...m.stateDict(), bogus: tg.zeros([1]) }' };
          else if (k === 3) {
            const key = Object.keys(sd)[0];
            dict =
              key === undefined
                ? { v: {}, d: '{}' }
                : { v: { ...sd, [key]: 'x' }, d: `{ ...m.stateDict(), ${JSON.stringify(key)}: "x" }`, bad: true };
          } else dict = g.junkArg();
          const strict = g.opt(0.5, () =>
            r.chance(0.6)
              ? { v: { strict: r.chance(0.5) }, d: '' }
              : r.chance(0.5)
                ? { v: { strict: r.pick<unknown>([1, 'no']) }, d: '', bad: true }
                : g.junkArg(),
          );
          if (k === 2 && !(strict !== OMIT && (strict.v as any)?.strict === false)) dict.bad = true;
          args = [dict, strict];
          break;
        }
        case 'at':
          args = [r.chance(0.7) ? { v: r.range(-4, 4), d: '' } : g.junkArg('int')];
          break;
        case 'append':
          args = [r.chance(0.5) ? { v: new tg.nn.ReLU(), d: 'new tg.nn.ReLU()' } : { ...g.junkArg(), bad: true }];
          break;
      }
      args = fix(args);
      const call = methodCall(g, { v: m, d: md }, method, args);
      if (method === 'at' || method === 'append') {
        if (!(m instanceof tg.nn.Sequential)) return methodCall(g, { v: m, d: md }, 'toString', []);
        return { ...call, invalid: false };
      }
      return {
        ...call,
        run: () => {
          const res = call.run();
          return typeof res === 'object' && res !== null && Symbol.iterator in res && !Array.isArray(res)
            ? [...(res as Iterable<unknown>)]
            : res;
        },
      };
    },
  });

  // -- optim --
  for (const opt of ['SGD', 'Adam', 'AdamW'])
    add({
      id: `optim.${opt}`,
      names: [
        opt,
        'grad',
        `${opt}.step`,
        `${opt}.loadStateDict`,
        `${opt}.addParamGroup`,
        `${opt}.zeroGrad`,
        'zeroGrad',
        'step',
        'loadStateDict',
        'addParamGroup',
        'optimizer',
      ],
      weight: 3,
      build: (g) => buildOptimizerCall(g, opt),
    });
  for (const sch of ['StepLR', 'CosineAnnealingLR'])
    add({
      id: `optim.${sch}`,
      names: [sch, `${sch}.step`, `${sch}.loadStateDict`, 'step', 'loadStateDict'],
      weight: 1.5,
      build: (g) => buildSchedulerCall(g, sch),
    });

  // -- safetensors --
  add({
    id: 'safetensors.serialize',
    names: ['safetensors.serialize', 'serialize'],
    weight: 2,
    build: (g) => {
      const r = g.r;
      const k = r.float();
      let dict: Arg;
      const entries: [string, Arg][] = [];
      const n = r.range(0, 4);
      for (let i = 0; i < n; i++)
        entries.push([
          r.pick(['a', 'b', 'w.0', '', '0', '__proto__', 'ü', 'x'.repeat(r.range(1, 20)), `t${i}`]),
          g.tensor({ plain: r.chance(0.7) }),
        ]);
      if (k < 0.65) {
        const o: Record<string, unknown> = {};
        for (const [name, a] of entries)
          Object.defineProperty(o, name, { value: a.v, enumerable: true, writable: true, configurable: true });
        dict = { v: o, d: `{ ${entries.map(([nm, a]) => `${JSON.stringify(nm)}: ${a.d}`).join(', ')} }` };
      } else if (k < 0.75) {
        // A Map of name → tensor is accepted since 232c184 (it was written as an empty file); the
        // round-trip check below is what judges it now.
        dict = {
          v: new Map(entries.map(([nm, a]) => [nm, a.v])),
          d: `new Map([${entries.map(([nm, a]) => `[${JSON.stringify(nm)}, ${a.d}]`).join(', ')}])`,
        };
      } else if (k < 0.85) dict = { v: { a: g.tg.zeros([2]), b: 'x' }, d: '{ a: tg.zeros([2]), b: "x" }', bad: true };
      else dict = g.junkArg();
      const meta = g.opt(0.6, () =>
        r.chance(0.6)
          ? { v: { format: 'pt', k: r.pick(['v', '', '\u0000']) }, d: '' }
          : r.chance(0.5)
            ? { v: { n: 1 }, d: '{ n: 1 }', bad: true }
            : g.junkArg(),
      );
      if (meta !== OMIT && meta.d === '') meta.d = lit(meta.v);
      const call = fnCall(g, 'safetensors.serialize', [dict, meta]);
      return {
        ...call,
        check: (res) => {
          if (!(res instanceof Uint8Array)) return `returned ${Object.prototype.toString.call(res)}, not a Uint8Array`;
          const back = g.tg.safetensors.deserialize(res);
          const src = dict.v instanceof Map ? Object.fromEntries(dict.v) : (dict.v as Record<string, TG.Tensor>);
          for (const name of Object.keys(src)) {
            const a = src[name],
              b = Object.hasOwn(back, name) ? back[name] : undefined;
            if (!(a instanceof g.tg.Tensor)) continue;
            if (!b)
              return `tensor ${JSON.stringify(name)} missing after the round trip (got keys ${JSON.stringify(Object.keys(back))})`;
            if (b.dtype !== a.dtype || lit(b.shape) !== lit(a.shape))
              return `tensor ${JSON.stringify(name)} came back as ${b.dtype}${lit(b.shape)}, was ${a.dtype}${lit(a.shape)}`;
            for (let i = 0; i < a.data.length; i++)
              if (!Object.is(a.data[i], b.data[i]) && !(Number.isNaN(a.data[i]) && Number.isNaN(b.data[i])))
                return `tensor ${JSON.stringify(name)} element ${i}: ${b.data[i]} vs ${a.data[i]}`;
          }
          if (dict.v instanceof Map && dict.v.size > 0 && Object.keys(back).length === 0)
            return `a Map of ${dict.v.size} tensor(s) was written as an empty file`;
          return null;
        },
      };
    },
  });
  for (const op of ['deserialize', 'readHeader'])
    add({
      id: `safetensors.${op}`,
      names: [`safetensors.${op}`, op],
      weight: 2,
      build: (g) => {
        const r = g.r;
        const base = g.tg.safetensors.serialize(
          {
            a: g.tg.tensor([1, 2, 3]),
            b: g.tg.tensor([[1, 0]], { dtype: 'int32' }),
            c: g.tg.zeros([0, 2], { dtype: 'float64' }),
          },
          { m: 'x' },
        );
        const k = r.float();
        let bytes: Arg;
        if (k < 0.2) bytes = { v: base, d: 'serialize({ a, b, c }, { m })' };
        else if (k < 0.6) {
          const b = base.slice();
          const edits: string[] = [];
          const nEdits = r.range(1, 4);
          for (let i = 0; i < nEdits; i++) {
            const pos = r.chance(0.3) ? r.int(8) : r.int(b.length);
            const val = r.pick([0, 255, 0x7b, 0x22, 0x5d, 0x30, r.int(256)]);
            b[pos] = val;
            edits.push(`b[${pos}] = ${val}`);
          }
          let v: Uint8Array = b;
          if (r.chance(0.3)) {
            const cut = r.int(b.length);
            v = b.subarray(0, cut);
            edits.push(`truncate to ${cut}`);
          }
          bytes = { v, d: `(b = serialize({ a, b, c }, { m }); ${edits.join('; ')})`, odd: true };
        } else if (k < 0.8) {
          const hdr = r.pick([
            '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
            '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}',
            '{"a":{"dtype":"F32","shape":[1e300],"data_offsets":[0,8]}}',
            '{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}',
            '{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,0]}}',
            '{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}',
            '{"__metadata__":{"x":1}}',
            '{"__proto__":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}',
            '[]',
            'null',
            '{',
            '{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}',
            '{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}',
            '{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,10]}}',
            '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
          ]);
          const json = new TextEncoder().encode(hdr);
          const pad = r.range(0, 16);
          const out = new Uint8Array(8 + json.length + pad);
          new DataView(out.buffer).setBigUint64(
            0,
            BigInt(r.chance(0.9) ? json.length : r.pick([0, 2 ** 40, 2 ** 53, 7])),
            true,
          );
          out.set(json, 8);
          bytes = { v: out, d: `bytes(header ${JSON.stringify(hdr)}, ${pad} data bytes)`, odd: true };
        } else if (k < 0.9) {
          const n = r.range(0, 40);
          const v = new Uint8Array(n);
          for (let i = 0; i < n; i++) v[i] = r.int(256);
          bytes = { v, d: `new Uint8Array(${lit(Array.from(v))})`, bad: true };
        } else bytes = g.junkArg();
        return fnCall(g, `safetensors.${op}`, [bytes]);
      },
    });
  add({
    id: 'safetensors.files',
    path: 'safetensors.saveFile',
    names: [
      'safetensors.saveFile',
      'safetensors.loadFile',
      'safetensors.loadHeader',
      'saveFile',
      'loadFile',
      'loadHeader',
    ],
    weight: 0.3,
    build: (g) => {
      const r = g.r;
      // Paths only inside os.tmpdir(), or non-strings that the fs layer must never see as fds 0-2.
      const dir = tmpDir();
      const pathArg: Arg = r.chance(0.7)
        ? { v: `${dir}/fuzz-${r.u32().toString(16)}.safetensors`, d: '"<tmpdir>/fuzz-N.safetensors"' }
        : r.pick<Arg>([
            { v: dir, d: '"<tmpdir>" (a directory)', bad: true },
            { v: `${dir}/no/such/dir/x.st`, d: '"<tmpdir>/no/such/dir/x.st"', bad: true },
            { v: null, d: 'null', bad: true },
            { v: undefined, d: 'undefined', bad: true },
            { v: {}, d: '{}', bad: true },
            { v: 1.5, d: '1.5', bad: true },
            { v: -1, d: '-1', bad: true },
            { v: 1e9, d: '1e9', bad: true },
            { v: Symbol('p'), d: "Symbol('p')", bad: true },
            { v: 5n, d: '5n', bad: true },
          ]);
      const x = g.tensor({ plain: true });
      const which = r.int(3);
      return {
        desc: `tg.safetensors.saveFile({ x: ${x.d} }, ${pathArg.d}); ${['loadFile', 'loadHeader', 'loadFile'][which]}(${pathArg.d})`,
        run: () => {
          const p = pathArg.v as string;
          try {
            g.tg.safetensors.saveFile({ x: x.v as TG.Tensor }, p);
            return which === 1 ? g.tg.safetensors.loadHeader(p) : g.tg.safetensors.loadFile(p);
          } finally {
            if (typeof p === 'string' && p.endsWith('.safetensors')) rmQuiet(p);
          }
        },
        invalid: !!pathArg.bad,
        invalidWhy: `path ${pathArg.d}`,
      };
    },
  });
  return specs;
}

/** Node's fs and os, loaded lazily so the module itself has no imports. */
let fsMod: any = null;
function nodeFs(): any {
  if (fsMod === null) fsMod = (globalThis as any).process?.getBuiltinModule?.('node:fs') ?? null;
  return fsMod;
}
let tmp: string | null = null;
/** Set by the harness (os.tmpdir() based); the file calls write only there. */
export function setTmpDir(dir: string, fs: unknown): void {
  tmp = dir;
  fsMod = fs;
}
function tmpDir(): string {
  if (tmp === null) throw new Error('fuzz: setTmpDir() was not called');
  return tmp;
}
function rmQuiet(p: string): void {
  try {
    nodeFs()?.rmSync(p, { force: true });
  } catch {
    // ignore
  }
}

/** reshape/expand take -1 entries: a shape argument with a single -1 is not certainly invalid there. */
function minusOneOk(a: Arg): Arg {
  return Array.isArray(a.v) && a.v.filter((d) => d === -1).length === 1 ? { ...a, bad: undefined, odd: true } : a;
}

function compatible(g: Gen, a: unknown, b: unknown): boolean {
  if (!isT(g, a)) return false;
  if (typeof b === 'number') return true;
  if (!isT(g, b)) return false;
  const n = Math.max(a.ndim, b.ndim);
  for (let i = 0; i < n; i++) {
    const da = a.shape[a.ndim - n + i] ?? 1,
      db = b.shape[b.ndim - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return false;
  }
  return true;
}

function buildOptimizerCall(g: Gen, opt: string): Call {
  const r = g.r;
  const tg: any = g.tg;
  const dtype = r.pick(FLOAT_DTYPES);
  const ps: Arg[] = Array.from({ length: r.range(1, 3) }, () =>
    g.tensor({ dtype, shape: g.smallShape(2, 4), plain: true, grad: true }),
  );
  let params: Arg;
  const pk = r.float();
  if (pk < 0.6) params = { v: ps.map((p) => p.v), d: `[${ps.map((p) => p.d).join(', ')}]` };
  else if (pk < 0.7)
    params = {
      v: [{ params: ps.map((p) => p.v), lr: r.pick<unknown>([0.1, -1, 'x', NaN]) }],
      d: `[{ params: [...], lr }]`,
      odd: true,
    };
  else if (pk < 0.75) params = { v: [ps[0].v, ps[0].v], d: `[p, p]`, bad: true };
  else if (pk < 0.8) params = { v: [], d: '[]', bad: true };
  else if (pk < 0.85) params = { v: [g.tensor({ dtype: 'int32' }).v], d: '[<int32 tensor>]', bad: true };
  else if (pk < 0.9) params = { v: [(ps[0].v as TG.Tensor).mul(1)], d: '[p.mul(1)]', bad: true };
  else params = g.junkArg();
  const ok: Record<string, unknown> = {};
  const bad: [string, unknown][] = [];
  const set = (k: string, good: unknown[], junk: unknown[]) => {
    if (r.chance(0.5)) return;
    if (r.chance(0.8)) ok[k] = r.pick(good);
    else {
      const v = r.pick(junk);
      ok[k] = v;
      bad.push([k, v]);
    }
  };
  if (opt === 'SGD') {
    if (r.chance(0.9)) ok.lr = r.chance(0.9) ? r.pick([0.1, 0.01, 1]) : (bad.push(['lr', -1]), -1);
    set('momentum', [0, 0.9], [-0.1, NaN, '0.9']);
    set('dampening', [0, 0.1], [-1, NaN]);
    set('nesterov', [false], [1, 'yes']);
    set('weightDecay', [0, 0.01], [-1, NaN]);
    set('maximize', [true, false], [1, 'no']);
    if (ok.lr === undefined) bad.push(['lr', undefined]);
  } else {
    set('lr', [1e-3, 0.1], [-1, NaN, 'x']);
    set(
      'betas',
      [
        [0.9, 0.999],
        [0, 0.5],
      ],
      [[1, 0.9], [0.9], [NaN, 0.9], 'b', [0.9, -0.1]],
    );
    set('eps', [1e-8, 0], [-1, NaN]);
    set('weightDecay', [0, 0.01], [-1, NaN]);
    set('amsgrad', [true, false], [1, 'yes']);
    set('maximize', [true, false], [0, 'no']);
  }
  const options: Arg = r.chance(0.9)
    ? { v: ok, d: lit(ok), bad: bad.length > 0 || undefined }
    : g.junkArg('obj', opt !== 'SGD');
  const ctorBad = !!params.bad || (!!options.bad && !(opt !== 'SGD' && options.v === undefined));
  const action = r.int(6);
  const actionDesc = [
    'step()',
    'step(closure)',
    'zeroGrad(x)',
    'loadStateDict(stateDict with edits)',
    'addParamGroup(x)',
    'step() with a wrong-shape grad',
  ][action];
  let actionBad = false;
  let edit = -1;
  return {
    desc: `opt = new tg.optim.${opt}(${params.d}, ${options.d}); give grads; opt.${actionDesc} ×2`,
    run: () => {
      const o = new tg.optim[opt](params.v, options.v);
      const plist: TG.Tensor[] = o.paramGroups.flatMap((pg: any) => pg.params);
      for (const p of plist) p.grad = tg.randn(p.shape, { dtype: p.dtype });
      switch (action) {
        case 0:
          o.step();
          o.step();
          break;
        case 1: {
          const c = r.pick<unknown>([() => tg.tensor(1), () => 3, 5, 'x', null]);
          actionBad = typeof c !== 'function' && c !== undefined && c !== null;
          o.step(c);
          break;
        }
        case 2: {
          const z = r.pick<unknown>([true, false, undefined, 1, 'x']);
          actionBad = !(z === true || z === false || z === undefined);
          o.zeroGrad(z);
          break;
        }
        case 3: {
          o.step();
          const sd = o.stateDict();
          const e = (edit = r.int(6));
          if (e === 1) sd.paramGroups[0].params = sd.paramGroups[0].params.map((i: number) => i + 100);
          if (e === 2) sd.paramGroups[0].params = sd.paramGroups[0].params.map(() => 0);
          if (e === 3) sd.paramGroups[0].lr = NaN;
          if (e === 4) sd.state = { 0: { momentumBuffer: tg.zeros([9]), expAvg: tg.zeros([9]), step: 1 } };
          if (e === 5) sd.paramGroups[0].params = sd.paramGroups[0].params.map((i: number) => i + 0.5);
          actionBad = e !== 0 && !(e === 2 && sd.paramGroups[0].params.length === 1);
          o.loadStateDict(sd);
          o.step();
          break;
        }
        case 4: {
          const extra = tg.zeros([2], { dtype, requiresGrad: true });
          const grp = r.pick<unknown>([
            { params: [extra] },
            { params: [extra], lr: -1 },
            { params: plist },
            extra,
            null,
            { lr: 1 },
          ]);
          actionBad = !(
            typeof grp === 'object' &&
            grp !== null &&
            'params' in grp &&
            (grp as any).params[0] === extra &&
            (grp as any).lr === undefined
          );
          o.addParamGroup(grp);
          break;
        }
        case 5: {
          for (const p of plist) p.grad = tg.ones([p.size + 1], { dtype: p.dtype });
          actionBad = true;
          o.step();
          break;
        }
      }
      for (const p of plist)
        if (!g.facts.nonfinite && options.v && typeof options.v === 'object' && !bad.length)
          for (let i = 0; i < p.data.length; i++)
            if (!Number.isFinite(p.data[i]))
              throw new FuzzCheck(
                `a parameter holds ${p.data[i]} after a step with finite gradients and valid options`,
              );
      return plist;
    },
    get invalid() {
      return ctorBad || actionBad;
    },
    get invalidWhy() {
      return ctorBad
        ? `constructor arguments (${params.d}, ${options.d})`
        : `opt.${actionDesc}${edit >= 0 ? ` (edit ${['none', 'param indices + 100', 'param indices all 0', 'lr NaN', 'state of shape [9] for param 0', 'param indices + 0.5'][edit]})` : ''}`;
    },
  } as Call;
}

function buildSchedulerCall(g: Gen, sch: string): Call {
  const r = g.r;
  const tg: any = g.tg;
  const p = tg.zeros([2], { requiresGrad: true });
  const optimizerArg: Arg = r.chance(0.9)
    ? { v: new tg.optim.SGD([p], { lr: r.pick([0.1, 1, 0]) }), d: 'new tg.optim.SGD([p], { lr })' }
    : { ...g.junkArg(), bad: true };
  const o: Record<string, unknown> = {};
  let bad = false;
  if (sch === 'StepLR') {
    o.stepSize = r.chance(0.8) ? r.range(1, 3) : ((bad = true), r.pick<unknown>([0, -1, 1.5, NaN, Infinity, 'x']));
    if (r.chance(0.5)) {
      const v = r.chance(0.8)
        ? r.pick([0.1, 0.5, 1])
        : ((bad = true), r.pick<unknown>([NaN, 'x', Infinity, -Infinity]));
      o.gamma = v;
    }
  } else {
    o.tMax = r.chance(0.8) ? r.range(1, 5) : ((bad = true), r.pick<unknown>([0, -1, 1.5, NaN, Infinity, 'x']));
    if (r.chance(0.5))
      o.etaMin = r.chance(0.8) ? r.pick([0, 1e-3]) : ((bad = true), r.pick<unknown>([NaN, 'x', Infinity, -Infinity]));
  }
  const optsArg: Arg = r.chance(0.9) ? { v: o, d: lit(o), bad: bad || undefined } : g.junkArg('obj');
  const steps = r.range(0, 4);
  const load = r.int(4);
  const loadArg: [unknown, string, boolean] = [
    [null, '', false],
    [{ lastEpoch: 3, baseLrs: [0.5] }, '{ lastEpoch: 3, baseLrs: [0.5] }', false],
    [{ lastEpoch: NaN, baseLrs: [NaN] }, '{ lastEpoch: NaN, baseLrs: [NaN] }', true],
    [{ lastEpoch: 1.5, baseLrs: ['x'] }, '{ lastEpoch: 1.5, baseLrs: ["x"] }', true],
  ][load] as [unknown, string, boolean];
  return {
    desc: `s = new tg.optim.${sch}(${optimizerArg.d}, ${optsArg.d}); s.step() ×${steps}${load ? `; s.loadStateDict(${loadArg[1]})` : ''}; s.getLastLr()`,
    run: () => {
      const s = new tg.optim[sch](optimizerArg.v, optsArg.v);
      for (let i = 0; i < steps; i++) s.step();
      if (load) s.loadStateDict(loadArg[0]);
      const lrs = s.getLastLr();
      if (!Array.isArray(lrs) || lrs.some((v: unknown) => typeof v !== 'number' || !Number.isFinite(v)))
        throw new FuzzCheck(`getLastLr() returned ${lit(lrs)}`);
      return lrs;
    },
    invalid: !!optimizerArg.bad || !!optsArg.bad || loadArg[2],
    invalidWhy: optimizerArg.bad
      ? `optimizer ${optimizerArg.d}`
      : optsArg.bad
        ? `options ${optsArg.d}`
        : `loadStateDict(${loadArg[1]})`,
  };
}

/** Problems with what tg.memory() returned (null when it has the documented shape). */
function memoryInfoProblem(m: unknown): string | null {
  const o = m as Record<string, any>;
  if (typeof o !== 'object' || o === null) return `tg.memory() returned ${lit(m)}`;
  for (const k of ['graphBytes', 'fromPool', 'fresh', 'recycled'])
    if (typeof o[k] !== 'number' || !(o[k] >= 0)) return `tg.memory().${k} is ${lit(o[k])}`;
  for (const k of ['cached', 'inUse', 'cap'])
    if (typeof o.pool?.[k] !== 'number' || !(o.pool[k] >= 0)) return `tg.memory().pool.${k} is ${lit(o.pool?.[k])}`;
  if (o.liveBytes !== null && !(o.liveBytes >= 0)) return `tg.memory().liveBytes is ${lit(o.liveBytes)}`;
  return null;
}

/** A failed semantic check inside a call's run() (not a library error). */
export class FuzzCheck extends Error {}

// ---- running and checking -----------------------------------------------------------------------

export type Outcome = 'ok' | 'threw' | 'skipped';

export interface Finding {
  seed: number;
  index: number;
  spec: string;
  desc: string;
  /** crash | hang | bad-error-class | bad-error-prefix | vague-message | malformed | nonfinite | accepted-invalid | rejected-valid | check | grad-mode */
  kind: string;
  detail: string;
  /** The KNOWN_OPEN entry that covers it, if any. */
  known?: string;
}

/** What a call did, before judging. */
export interface Result {
  spec: Spec;
  call: Call;
  facts: CallFacts;
  outcome: Outcome;
  value?: unknown;
  error?: unknown;
}

/** Picks the spec for call `index` (weighted) and builds it. Never throws for a well-formed table. */
export function buildCall(
  tg: TGModule,
  table: Spec[],
  seed: number,
  index: number,
  opts: GenOptions,
): { spec: Spec; call: Call; gen: Gen } {
  const r = callRng(seed, index);
  const total = table.reduce((a, s) => a + (s.weight ?? 1), 0);
  let x = r.float() * total;
  let spec = table[table.length - 1];
  for (const s of table) {
    x -= s.weight ?? 1;
    if (x < 0) {
      spec = s;
      break;
    }
  }
  tg.manualSeed(seed * 1000003 + index);
  const gen = new Gen(tg, r, opts);
  const call = spec.build(gen);
  return { spec, call, gen };
}

const TENSOR_KINDS: Record<string, unknown> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

/** Problems with a returned value (recursively for arrays and { values, indices }). */
export function wellFormed(
  tg: TGModule,
  v: unknown,
  path = 'result',
  depth = 0,
  passthrough?: ReadonlySet<unknown>,
): string | null {
  if (depth > 3) return null;
  if (v instanceof tg.Tensor) {
    // The caller's own storage, which the fuzzer transferred away, handed back by a method that
    // only touches metadata (x.requiresGrad_() returns x, x.detach() shares x.data): its empty data
    // is the caller's doing, not a malformed result. Ops that read the data must refuse it.
    if (passthrough?.has(v.data)) return null;
    if (!(v.dtype in TENSOR_KINDS)) return `${path}.dtype is ${String(v.dtype)}`;
    if (!(v.data instanceof (TENSOR_KINDS[v.dtype] as any)))
      return `${path}.data is a ${(v.data as any)?.constructor?.name} for dtype ${v.dtype}`;
    if (!Array.isArray(v.shape) || v.shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0))
      return `${path}.shape is ${lit(v.shape)}`;
    const n = v.shape.reduce((a, b) => a * b, 1);
    if (v.data.length !== n) return `${path}.data.length is ${v.data.length} but its shape ${lit(v.shape)} holds ${n}`;
    if (v.requiresGrad && v.dtype !== 'float32' && v.dtype !== 'float64')
      return `${path} is ${v.dtype} but requires grad`;
    return null;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = wellFormed(tg, v[i], `${path}[${i}]`, depth + 1, passthrough);
      if (p) return p;
    }
    return null;
  }
  if (v !== null && typeof v === 'object' && 'values' in v && 'indices' in v) {
    const o = v as { values: unknown; indices: unknown };
    const p =
      wellFormed(tg, o.values, `${path}.values`, depth + 1, passthrough) ??
      wellFormed(tg, o.indices, `${path}.indices`, depth + 1, passthrough);
    if (p) return p;
    if (o.indices instanceof tg.Tensor && o.indices.dtype !== 'int32') return `${path}.indices is ${o.indices.dtype}`;
    if (o.indices instanceof tg.Tensor && o.values instanceof tg.Tensor && lit(o.indices.shape) !== lit(o.values.shape))
      return `${path}.indices shape ${lit(o.indices.shape)} vs values ${lit(o.values.shape)}`;
    return null;
  }
  if (typeof v === 'number' && depth === 0) return null;
  return null;
}

function finiteProblem(tg: TGModule, v: unknown, path = 'result'): string | null {
  if (v instanceof tg.Tensor) {
    if (v.dtype !== 'float32' && v.dtype !== 'float64') return null;
    for (let i = 0; i < v.data.length; i++)
      if (!Number.isFinite(v.data[i]))
        return `${path} has ${v.data[i]} at flat index ${i} although the inputs are finite`;
    return null;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = finiteProblem(tg, v[i], `${path}[${i}]`);
      if (p) return p;
    }
  }
  if (v !== null && typeof v === 'object' && 'values' in v)
    return finiteProblem(tg, (v as any).values, `${path}.values`);
  return null;
}

/** Escapes a string for use in a RegExp. */
function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The findings for one result (empty when it is fine). */
export function judge(tg: TGModule, res: Result, seed: number, index: number): Finding[] {
  const { spec, call, facts } = res;
  const out: Finding[] = [];
  const f = (kind: string, detail: string) => out.push({ seed, index, spec: spec.id, desc: call.desc, kind, detail });
  if (res.outcome === 'threw') {
    const e = res.error;
    if (e instanceof FuzzCheck) {
      f('check', e.message);
      return classify(out, res);
    }
    if (!(e instanceof Error)) {
      f('bad-error-class', `threw a non-Error: ${lit(e)}`);
      return classify(out, res);
    }
    const msg = String(e.message);
    if (/^user: /.test(msg)) return []; // the user's own function threw; it must come through unchanged
    if (e.constructor !== Error && e.constructor !== TypeError && e.constructor !== RangeError)
      f('bad-error-class', `threw ${e.constructor.name}: ${msg}`);
    const prefixRe = new RegExp(`^(${spec.names.map(esc).join('|')}):`);
    if (!prefixRe.test(msg)) f('bad-error-prefix', `${e.constructor.name}: ${msg.slice(0, 300)}`);
    // "names what was expected and what was given": only the plainly empty ones are caught mechanically.
    else if (
      msg.replace(prefixRe, '').trim().length < 12 ||
      /\[object Object\]|is not a function|Cannot read propert/.test(msg)
    )
      f('vague-message', `${e.constructor.name}: ${msg.slice(0, 300)}`);
    if (call.valid && !facts.detached && !facts.nonfinite)
      f('rejected-valid', `${e.constructor.name}: ${msg.slice(0, 300)}`);
    return classify(out, res);
  }
  if (res.outcome === 'skipped') return [];
  const v = res.value;
  const transferred = new Set(
    facts.detached
      ? facts.inputs.filter((t): t is TG.Tensor => t instanceof tg.Tensor && t.data.byteLength === 0).map((t) => t.data)
      : [],
  );
  const wf = wellFormed(tg, v, 'result', 0, transferred);
  if (wf) f('malformed', wf);
  else if (call.check) {
    let p: string | null;
    try {
      p = call.check(v);
    } catch (e) {
      p = `the result check threw: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (p) f('check', p);
  }
  if (!wf && call.finite && !facts.nonfinite && !facts.detached) {
    const allFinite = facts.inputs.every(
      (t) =>
        !(t instanceof tg.Tensor) ||
        t.dtype === 'bool' ||
        Array.prototype.every.call(t.data, (x: number) => Number.isFinite(x) && Math.abs(x) < 1e3),
    );
    if (allFinite) {
      const p = finiteProblem(tg, v);
      if (p) f('nonfinite', p);
    }
  }
  if (call.invalid)
    f('accepted-invalid', `accepted ${call.invalidWhy ?? 'an invalid argument'} and returned ${summarize(tg, v)}`);
  return classify(out, res);
}

function summarize(tg: TGModule, v: unknown): string {
  if (v instanceof tg.Tensor) return `a ${v.dtype} tensor of shape ${lit(v.shape)}`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'object' && v !== null) return `an object (${v.constructor?.name ?? 'Object'})`;
  return lit(v);
}

// ---- known open problems ------------------------------------------------------------------------

/**
 * KNOWN_OPEN: problems being fixed now. A finding that matches an entry is counted and printed but
 * does not fail the CI test. EMPTY THIS LIST as the fixes land (set FUZZ_STRICT=1 to ignore it).
 * `new: true` marks problems this fuzzer found (not on the original list).
 */
export interface KnownOpen {
  id: string;
  what: string;
  new?: boolean;
  /** The call is skipped in CI (a known hang); the soak runs it under its watchdog. */
  skipInCi?: (spec: string, facts: CallFacts) => boolean;
  match(fd: Finding, res: Result | null): boolean;
}

// biome-ignore lint/correctness/noUnusedVariables: the matcher for KNOWN_OPEN entries' match(); kept for the next entry
const isSpec = (fd: Finding, ...ids: (string | RegExp)[]) =>
  ids.some((id) => (typeof id === 'string' ? fd.spec === id : id.test(fd.spec)));

export const KNOWN_OPEN: KnownOpen[] = [
  // Empty: every finding of the original list and of this fuzzer's runs is fixed (or was a
  // misjudgement of the fuzzer, corrected where the call is built). Add an entry only for a finding
  // that cannot be fixed in the same change, and remove it with the fix.
];

export function classify(fs: Finding[], res: Result | null): Finding[] {
  for (const fd of fs) {
    const k = KNOWN_OPEN.find((e) => e.match(fd, res));
    if (k) fd.known = k.id;
  }
  return fs;
}

/** Whether a call must be skipped in CI because a KNOWN_OPEN entry says it hangs. */
export function skipInCi(spec: Spec, facts: CallFacts, strict: boolean): string | null {
  if (strict) return null;
  for (const k of KNOWN_OPEN) if (k.skipInCi?.(spec.id, facts)) return k.id;
  return null;
}

// ---- one batch ----------------------------------------------------------------------------------

export interface BatchStats {
  calls: number;
  ok: number;
  threw: Record<string, number>;
  skipped: number;
  perSpec: Record<string, { calls: number; ok: number; threw: number }>;
  findings: Finding[];
}

export function newStats(): BatchStats {
  return { calls: 0, ok: 0, threw: {}, skipped: 0, perSpec: {}, findings: [] };
}

/** Where the harness publishes the call in progress (for a watchdog); a no-op by default. */
export interface Progress {
  enter(seed: number, index: number, desc: string): void;
  leave(): void;
}

/**
 * Runs calls [from, to) of `seed`, recording into stats. Library state that a call may change
 * (anomaly mode, thread count) is put back after each call.
 */
export function runCalls(
  tg: TGModule,
  table: Spec[],
  seed: number,
  from: number,
  to: number,
  stats: BatchStats,
  o: { giant: boolean; strict: boolean; progress?: Progress; onFinding?: (f: Finding) => void },
): void {
  const threads0 = tg.getNumThreads();
  for (let index = from; index < to; index++) {
    let built: ReturnType<typeof buildCall>;
    try {
      built = buildCall(tg, table, seed, index, { giant: o.giant });
    } catch (e) {
      // The generator itself failed (a harness bug or a library failure while making arguments).
      const fd: Finding = {
        seed,
        index,
        spec: '<generator>',
        desc: '<building arguments>',
        kind: 'generator',
        detail: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e),
      };
      stats.findings.push(fd);
      o.onFinding?.(fd);
      continue;
    }
    const { spec, call, gen } = built;
    const ps = (stats.perSpec[spec.id] ??= { calls: 0, ok: 0, threw: 0 });
    stats.calls++;
    ps.calls++;
    const skip = skipInCi(spec, gen.facts, o.strict) ?? (gen.facts.giant && !o.giant ? 'giant' : null);
    if (skip !== null) {
      stats.skipped++;
      continue;
    }
    const res: Result = { spec, call, facts: gen.facts, outcome: 'ok' };
    o.progress?.enter(seed, index, call.desc);
    try {
      res.value = call.run();
    } catch (e) {
      res.outcome = 'threw';
      res.error = e;
    } finally {
      o.progress?.leave();
    }
    if (res.outcome === 'ok') {
      stats.ok++;
      ps.ok++;
    } else {
      const cls = res.error instanceof Error ? res.error.constructor.name : typeof res.error;
      stats.threw[cls] = (stats.threw[cls] ?? 0) + 1;
      ps.threw++;
    }
    const fs = judge(tg, res, seed, index);
    if (!tg.isGradEnabled()) {
      fs.push({
        seed,
        index,
        spec: spec.id,
        desc: call.desc,
        kind: 'grad-mode',
        detail: 'grad mode was left off after the call',
      });
      tg.enableGrad(() => undefined);
    }
    for (const fd of fs) {
      stats.findings.push(fd);
      o.onFinding?.(fd);
    }
    if (tg.autograd.isAnomalyEnabled()) tg.autograd.setDetectAnomaly(false);
    if (tg.getNumThreads() !== threads0) tg.setNumThreads(threads0);
  }
}

/** One line for a finding, with how to replay it. */
export function formatFinding(f: Finding): string {
  return `[${f.known ? `known:${f.known}` : 'NEW'}] ${f.kind} in ${f.spec} (seed ${f.seed}, call ${f.index}; replay: node scripts/fuzz-soak.mjs --seed ${f.seed} --only ${f.index})\n    call: ${f.desc}\n    ${f.detail}`;
}

/** The public functions and classes, for the coverage check: tg.*, nn.*, optim.*, ... */
export function publicSurface(tg: TGModule): string[] {
  const out: string[] = [];
  const walk = (o: any, p: string, depth: number) => {
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'function') out.push(p + k);
      else if (v && typeof v === 'object' && depth < 3 && !ArrayBuffer.isView(v)) walk(v, `${p}${k}.`, depth + 1);
    }
  };
  walk(tg, '', 0);
  return out.sort();
}

// ---- watchdog -----------------------------------------------------------------------------------

/**
 * The second line of defence against hangs (the first is vm's timeout around each chunk of calls,
 * which interrupts JavaScript but not native code): a worker thread that watches a shared counter.
 * The main thread publishes (seed, index, description) before each call; if one call stays in
 * progress longer than stallMs, the worker writes `FUZZ-HANG {json}` to stderr (and to reportFile)
 * and SIGKILLs the process, so a test run fails instead of hanging forever.
 */
export interface Watchdog extends Progress {
  stop(): void;
}

const WATCHDOG_SRC = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const st = new Int32Array(workerData.sab, 0, 4); // [generation, busy, seed, index]
const text = new Uint8Array(workerData.sab, 16);
let lastGen = -1, since = Date.now();
for (;;) {
  Atomics.wait(st, 0, Atomics.load(st, 0), 250);
  if (Atomics.load(st, 1) === 2) break; // stopped
  const gen = Atomics.load(st, 0);
  if (gen !== lastGen) { lastGen = gen; since = Date.now(); continue; }
  if (Atomics.load(st, 1) !== 1 || Date.now() - since < workerData.stallMs) continue;
  let n = text.indexOf(0); if (n < 0) n = text.length;
  const desc = Buffer.from(text.subarray(0, n)).toString('utf8');
  const line = 'FUZZ-HANG ' + JSON.stringify({ seed: Atomics.load(st, 2), index: Atomics.load(st, 3), ms: Date.now() - since, desc }) + '\\n';
  try { fs.writeSync(2, line); } catch {}
  try { if (workerData.reportFile) fs.writeFileSync(workerData.reportFile, line); } catch {}
  process.kill(process.pid, 'SIGKILL');
}
`;

export function startWatchdog(WorkerCtor: any, stallMs: number, reportFile: string | null): Watchdog {
  const sab = new SharedArrayBuffer(16 + 4096);
  const st = new Int32Array(sab, 0, 4);
  const text = new Uint8Array(sab, 16);
  const enc = new TextEncoder();
  const w = new WorkerCtor(WATCHDOG_SRC, { eval: true, workerData: { sab, stallMs, reportFile } });
  w.unref();
  return {
    enter(seed, index, desc) {
      const { written } = enc.encodeInto(
        desc.length > 2000 ? desc.slice(0, 2000) : desc,
        text.subarray(0, text.length - 1),
      );
      text[written] = 0;
      st[2] = seed;
      st[3] = index;
      Atomics.store(st, 1, 1);
      Atomics.add(st, 0, 1);
    },
    leave() {
      Atomics.store(st, 1, 0);
      Atomics.add(st, 0, 1);
    },
    stop() {
      Atomics.store(st, 1, 2);
      Atomics.notify(st, 0);
      void w.terminate();
    },
  };
}

/** Publishes to several progress sinks. */
export function fanOut(...ps: Progress[]): Progress {
  return {
    enter: (s, i, d) => {
      for (const p of ps) p.enter(s, i, d);
    },
    leave: () => {
      for (const p of ps) p.leave();
    },
  };
}
