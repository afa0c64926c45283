// max: max() is the 0-d maximum (ties share the gradient evenly, as PyTorch); max(dim, keepdim) gives
// { values, indices } (the gradient goes to the picked index). The body is in extremum.ts.
import type { Tensor } from '../tensor.js';
import { ExtremumAll, ExtremumDim, extremum } from './extremum.js';
import type { KeepdimOption, ReduceOptions } from './util.js';

export class MaxAll extends ExtremumAll {
  static override which = 'max' as const;
}

export class MaxDim extends ExtremumDim {
  static override which = 'max' as const;
}

/** max(x): the 0-d maximum. max(x, dim, keepdim): { values, indices } along dim (indices int32). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean | KeepdimOption): { values: Tensor; indices: Tensor };
export function max(x: Tensor, options: { dim: number; keepdim?: boolean }): { values: Tensor; indices: Tensor };
export function max(
  x: Tensor,
  dim?: number | ReduceOptions,
  keepdim?: boolean | KeepdimOption,
): Tensor | { values: Tensor; indices: Tensor } {
  return extremum(MaxAll, MaxDim, x, dim, keepdim);
}
