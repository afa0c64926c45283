// nn.init: in-place initialisers with PyTorch's defaults and fan computations. Each writes the
// tensor's storage directly (outside the graph, as torch's `with no_grad()`), bumps its version
// counter, draws from the global seeded generator (tg.manualSeed) and returns the tensor.
import { normal as randNormal, uniform as randUniform } from '../random.js';
import { describe, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

function checkTarget(t: unknown, fn: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: argument 'tensor' must be a Tensor, got ${describe(t)}`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TypeError(`${fn}: argument 'tensor' must be float32 or float64, got ${t.dtype}`);
  return t;
}

function fillWith(t: Tensor, sample: () => number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = sample();
  t._version.version++;
  return t;
}

/** [fanIn, fanOut] of a weight of shape [out, in, ...receptive field] (rank ≥ 2), as PyTorch. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  checkTarget(t, 'calculateFanInAndFanOut');
  if (t.ndim < 2)
    throw new RangeError(`calculateFanInAndFanOut: fan in and fan out need a tensor of rank >= 2, got shape ${formatShape(t.shape)}`);
  let receptive = 1;
  for (let d = 2; d < t.ndim; d++) receptive *= t.shape[d];
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** The recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number') throw new TypeError(`calculateGain: negative slope must be a number, got ${describe(slope)}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new RangeError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** Fills t with U(a, b) (defaults 0, 1). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  checkTarget(t, 'uniform_');
  if (typeof a !== 'number' || typeof b !== 'number') throw new TypeError(`uniform_: bounds must be numbers, got ${describe(a)} and ${describe(b)}`);
  if (!(a <= b)) throw new RangeError(`uniform_: expects a <= b, got a=${a} and b=${b}`);
  return fillWith(t, () => a + (b - a) * randUniform());
}

/** Fills t with N(mean, std²) (defaults 0, 1). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  checkTarget(t, 'normal_');
  if (typeof mean !== 'number' || typeof std !== 'number') throw new TypeError(`normal_: mean and std must be numbers, got ${describe(mean)} and ${describe(std)}`);
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  return fillWith(t, () => mean + std * randNormal());
}

/** Fills t with value. */
export function constant_(t: Tensor, value: number): Tensor {
  checkTarget(t, 'constant_');
  if (typeof value !== 'number') throw new TypeError(`constant_: value must be a number, got ${describe(value)}`);
  t.data.fill(value);
  t._version.version++;
  return t;
}

/** Fills t with zeros. */
export function zeros_(t: Tensor): Tensor {
  return constant_(checkTarget(t, 'zeros_'), 0);
}

/** Fills t with ones. */
export function ones_(t: Tensor): Tensor {
  return constant_(checkTarget(t, 'ones_'), 1);
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  /** 'fanIn' (default, preserves forward variance) or 'fanOut' (backward). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leaky_relu' (with a = 0 that is ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, fn: string, opts: KaimingOptions): number | null {
  checkTarget(t, fn);
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`${fn}: options must be an object, got ${describe(opts)}`);
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new RangeError(`${fn}: mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) return null; // PyTorch warns and leaves a zero-element tensor alone
  return calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan);
}

/** He uniform: U(±gain·√(3/fan)), gain from nonlinearity and a (PyTorch's kaiming_uniform_). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(t, 'kaimingUniform_', opts);
  if (std === null) return t;
  const bound = Math.sqrt(3) * std;
  return fillWith(t, () => -bound + 2 * bound * randUniform());
}

/** He normal: N(0, (gain/√fan)²) (PyTorch's kaiming_normal_). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(t, 'kaimingNormal_', opts);
  if (std === null) return t;
  return fillWith(t, () => std * randNormal());
}

function xavierStd(t: Tensor, fn: string, gain: number): number {
  checkTarget(t, fn);
  if (typeof gain !== 'number') throw new TypeError(`${fn}: gain must be a number, got ${describe(gain)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** Glorot uniform: U(±gain·√(6/(fanIn+fanOut))). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const bound = Math.sqrt(3) * xavierStd(t, 'xavierUniform_', gain);
  return fillWith(t, () => -bound + 2 * bound * randUniform());
}

/** Glorot normal: N(0, gain²·2/(fanIn+fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const std = xavierStd(t, 'xavierNormal_', gain);
  return fillWith(t, () => std * randNormal());
}
