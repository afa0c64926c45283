// Containers and layers: Sequential, Identity, activations (ReLU, Tanh, Sigmoid, GELU, SiLU, ELU,
// LeakyReLU, Softplus, Softmax, LogSoftmax), Dropout, LayerNorm, Embedding.
import { releaseConsumedIntermediate } from '../autograd/function.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../ops/elementwise.js';
import { checkShape, describe, formatValue } from '../shape.js';
import { Tensor } from '../tensor.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { isOptionsObject } from '../ops/util.js';
import { dropout, embedding, layerNorm } from './functional_ops.js';
import { normal_, ones_, zeros_ } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { empty, floatDtypeOption } from './util.js';

/** Runs its modules in order, feeding each one's output to the next; registered as '0', '1', .... */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: argument ${i} must be a Module, got ${describe(m)}`);
      this.registerModule(String(i), m);
    });
  }

  /** The number of modules. */
  get length(): number {
    return this.children().length;
  }

  /** The i-th module (negative i counts from the end). */
  at(i: number): Module {
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new TypeError(
        `Sequential.at: argument 'i' must be an integer, got ${typeof i === 'number' ? String(i) : describe(i)}`,
      );
    const list = this.children();
    const j = i < 0 ? i + list.length : i;
    if (j < 0 || j >= list.length)
      throw new RangeError(`Sequential.at: index ${i} is out of range for ${list.length} modules`);
    return list[j];
  }

  /** Appends a module (named by its position); returns this. */
  append(m: Module): this {
    if (!(m instanceof Module))
      throw new TypeError(`Sequential.append: argument 'm' must be a Module, got ${describe(m)}`);
    this.registerModule(String(this._moduleNames.length), m);
    return this;
  }

  /**
   * x through every module in order. An intermediate passed between two built-in layers is reachable
   * only through the recorded graph, so it is marked private: its storage returns to the pool as soon
   * as backward has released every node that saved it, instead of waiting for the collector.
   */
  forward(x: Tensor): Tensor {
    const list = this.children();
    let y = x;
    for (let i = 0; i < list.length; i++) {
      const input = y;
      y = list[i].call(y);
      if (i > 0 && y instanceof Tensor) releaseConsumedIntermediate(input, y);
      if (
        i + 1 < list.length &&
        y instanceof Tensor &&
        y !== input &&
        y.gradFn !== null &&
        !y._isView() &&
        isPlainBuiltin(list[i]) &&
        isPlainBuiltin(list[i + 1])
      )
        y._markPrivate();
    }
    return y;
  }
}

/**
 * A layer of this library, exactly (not a subclass, no forward or call of its own on the instance):
 * it returns a fresh tensor and keeps no reference to its input or output.
 */
function isPlainBuiltin(m: Module): boolean {
  const cls = m.constructor as { prototype: Module };
  return (
    PLAIN_LAYERS.has(cls) &&
    m.call === Module.prototype.call &&
    m.forward === cls.prototype.forward &&
    !Object.hasOwn(m, 'forward') &&
    !Object.hasOwn(m, 'call')
  );
}

/** Returns its input. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** max(x, 0) elementwise. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** tanh elementwise. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** 1 / (1 + e^{−x}) elementwise. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

// Constructor arguments are checked when the layer is built (not at the first forward), with
// messages naming the layer and the argument. A PyTorch keyword argument may also be given as an
// options object: new ELU({ alpha: 0.5 }), new Softmax({ dim: 1 }).

/**
 * The options object of a layer constructor (undefined → {}), refusing anything else and unknown keys.
 * Only a plain object counts (isOptionsObject): a Map, Date or class instance has no enumerable
 * keys, so taking it as options would silently drop what the caller meant (new Dropout(new Map([['p', 0.2]]))).
 */
function layerOptions(options: unknown, layer: string, keys: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isOptionsObject(options)) {
    const hint =
      layer === 'GELU' && typeof options === 'string' ? `; pass { approximate: ${formatValue(options)} }` : '';
    throw new TypeError(
      `${layer}: argument 'options' must be an object { ${keys.map((k) => `${k}?`).join(', ')} }, got ${describe(options)}${hint}`,
    );
  }
  for (const k in options)
    if (!keys.includes(k)) throw new TypeError(`${layer}: unknown option '${k}' (known options: ${keys.join(', ')})`);
  return options as Record<string, unknown>;
}

/** A finite number argument (fallback when undefined); TypeError naming layer and name otherwise. */
function finiteArg(v: unknown, fallback: number, layer: string, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new TypeError(`${layer}: argument '${name}' must be a finite number, got ${describe(v)}`);
  return v;
}

/** A layer's single numeric hyper-parameter, given as a number or as { name: number }. */
function scalarOrOption(arg: unknown, fallback: number, layer: string, name: string): number {
  const v = isOptionsObject(arg) ? layerOptions(arg, layer, [name])[name] : arg;
  return finiteArg(v, fallback, layer, name);
}

/** A dim given as an integer or as { dim }. */
function dimArg(arg: unknown, layer: string): number {
  const v = isOptionsObject(arg) ? layerOptions(arg, layer, ['dim']).dim : arg;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`${layer}: argument 'dim' must be an integer, got ${describe(v)}`);
  return v;
}

/** x·Φ(x) elementwise ('none', exact) or its tanh approximation ('tanh'). */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    const a = layerOptions(options, 'GELU', ['approximate']).approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh')
      throw new TypeError(`GELU: option 'approximate' must be 'none' or 'tanh', got ${formatValue(a)}`);
    this.approximate = a;
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x) elementwise. */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** x for x > 0, α·(eˣ − 1) otherwise (α default 1; a number or { alpha }). */
export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha: number | { alpha?: number } = 1) {
    super();
    this.alpha = scalarOrOption(alpha, 1, 'ELU', 'alpha');
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** x for x ≥ 0, negativeSlope·x otherwise (default 0.01; a number or { negativeSlope }). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope: number | { negativeSlope?: number } = 0.01) {
    super();
    this.negativeSlope = scalarOrOption(negativeSlope, 0.01, 'LeakyReLU', 'negativeSlope');
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** log(1 + e^{βx})/β, linear above threshold (defaults β 1, threshold 20; numbers or { beta, threshold }). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta: number | { beta?: number; threshold?: number } = 1, threshold?: number) {
    super();
    let b: unknown = beta,
      t: unknown = threshold;
    if (isOptionsObject(beta)) {
      // A threshold after the options object would be silently dropped: refuse it, as keywordArgs does.
      if (threshold !== undefined)
        throw new TypeError(
          `Softplus: the options object must be the last argument, got ${describe(threshold)} after it`,
        );
      const o = layerOptions(beta, 'Softplus', ['beta', 'threshold']);
      [b, t] = [o.beta, o.threshold];
    }
    this.beta = finiteArg(b, 1, 'Softplus', 'beta');
    if (this.beta === 0)
      throw new RangeError("Softplus: argument 'beta' must be nonzero (the output is divided by it), got 0");
    this.threshold = finiteArg(t, 20, 'Softplus', 'threshold');
  }
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
}

/** softmax along dim (an integer, or { dim }). */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) {
    super();
    this.dim = dimArg(dim, 'Softmax');
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log-softmax along dim (an integer, or { dim }). */
export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) {
    super();
    this.dim = dimArg(dim, 'LogSoftmax');
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Zeroes each element with probability p in training (scaling the rest by 1/(1−p)); identity in eval. */
export class Dropout extends Module {
  readonly p: number;
  constructor(p: number | { p?: number } = 0.5) {
    super();
    const v = isOptionsObject(p) ? (layerOptions(p, 'Dropout', ['p']).p ?? 0.5) : p;
    if (typeof v !== 'number')
      throw new TypeError(`Dropout: probability p must be a number in [0, 1], got ${describe(v)}`);
    if (!(v >= 0 && v <= 1)) throw new RangeError(`Dropout: probability p must be in [0, 1], got ${String(v)}`);
    this.p = v;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learn a per-element scale (init 1) and shift (init 0) of normalizedShape (default true). */
  elementwiseAffine?: boolean;
  dtype?: 'float32' | 'float64';
}

/** Normalises over the trailing dims normalizedShape (a number or an array), then scales and shifts. */
export class LayerNorm extends Module {
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (
      !Array.isArray(shape) ||
      shape.length === 0 ||
      shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1)
    )
      throw new TypeError(
        `LayerNorm: argument 'normalizedShape' must be a positive integer or a non-empty array of them, got ${formatValue(normalizedShape)}`,
      );
    checkShape(shape, 'LayerNorm', 'normalizedShape'); // at most MAX_ELEMENTS
    const o = layerOptions(options, 'LayerNorm', ['eps', 'elementwiseAffine', 'dtype']) as LayerNormOptions;
    const eps = o.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps >= 0 && eps < Infinity))
      throw new RangeError(
        `LayerNorm: option 'eps' must be a finite non-negative number, got ${typeof eps === 'number' ? String(eps) : describe(eps)}`,
      );
    const affine = o.elementwiseAffine ?? true;
    if (typeof affine !== 'boolean')
      throw new TypeError(`LayerNorm: option 'elementwiseAffine' must be a boolean, got ${describe(affine)}`);
    const dtype = floatDtypeOption(o.dtype, 'LayerNorm');
    this.normalizedShape = shape.slice();
    this.eps = eps;
    this.registerParameter(
      'weight',
      affine ? ones_(empty(shape, dtype, 'LayerNorm', 'normalizedShape')).requiresGrad_(true) : null,
    );
    this.registerParameter(
      'bias',
      affine ? zeros_(empty(shape, dtype, 'LayerNorm', 'normalizedShape')).requiresGrad_(true) : null,
    );
  }
  /** x [..., ...normalizedShape] → same shape. */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `[${this.normalizedShape.join(', ')}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

/** A lookup table: int32 indices [...] → rows of weight [..., embeddingDim]; weight initialised N(0, 1). */
export class Embedding extends Module {
  declare weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  constructor(numEmbeddings: number, embeddingDim: number, options: { dtype?: 'float32' | 'float64' } = {}) {
    super();
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const)
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new TypeError(
          `Embedding: argument '${name}' must be a non-negative integer, got ${typeof v === 'number' ? String(v) : describe(v)}`,
        );
    checkShape([numEmbeddings, embeddingDim], 'Embedding', 'the weight shape [numEmbeddings, embeddingDim]');
    const o = layerOptions(options, 'Embedding', ['dtype']) as { dtype?: 'float32' | 'float64' };
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.registerParameter(
      'weight',
      normal_(
        empty(
          [numEmbeddings, embeddingDim],
          floatDtypeOption(o.dtype, 'Embedding'),
          'Embedding',
          'the weight shape [numEmbeddings, embeddingDim]',
        ),
      ).requiresGrad_(true),
    );
  }
  /** int32 indices of any shape → [...indices.shape, embeddingDim]. */
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/** The layers whose outputs Sequential may mark private (each returns a fresh tensor from its input). */
const PLAIN_LAYERS = new Set<unknown>([
  Linear,
  ReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  ELU,
  LeakyReLU,
  Softplus,
  Softmax,
  LogSoftmax,
  LayerNorm,
]);
