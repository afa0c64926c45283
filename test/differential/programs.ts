// The TypeScript side of the differential suite: the shared input generator (bit-identical to
// make_programs.py), the program interpreter over tapegrad, and the comparison with PyTorch's results.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tg from '../../lib/index.js';

type Tensor = tg.Tensor;
type Consts = Record<string, any>;
export type OpRecord = [name: string, refs: number[], consts: Consts, outputs: number];
type Encoded = string | { n: number; s: string };

export interface LeafSpec {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int32' | 'bool';
  grad: boolean;
  lo?: number;
  span?: number;
  q?: number; // floats: lo + span·k/2^q
  high?: number; // int32: r mod high
  pct?: number; // bool: true with pct% probability
}

export interface Program {
  seed: number;
  second: boolean;
  cats: string[];
  tol: number;
  leaves: LeafSpec[];
  ops: OpRecord[];
  meta: [number[], string][]; // shape and dtype of every ref
  sums: string; // float64 [sum] of every ref, at creation
  y: Encoded;
  grads: Encoded[];
  grads2?: Encoded[];
}

export interface Fixture {
  torch: string;
  count: number;
  categories: Record<string, number>;
  programs: Program[];
}

export function loadFixture(path: string): Fixture {
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Fixture;
}

// ---- the shared input generator -------------------------------------------------------------------

const W_SLOT = 1000,
  V_SLOT = 2000,
  SAMPLE_SLOT = 3000,
  SAMPLES = 12;

export function seedFor(progSeed: number, slot: number): number {
  return (Math.imul(progSeed, 0x9e3779b1) ^ Math.imul(slot + 1, 0x85ebca77)) >>> 0;
}

/** n outputs (uint32) of mulberry32 started at seed. */
export function mulberryStream(seed: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return out;
}

export function leafTensor(progSeed: number, slot: number, spec: LeafSpec): Tensor {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const r = mulberryStream(seedFor(progSeed, slot), n);
  const shape = spec.shape;
  if (spec.dtype === 'int32')
    return tg.tensor(
      Int32Array.from(r, (v) => v % spec.high!),
      { shape, dtype: 'int32' },
    );
  if (spec.dtype === 'bool')
    return tg.tensor(
      Uint8Array.from(r, (v) => (v % 100 < spec.pct! ? 1 : 0)),
      { shape, dtype: 'bool' },
    );
  const q = spec.q!,
    lo = spec.lo!,
    span = spec.span!;
  const values = Float64Array.from(r, (v) => lo + span * ((v >>> (32 - q)) / 2 ** q));
  const data = spec.dtype === 'float32' ? Float32Array.from(values) : values;
  return tg.tensor(data, { shape, dtype: spec.dtype, requiresGrad: spec.grad });
}

function weightSpec(t: Tensor): LeafSpec {
  return { shape: [...t.shape], dtype: t.dtype as 'float32' | 'float64', grad: false, lo: -1, span: 2, q: 20 };
}

// ---- the interpreter --------------------------------------------------------------------------------

const F = tg.nn.functional;
const unary: Record<string, (x: Tensor) => Tensor> = {
  neg: tg.neg,
  exp: tg.exp,
  log: tg.log,
  sqrt: tg.sqrt,
  abs: tg.abs,
  sin: tg.sin,
  cos: tg.cos,
  tanh: tg.tanh,
  sigmoid: tg.sigmoid,
  relu: tg.relu,
  square: tg.square,
  rsqrt: tg.rsqrt,
  log1p: tg.log1p,
  expm1: tg.expm1,
  silu: tg.silu,
  reciprocal: tg.reciprocal,
};
const binary: Record<string, (a: Tensor, b: Tensor | number) => Tensor> = {
  add: tg.add,
  sub: tg.sub,
  mul: tg.mul,
  div: tg.div,
  pow: tg.pow,
  maximum: tg.maximum,
  minimum: tg.minimum,
};

