// Linear: y = x·Wᵀ + b as ONE GEMM with the bias added in its epilogue (no separate broadcast add).
// Backward is two more GEMMs through matmulT's transpose flags (never a transposed copy) and a sum:
//   dX = dY·W     dW = dYᵀ·X     db = Σ_batch dY
// Those are tensor ops, so gradients of gradients (createGraph) work.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { type FloatArray, allocateUninitialized } from '../dtype.js';
import { gemm } from '../kernels/matmul.js';
import { matmulT } from '../ops/matmul.js';
import { reshape } from '../ops/reshape.js';
import { sum } from '../ops/sum.js';
import { checkTensorArg, isOptionsObject, runN } from '../ops/util.js';
import { checkShape, describe, formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from './init.js';
import { empty, floatDtypeOption } from './util.js';

export class LinearFunction extends Function {
  static override forward(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    const inF = weight.shape[1],
      outF = weight.shape[0];
    const rows = sizeOf(x.shape.slice(0, -1));
    const outShape = [...x.shape.slice(0, -1), outF];
    const out = allocateUninitialized(x.dtype, rows * outF) as FloatArray; // β = 0: the GEMM writes every element
    if (rows > 0 && outF > 0) {
      // B = Wᵀ (in × out) read through W's storage: element (p, j) = W[j, p] at j·in + p.
      gemm(
        rows,
        outF,
        inF,
        1,
        { data: x.data as FloatArray, offset: 0, rs: inF, cs: 1 },
        { data: weight.data as FloatArray, offset: 0, rs: 1, cs: inF },
        0,
        { data: out, offset: 0, rs: outF, cs: 1 },
        bias === null ? null : (bias.data as FloatArray),
      );
    }
    return Tensor._wrap(out, outShape, x.dtype);
  }
  static override setupContext(ctx: FunctionCtx, [x, weight]: [Tensor, Tensor, Tensor | null]): void {
    ctx.saveForBackward(ctx.needsInputGrad[1] ? x : null, ctx.needsInputGrad[0] ? weight : null);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): [Tensor | null, Tensor | null, Tensor | null] {
    const [x, weight] = ctx.savedTensors;
    const xShape = ctx.inputShapes[0]!;
    const outF = g.shape[g.ndim - 1];
    const rows = sizeOf(xShape.slice(0, -1));
    const g2 = g.ndim === 2 ? g : reshape(g, [rows, outF]);
    let dx: Tensor | null = null,
      dw: Tensor | null = null,
      db: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      const d = matmulT(g2, weight, false, false); // dY·W
      dx = d.ndim === xShape.length ? d : reshape(d, xShape as number[]);
    }
    if (ctx.needsInputGrad[1]) {
      const x2 = x.ndim === 2 ? x : reshape(x, [rows, x.shape[x.ndim - 1]]);
      dw = matmulT(g2, x2, true, false); // dYᵀ·X
    }
    if (ctx.needsInputGrad[2]) db = sum(g2, 0);
    return [dx, dw, db];
  }
}

/** y = x·Wᵀ + b: x [..., in], weight [out, in], bias [out] or null → y [..., out]. One fused GEMM. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkTensorArg(x, 'linear', 'x');
  checkTensorArg(weight, 'linear', 'weight');
  if (bias !== null && bias !== undefined) checkTensorArg(bias, 'linear', 'bias');
  const b = bias ?? null;
  for (const [name, t] of [
    ['x', x],
    ['weight', weight],
    ['bias', b],
  ] as const)
    if (t !== null && t.dtype !== 'float32' && t.dtype !== 'float64')
      throw new TypeError(`linear: argument '${name}' must be float32 or float64, got ${t.dtype}`);
  if (weight.dtype !== x.dtype || (b !== null && b.dtype !== x.dtype))
    throw new TypeError(
      `linear: x, weight and bias must have the same dtype, got x ${x.dtype}, weight ${weight.dtype}${b ? `, bias ${b.dtype}` : ''}`,
    );
  if (weight.ndim !== 2)
    throw new RangeError(`linear: argument 'weight' must be 2-D [out, in], got shape ${formatShape(weight.shape)}`);
  if (x.ndim < 1)
    throw new RangeError(`linear: argument 'x' must have at least one dim, got shape ${formatShape(x.shape)}`);
  if (x.shape[x.ndim - 1] !== weight.shape[1])
    throw new RangeError(
      `linear: x's last dim must equal weight's in-features, got x ${formatShape(x.shape)} and weight ${formatShape(weight.shape)}`,
    );
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== weight.shape[0]))
    throw new RangeError(`linear: argument 'bias' must have shape [${weight.shape[0]}], got ${formatShape(b.shape)}`);
  return runN(LinearFunction, [x, weight, b]) as Tensor;
}

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** float32 (default) or float64. */
  dtype?: 'float32' | 'float64';
}

/** y = x·Wᵀ + b, x [..., inFeatures] → y [..., outFeatures]; PyTorch's default initialisation. */
export class Linear extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, v] of [
      ['inFeatures', inFeatures],
      ['outFeatures', outFeatures],
    ] as const)
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new TypeError(
          `Linear: argument '${name}' must be a non-negative integer, got ${typeof v === 'number' ? String(v) : describe(v)}`,
        );
    // The weight's size is checked before anything is allocated (Linear(1e6, 1e6) is 10^12 elements).
    checkShape([outFeatures, inFeatures], 'Linear', 'the weight shape [outFeatures, inFeatures]');
    if (!isOptionsObject(options))
      // a plain object only, as for the other layers (a Map's entries would be ignored)
      throw new TypeError(`Linear: argument 'options' must be an object { bias?, dtype? }, got ${describe(options)}`);
    for (const k in options)
      if (k !== 'bias' && k !== 'dtype')
        throw new TypeError(`Linear: unknown option '${k}' (known options: bias, dtype)`);
    const useBias = options.bias ?? true;
    if (typeof useBias !== 'boolean')
      throw new TypeError(`Linear: option 'bias' must be a boolean, got ${describe(useBias)}`);
    const dtype = floatDtypeOption(options.dtype, 'Linear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.registerParameter(
      'weight',
      empty([outFeatures, inFeatures], dtype, 'Linear', 'the weight shape [outFeatures, inFeatures]').requiresGrad_(
        true,
      ),
    );
    this.registerParameter(
      'bias',
      useBias ? empty([outFeatures], dtype, 'Linear', 'the bias shape [outFeatures]').requiresGrad_(true) : null,
    );
    this.resetParameters();
  }

  /** PyTorch's init: kaiming_uniform(a = √5) for the weight, U(±1/√fanIn) for the bias. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** x [..., inFeatures] → [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
