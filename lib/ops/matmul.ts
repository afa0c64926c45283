// matmul with torch.matmul's semantics (1-D operands, broadcast batch dims), built on one Function
// for C = op(A)·op(B) with transpose flags. Its backward is two more such products, never a
// transposed copy (the flags become GEMM strides) and never a Jacobian:
//   C = A·B:    dA = dC·Bᵀ   dB = Aᵀ·dC        C = Aᵀ·B:   dA = B·dCᵀ   dB = A·dC
//   C = A·Bᵀ:   dA = dC·B    dB = dCᵀ·A        C = Aᵀ·Bᵀ:  dA = Bᵀ·dCᵀ  dB = dCᵀ·Aᵀ
import { Function, type FunctionCtx } from '../autograd/function.js';
import { type FloatArray, allocateUninitialized } from '../dtype.js';
import { gemm, gemmBatched } from '../kernels/matmul.js';
import { broadcastShapes, checkElementCount, formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { reshape, reshapeOwnResult } from './reshape.js';
import { sumTo } from './sum_to.js';
import { checkTensorArg, runN } from './util.js';

/** Rows/cols of op(X) for the last two dims of x. */
function opDims(x: Tensor, trans: boolean): [number, number] {
  const r = x.shape[x.ndim - 2],
    c = x.shape[x.ndim - 1];
  return trans ? [c, r] : [r, c];
}

/** Element offsets of each batch entry of x (batch dims broadcast to `batch`). */
function batchOffsets(x: Tensor, batch: readonly number[]): Float64Array {
  const count = sizeOf(batch);
  const offsets = new Float64Array(count);
  const xb = x.shape.slice(0, -2);
  const matrix = x.shape[x.ndim - 2] * x.shape[x.ndim - 1];
  const lead = batch.length - xb.length;
  const strides = new Array<number>(batch.length).fill(0);
  for (let d = xb.length - 1, s = matrix; d >= 0; d--) {
    strides[d + lead] = xb[d] === 1 ? 0 : s;
    s *= xb[d];
  }
  const idx = new Array<number>(batch.length).fill(0);
  let off = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = off;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < batch[d]) break;
      off -= strides[d] * batch[d];
      idx[d] = 0;
    }
  }
  return offsets;
}

/** op(A)·op(B) for tensors of rank ≥ 2 with broadcast batch dims; no autograd. */
function matmulKernel(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [m, k] = opDims(a, transA);
  const [, n] = opDims(b, transB);
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const outShape = [...batch, m, n];
  const out = allocateUninitialized(a.dtype, sizeOf(outShape)) as FloatArray; // β = 0: the GEMM writes every element
  const ac = a.shape[a.ndim - 1],
    bc = b.shape[b.ndim - 1];
  const A = { data: a.data as FloatArray, offset: 0, rs: transA ? 1 : ac, cs: transA ? ac : 1 };
  const B = { data: b.data as FloatArray, offset: 0, rs: transB ? 1 : bc, cs: transB ? bc : 1 };
  const C = { data: out, offset: 0, rs: n, cs: 1 };
  const count = sizeOf(batch);
  if (count === 0 || m === 0 || n === 0) return Tensor._wrap(out, outShape, a.dtype);
  if (count === 1) gemm(m, n, k, 1, A, B, 0, C);
  else if (b.ndim === 2 && !transA && sizeOf(a.shape.slice(0, -2)) === count) {
    // B is shared by every batch entry and A's rows are contiguous across batches: one tall GEMM.
    gemm(count * m, n, k, 1, A, B, 0, C);
  } else {
    const cOffsets = new Float64Array(count);
    for (let i = 0; i < count; i++) cOffsets[i] = i * m * n;
    gemmBatched(m, n, k, 1, A, batchOffsets(a, batch), B, batchOffsets(b, batch), 0, C, cOffsets);
  }
  return Tensor._wrap(out, outShape, a.dtype);
}

/** What MatMul keeps for backward besides saved tensors. */
type MatMulCtx = FunctionCtx<{ transA: boolean; transB: boolean }>;

