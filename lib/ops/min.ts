// min: min() is the 0-d minimum (ties share the gradient evenly, as PyTorch); min(dim, keepdim) gives
// { values, indices } (the gradient goes to the picked index). The body is in extremum.ts.
import type { Tensor } from '../tensor.js';
import { ExtremumAll, ExtremumDim, extremum } from './extremum.js';
import type { KeepdimOption, ReduceOptions } from './util.js';

export class MinAll extends ExtremumAll {
  static override which = 'min' as const;
}

export class MinDim extends ExtremumDim {
  static override which = 'min' as const;
}

/** min(x): the 0-d minimum. min(x, dim, keepdim): { values, indices } along dim (indices int32). */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean | KeepdimOption): { values: Tensor; indices: Tensor };
export function min(x: Tensor, options: { dim: number; keepdim?: boolean }): { values: Tensor; indices: Tensor };
export function min(
  x: Tensor,
  dim?: number | ReduceOptions,
  keepdim?: boolean | KeepdimOption,
): Tensor | { values: Tensor; indices: Tensor } {
  return extremum(MinAll, MinDim, x, dim, keepdim);
}
