// argmin: the int32 index of the (first) minimum, along a dim or over the flattened tensor. A NaN counts
// as the minimum (as PyTorch). Not differentiable: the result is an integer tensor.
import type { Tensor } from '../tensor.js';
import { argExtreme } from './argmax.js';
import type { KeepdimOption } from './util.js';

/** Index (int32) of the first minimum along dim, or in the flattened tensor when dim is omitted. */
export function argmin(
  x: Tensor,
  dim?: number | null | { dim?: number | null; keepdim?: boolean },
  keepdim?: boolean | KeepdimOption,
): Tensor {
  return argExtreme('min', 'argmin', x, dim, keepdim);
}
