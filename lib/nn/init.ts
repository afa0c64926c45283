// nn.init: in-place initialisers with PyTorch's defaults and fan computations. Each writes the
// tensor's storage directly (outside the graph, as torch's `with no_grad()`), bumps its version
// counter, draws from the global seeded generator (tg.manualSeed) and returns the tensor.
import { recorder } from '../compile/state.js';
import { normal as randNormal, uniform as randUniform } from '../random.js';
import { describe, formatShape, formatValue } from '../shape.js';
import { Tensor, checkStorage } from '../tensor.js';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

function checkTarget(t: unknown, fn: string): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${fn}: argument 'tensor' must be a Tensor, got ${describe(t)}`);
  if (t.dtype !== 'float32' && t.dtype !== 'float64')
    throw new TypeError(`${fn}: argument 'tensor' must be float32 or float64, got ${t.dtype}`);
  // Storage transferred away or disposed: writing it was a raw TypedArray TypeError (or nothing at all).
  if (t.data.length === 0) checkStorage(t, fn, "argument 'tensor'");
  return t;
}

function fillWith(t: Tensor, sample: () => number): Tensor {
  recorder()?.graphBreak('nn.init', 'it fills a tensor from the random generator in JS');
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = sample();
  t._bumpVersion();
  return t;
}

/** [fanIn, fanOut] of a weight of shape [out, in, ...receptive field] (rank ≥ 2), as PyTorch. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  return fans(checkTarget(t, 'calculateFanInAndFanOut'), 'calculateFanInAndFanOut');
}

/** calculateFanInAndFanOut for the public function fn (its errors name fn, not the helper). */
function fans(t: Tensor, fn: string): [number, number] {
  if (t.ndim < 2)
    throw new RangeError(`${fn}: fan in and fan out need a tensor of rank >= 2, got shape ${formatShape(t.shape)}`);
  let receptive = 1;
  for (let d = 2; d < t.ndim; d++) receptive *= t.shape[d];
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

const NONLINEARITIES: readonly string[] = [
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'selu',
];

/** The recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  return gain(nonlinearity, param, 'calculateGain', "argument 'nonlinearity'", "argument 'param'");
}

function gain(nonlinearity: unknown, param: unknown, fn: string, what: string, paramWhat: string): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope))
        throw new TypeError(`${fn}: ${paramWhat} (the negative slope) must be a finite number, got ${describe(slope)}`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(
        `${fn}: ${what} must be one of ${NONLINEARITIES.map((n) => `'${n}'`).join(', ')}, got ${formatValue(nonlinearity)}`,
      );
  }
}

/** TypeError naming fn and what unless v is a finite number. */
function finite(v: unknown, fn: string, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new TypeError(`${fn}: ${what} must be a finite number, got ${describe(v)}`);
  return v;
}

/** Fills t with U(a, b) (defaults 0, 1). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  checkTarget(t, 'uniform_');
  finite(a, 'uniform_', "argument 'a'");
  finite(b, 'uniform_', "argument 'b'");
  if (!(a <= b)) throw new RangeError(`uniform_: expects a <= b, got a=${a} and b=${b}`);
  return fillWith(t, () => a + (b - a) * randUniform());
}

/** Fills t with N(mean, std²) (defaults 0, 1). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  checkTarget(t, 'normal_');
  finite(mean, 'normal_', "argument 'mean'");
  finite(std, 'normal_', "argument 'std'");
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  return fillWith(t, () => mean + std * randNormal());
}

/** Fills t with value (any number, NaN and ±Infinity included, as PyTorch). */
export function constant_(t: Tensor, value: number): Tensor {
  return fillConstant(checkTarget(t, 'constant_'), value, 'constant_');
}

function fillConstant(t: Tensor, value: unknown, fn: string): Tensor {
  if (typeof value !== 'number')
    throw new TypeError(`${fn}: argument 'value' must be a number, got ${describe(value)}`);
  t.data.fill(value);
  t._bumpVersion();
  return t;
}

/** Fills t with zeros. */
export function zeros_(t: Tensor): Tensor {
  return fillConstant(checkTarget(t, 'zeros_'), 0, 'zeros_');
}

/** Fills t with ones. */
export function ones_(t: Tensor): Tensor {
  return fillConstant(checkTarget(t, 'ones_'), 1, 'ones_');
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  /** 'fanIn' (default, preserves forward variance) or 'fanOut' (backward). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leaky_relu' (with a = 0 that is ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
}

const KAIMING_KEYS: readonly string[] = ['a', 'mode', 'nonlinearity'];

function kaimingStd(t: Tensor, fn: string, opts: KaimingOptions): number | null {
  checkTarget(t, fn);
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw new TypeError(
      `${fn}: argument 'options' must be an object { a?, mode?, nonlinearity? }, got ${describe(opts)}`,
    );
  for (const k in opts)
    if (!KAIMING_KEYS.includes(k))
      throw new TypeError(`${fn}: unknown option '${k}' (known options: ${KAIMING_KEYS.join(', ')})`);
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut')
    throw new RangeError(`${fn}: mode must be 'fanIn' or 'fanOut', got ${formatValue(mode)}`);
  const a = opts.a ?? 0;
  finite(a, fn, "option 'a'");
  const g = gain(opts.nonlinearity ?? 'leaky_relu', a, fn, "option 'nonlinearity'", "option 'a'");
  const [fanIn, fanOut] = fans(t, fn);
  const fan = mode === 'fanIn' ? fanIn : fanOut;
  if (fan === 0) return null; // PyTorch warns and leaves a zero-element tensor alone
  return g / Math.sqrt(fan);
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

function xavierStd(t: Tensor, fn: string, g: number): number {
  checkTarget(t, fn);
  finite(g, fn, "argument 'gain'");
  const [fanIn, fanOut] = fans(t, fn);
  return fanIn + fanOut === 0 ? 0 : g * Math.sqrt(2 / (fanIn + fanOut));
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