/** The outputs of one op record, mirroring apply() in make_programs.py. */
export function applyOp(name: string, xs: Tensor[], c: Consts): Tensor[] {
  const x = xs[0];
  const other = (): Tensor | number => ('s' in c ? c.s : xs[1]);
  if (name in unary) return [unary[name](x)];
  if (name in binary) return name === 'pow' && 'base' in c ? [tg.pow(c.base, x)] : [binary[name](x, other())];
  switch (name) {
    case 'add_':
      return [x.add_(other())];
    case 'sub_':
      return [x.sub_(other())];
    case 'mul_':
      return [x.mul_(other())];
    case 'div_':
      return [x.div_(other())];
    case 'softplus':
      return [tg.softplus(x, c.beta, c.threshold)];
    case 'leakyRelu':
      return [tg.leakyRelu(x, c.slope)];
    case 'elu':
      return [tg.elu(x, c.alpha)];
    case 'gelu':
      return [tg.gelu(x, { approximate: c.approximate })];
    case 'clamp':
      return [tg.clamp(x, c.min ?? null, c.max ?? null)];
    case 'sum':
      return ['dim' in c ? tg.sum(x, c.dim, c.keepdim) : tg.sum(x)];
    case 'mean':
      return ['dim' in c ? tg.mean(x, c.dim, c.keepdim) : tg.mean(x)];
    case 'logSumExp':
      return [tg.logSumExp(x, c.dim, c.keepdim)];
    case 'var':
      return [tg.var(x, c.dim ?? null, { correction: c.correction, keepdim: c.keepdim ?? false })];
    case 'std':
      return [tg.std(x, c.dim ?? null, { correction: c.correction, keepdim: c.keepdim ?? false })];
    case 'prod':
      return ['dim' in c ? tg.prod(x, c.dim, c.keepdim) : tg.prod(x)];
    case 'max':
      return ['dim' in c ? tg.max(x, c.dim, c.keepdim).values : tg.max(x)];
    case 'min':
      return ['dim' in c ? (tg.min(x, c.dim, c.keepdim) as { values: Tensor }).values : (tg.min(x) as Tensor)];
    case 'norm':
      return [tg.norm(x, c.p === 'inf' ? Infinity : c.p, c.dim ?? null, c.keepdim ?? false)];
    case 'softmax':
      return [tg.softmax(x, c.dim)];
    case 'logSoftmax':
      return [tg.logSoftmax(x, c.dim)];
    case 'matmul':
      return [tg.matmul(x, xs[1])];
    case 't':
      return [tg.t(x)];
    case 'transpose':
      return [tg.transpose(x, c.d0, c.d1)];
    case 'permute':
      return [tg.permute(x, c.dims)];
    case 'reshape':
      return [tg.reshape(x, c.shape)];
    case 'view':
      return [x.view(c.shape)];
    case 'flatten':
      return [tg.flatten(x, c.start, c.end)];
    case 'squeeze':
      return ['dim' in c ? tg.squeeze(x, c.dim) : tg.squeeze(x)];
    case 'unsqueeze':
      return [tg.unsqueeze(x, c.dim)];
    case 'expand':
      return [tg.expand(x, c.shape)];
    case 'cat':
      return [tg.cat(xs, c.dim)];
    case 'stack':
      return [tg.stack(xs, c.dim)];
    case 'split':
      return tg.split(x, c.size, c.dim);
    case 'slice':
      return [tg.slice(x, c.dim, c.start, c.end, c.step)];
    case 'gather':
      return [tg.gather(x, c.dim, xs[1])];
    case 'indexSelect':
      return [tg.indexSelect(x, c.dim, xs[1])];
    case 'where':
      return [tg.where(x, xs[1], xs[2])];
    case 'maskedFill':
      return [tg.maskedFill(x, xs[1], c.value)];
    case 'to':
      return [x.to(c.dtype)];
    case 'crossEntropy':
      return [F.crossEntropy(x, xs[1], { reduction: c.reduction, labelSmoothing: c.smoothing })];
    case 'mseLoss':
      return [F.mseLoss(x, xs[1], { reduction: c.reduction })];
    case 'bceWithLogits':
      return [F.binaryCrossEntropyWithLogits(x, xs[1], { reduction: c.reduction })];
    case 'linear':
      return [F.linear(x, xs[1], xs[2] ?? null)];
  }
  throw new Error(`unknown op ${name}`);
}