export class MatMul extends Function {
  static override forward(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    return matmulKernel(a, b, transA, transB);
  }
  static override setupContext(ctx: MatMulCtx, [a, b, transA, transB]: [Tensor, Tensor, boolean, boolean]): void {
    ctx.saveForBackward(ctx.needsInputGrad[1] ? a : null, ctx.needsInputGrad[0] ? b : null);
    ctx.saved = { transA, transB };
  }
  static override backward(ctx: MatMulCtx, g: Tensor): [Tensor | null, Tensor | null, null, null] {
    const [a, b] = ctx.savedTensors;
    const tA = ctx.saved.transA,
      tB = ctx.saved.transB;
    let da: Tensor | null = null,
      db: Tensor | null = null;
    const [aShape, bShape] = ctx.inputShapes;
    if (ctx.needsInputGrad[0]) da = sumTo(tA ? matmulT(b, g, tB, true) : matmulT(g, b, false, !tB), aShape!);
    if (ctx.needsInputGrad[1]) db = sumTo(tB ? matmulT(g, a, true, tA) : matmulT(a, g, !tA, false), bShape!);
    return [da, db, null, null];
  }
}

/**
 * op(a)·op(b) for tensors of rank ≥ 2 with broadcast batch dims, where op transposes the last two
 * dims when its flag is set. The transposes are GEMM strides, not copies.
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  checkMatmulOperands(a, b, 'matmul');
  if (a.ndim < 2 || b.ndim < 2)
    throw new RangeError(
      `matmul: matmulT needs operands of rank >= 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  const [, k] = opDims(a, transA);
  const [kb] = opDims(b, transB);
  if (k !== kb)
    throw new RangeError(
      `matmul: inner dimensions must match, got a ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} and b ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} (${k} vs ${kb})`,
    );
  const batch = matmulBatch(a, b);
  const [m] = opDims(a, transA),
    [, n] = opDims(b, transB);
  checkElementCount(sizeOf(batch) * m * n, 'matmul', () => `the result shape ${formatShape([...batch, m, n])}`);
  return runN(MatMul, [a, b, transA, transB]) as Tensor;
}

/** The broadcast batch dims of a and b (rank ≥ 2), or a RangeError that shows both full shapes. */
function matmulBatch(a: Tensor, b: Tensor): number[] {
  try {
    return broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  } catch {
    throw new RangeError(
      `matmul: batch dimensions must broadcast, got a ${formatShape(a.shape)} and b ${formatShape(b.shape)} ` +
        `(batch shapes ${formatShape(a.shape.slice(0, -2))} and ${formatShape(b.shape.slice(0, -2))})`,
    );
  }
}

function checkMatmulOperands(a: Tensor, b: Tensor, op: string): void {
  a = checkTensorArg(a, op, 'a');
  b = checkTensorArg(b, op, 'b');
  for (const [name, x] of [
    ['a', a],
    ['b', b],
  ] as const)
    if (x.dtype !== 'float32' && x.dtype !== 'float64')
      throw new TypeError(`${op}: argument '${name}' must be float32 or float64, got ${x.dtype}`);
  if (a.dtype !== b.dtype)
    throw new TypeError(`${op}: both operands must have the same dtype, got a ${a.dtype} and b ${b.dtype}`);
}

/**
 * Matrix product with torch.matmul's rules: 1-D·1-D is a dot product (0-d); a 1-D first operand is
 * a row vector and a 1-D second operand a column vector (the added dim is removed again);
 * higher ranks are batches of matrices whose batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkMatmulOperands(a, b, 'matmul');
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError(
      `matmul: both operands must have at least one dim, got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`,
    );
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const ka = a2.shape[a2.ndim - 1],
    kb = b2.shape[b2.ndim - 2];
  if (ka !== kb)
    throw new RangeError(
      `matmul: inner dimensions must match, got a ${formatShape(a.shape)} and b ${formatShape(b.shape)} (${ka} vs ${kb})`,
    );
  const c = matmulT(a2, b2, false, false);
  if (a.ndim > 1 && b.ndim > 1) return c;
  const shape = c.shape.slice();
  if (b.ndim === 1) shape.splice(shape.length - 1, 1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return reshapeOwnResult(c, shape);
}
