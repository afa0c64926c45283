// nllLoss's forward and gradient mask: loops over the class-index targets, as kernels, so that
// tg.compile records them and a replay reruns them on that call's input, targets and weights.
import { recorder } from '../compile/state.js';
import { allocate, type FloatArray } from '../dtype.js';
import { Tensor } from '../tensor.js';

type NllReduction = 'mean' | 'sum' | 'none';

/** Mean's divisor: Σ w_{y_i} over the targets not ignored (1 each without weights). */
function nllDivisor(indices: Int32Array, w: ArrayLike<number> | null, ignoreIndex: number): number {
  let divisor = 0;
  for (let i = 0; i < indices.length; i++) if (indices[i] !== ignoreIndex) divisor += w === null ? 1 : w[indices[i]];
  return divisor;
}

/** Throws a RangeError naming nllLoss unless every target is in 0..C-1 or the ignore index. */
function checkTargets(indices: Int32Array, C: number, ignoreIndex: number): void {
  for (let i = 0; i < indices.length; i++) {
    const y = indices[i];
    if (y !== ignoreIndex && (y < 0 || y >= C))
      throw new RangeError(`nllLoss: target ${y} is out of bounds for ${C} classes (at flat index ${i})`);
  }
}

/** loss_i = −w_{y_i}·x[i, y_i] (0 where ignored) for x [M, C]; summed, or averaged over Σ w_{y_i}, unless 'none'. */
export function nllForward(
  x: Tensor,
  weight: Tensor | null,
  indices: Int32Array,
  ignoreIndex: number,
  reduction: NllReduction,
): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('nllForward', nllForward, [x, weight, indices, ignoreIndex, reduction]);
  const [M, C] = x.shape;
  checkTargets(indices, C, ignoreIndex);
  const loss = allocate(x.dtype, M) as FloatArray;
  const w = weight?.data;
  for (let i = 0; i < M; i++) {
    const y = indices[i];
    loss[i] = y === ignoreIndex ? 0 : -(w === undefined ? 1 : w[y]) * x.data[i * C + y];
  }
  if (reduction === 'none') return Tensor._wrap(loss, [M], x.dtype);
  let s = 0;
  for (let i = 0; i < M; i++) s += loss[i];
  const out = allocate(x.dtype, 1);
  out[0] = reduction === 'sum' ? s : s / nllDivisor(indices, w ?? null, ignoreIndex);
  return Tensor._wrap(out, [], x.dtype);
}

/** The gradient of nllForward as a constant [M, C] mask: −w_{y_i} (÷ the divisor for 'mean') at (i, y_i). */
export function nllGradMask(
  shape: readonly number[],
  dtype: 'float32' | 'float64',
  weight: Tensor | null,
  indices: Int32Array,
  ignoreIndex: number,
  reduction: NllReduction,
): Tensor {
  const rec = recorder();
  if (rec !== null)
    return rec.jsKernel('nllGradMask', nllGradMask, [shape, dtype, weight, indices, ignoreIndex, reduction]);
  const [M, C] = shape;
  const mask = allocate(dtype, M * C) as FloatArray;
  const w = weight?.data;
  const scale = reduction === 'mean' ? 1 / nllDivisor(indices, w ?? null, ignoreIndex) : 1;
  for (let i = 0; i < M; i++) {
    const y = indices[i];
    if (y !== ignoreIndex) mask[i * C + y] = -(w === undefined ? 1 : w[y]) * scale;
  }
  return Tensor._wrap(mask, [M, C], dtype);
}