/** A one-line-per-op listing: "r3 = add(r0, r2) {...}". */
export function describeProgram(p: Program): string {
  const lines = p.leaves.map((l, i) => {
    const dom =
      l.dtype === 'int32'
        ? `ints < ${l.high}`
        : l.dtype === 'bool'
          ? `${l.pct}% true`
          : `${l.lo} + ${l.span}·k/2^${l.q}`;
    return `  r${i} = leaf [${l.shape}] ${l.dtype}${l.grad ? ' requiresGrad' : ''} (${dom})`;
  });
  let ref = p.leaves.length;
  for (const [name, refs, consts, n] of p.ops) {
    const outs = Array.from({ length: n }, (_, i) => `r${ref + i}`).join(', ');
    const c = Object.keys(consts).length ? ` ${JSON.stringify(consts)}` : '';
    lines.push(`  ${outs} = ${name}(${refs.map((r) => `r${r}`).join(', ')})${c}`);
    ref += n;
  }
  return lines.join('\n');
}

interface Results {
  meta: [number[], string][];
  sums: number[];
  y: Tensor;
  grads: Tensor[];
  grads2?: Tensor[];
}

const shortDtype: Record<string, string> = { float32: 'f32', float64: 'f64', int32: 'i32', bool: 'b' };

function total(t: Tensor): number {
  let s = 0;
  for (let i = 0; i < t.data.length; i++) s += t.data[i];
  return s;
}

/** Runs a program in tapegrad. Throws with the op's position when an op throws. */
export function runProgram(p: Program): Results {
  const vals = p.leaves.map((spec, i) => leafTensor(p.seed, i, spec));
  const leaves = vals.filter((_, i) => p.leaves[i].grad);
  const meta: [number[], string][] = vals.map((v) => [[...v.shape], shortDtype[v.dtype]]);
  const sums = vals.map(total);
  p.ops.forEach(([name, refs, consts], k) => {
    let outs: Tensor[];
    try {
      outs = applyOp(
        name,
        refs.map((r) => vals[r]),
        consts,
      );
    } catch (e) {
      throw new Error(`op #${k} ${name} threw: ${(e as Error).message}`);
    }
    for (const o of outs) {
      vals.push(o);
      meta.push([[...o.shape], shortDtype[o.dtype]]);
      sums.push(total(o));
    }
  });
  const y = vals[vals.length - 1];
  const loss = tg.sum(tg.mul(y, leafTensor(p.seed, W_SLOT, weightSpec(y))));
  const zerosFor = (g: Tensor | null, x: Tensor): Tensor => g ?? tg.zerosLike(x);
  if (!p.second) {
    try {
      loss.backward();
    } catch (e) {
      throw new Error(`backward threw: ${(e as Error).message}`);
    }
    return { meta, sums, y, grads: leaves.map((x) => zerosFor(x.grad, x)) };
  }
  let grads: Tensor[];
  try {
    grads = tg.autograd
      .grad(loss, leaves, { createGraph: true, allowUnused: true })
      .map((g, i) => zerosFor(g, leaves[i]));
  } catch (e) {
    throw new Error(`autograd.grad (createGraph) threw: ${(e as Error).message}`);
  }
  const terms = grads.flatMap((g, i) =>
    g.requiresGrad ? [tg.sum(tg.mul(g, leafTensor(p.seed, V_SLOT + i, weightSpec(leaves[i]))))] : [],
  );
  let grads2 = leaves.map((x) => tg.zerosLike(x));
  if (terms.length > 0) {
    try {
      const s = terms.slice(1).reduce((a, b) => tg.add(a, b), terms[0]);
      grads2 = tg.autograd.grad(s, leaves, { allowUnused: true }).map((g, i) => zerosFor(g, leaves[i]));
    } catch (e) {
      throw new Error(`second-order autograd.grad threw: ${(e as Error).message}`);
    }
  }
  return { meta, sums, y, grads, grads2 };
}

// ---- comparison -------------------------------------------------------------------------------------

function decode(b64: string): Float64Array {
  const bytes = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

/**
 * Where `got` disagrees with PyTorch's `want` (null when it agrees). Elementwise:
 * |a − b| ≤ tol·(|b| + max(1, max|b|)), i.e. relative to the entry and to the array's magnitude.
 * Large arrays are compared through their sum, sum of |·|, a weighted sum and sampled entries.
 */
export function compareArray(got: Tensor, want: Encoded, tol: number, progSeed: number): string | null {
  const a = got.data;
  if (typeof want === 'string') {
    const b = decode(want);
    if (a.length !== b.length) return `has ${a.length} elements, PyTorch ${b.length}`;
    let scale = 1;
    for (const v of b) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      if (!(d <= tol * (Math.abs(b[i]) + scale)))
        return `[${i}] = ${a[i]}, PyTorch ${b[i]} (diff ${d.toExponential(2)})`;
    }
    return null;
  }
  const s = decode(want.s);
  if (a.length !== want.n) return `has ${a.length} elements, PyTorch ${want.n}`;
  let sum = 0,
    sumAbs = 0,
    wsum = 0;
  for (let i = 0; i < a.length; i++) {
    sum += a[i];
    sumAbs += Math.abs(a[i]);
    wsum += a[i] * ((((i * 37) % 101) - 50) / 64);
  }
  const bound = tol * (s[1] + 1);
  for (const [label, v, w] of [
    ['sum', sum, s[0]],
    ['sum of |x|', sumAbs, s[1]],
    ['weighted sum', wsum, s[2]],
  ] as const)
    if (!(Math.abs(v - w) <= bound)) return `${label} = ${v}, PyTorch ${w}`;
  const idx = mulberryStream(seedFor(progSeed, SAMPLE_SLOT), SAMPLES);
  const scale = Math.max(1, (10 * s[1]) / want.n);
  for (let k = 0; k < SAMPLES; k++) {
    const i = idx[k] % want.n;
    if (!(Math.abs(a[i] - s[3 + k]) <= tol * (Math.abs(s[3 + k]) + scale)))
      return `[${i}] = ${a[i]}, PyTorch ${s[3 + k]}`;
  }
  return null;
}

/** Every disagreement between tapegrad's run of p and PyTorch's recorded results. */
export function checkProgram(p: Program): string[] {
  let r: Results;
  try {
    r = runProgram(p);
  } catch (e) {
    return [(e as Error).message];
  }
  const problems: string[] = [];
  const sums = decode(p.sums);
  let firstBad = -1;
  p.meta.forEach(([shape, dtype], i) => {
    const [gotShape, gotDtype] = r.meta[i];
    if (gotShape.join() !== shape.join() || gotDtype !== dtype) {
      problems.push(`r${i}: [${gotShape}] ${gotDtype}, PyTorch [${shape}] ${dtype}`);
      if (firstBad < 0) firstBad = i;
    } else if (
      !(
        Math.abs(r.sums[i] - sums[i]) <=
        p.tol * (Math.abs(sums[i]) + Math.max(1, Math.sqrt(shape.reduce((a, b) => a * b, 1))))
      )
    ) {
      problems.push(`r${i}: sum ${r.sums[i]}, PyTorch ${sums[i]}`);
      if (firstBad < 0) firstBad = i;
    }
  });
  if (firstBad >= 0) problems.splice(1); // later values follow from the first bad one
  const y = compareArray(r.y, p.y, p.tol, p.seed);
  if (y) problems.push(`output ${y}`);
  const gradLeaves = p.leaves.flatMap((l, i) => (l.grad ? [i] : []));
  r.grads.forEach((g, k) => {
    const m = compareArray(g, p.grads[k], p.tol, p.seed);
    if (m) problems.push(`grad of r${gradLeaves[k]} ${m}`);
  });
  r.grads2?.forEach((g, k) => {
    const m = compareArray(g, p.grads2![k], p.tol, p.seed);
    if (m) problems.push(`second-order grad of r${gradLeaves[k]} ${m}`);
  });
  return problems;
}
