// The reduction option shared by the losses.
import { describe } from '../shape.js';
import { mean } from '../ops/mean.js';
import { sum } from '../ops/sum.js';
import type { Tensor } from '../tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

/** Validates a loss's reduction option (default 'mean'). */
export function checkReduction(r: unknown, fn: string): Reduction {
  if (r === undefined) return 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none')
    throw new TypeError(
      `${fn}: option 'reduction' must be 'mean', 'sum' or 'none', got ${typeof r === 'string' ? JSON.stringify(r) : describe(r)}`,
    );
  return r;
}

/** Applies the reduction to elementwise losses. */
export function reduceLoss(x: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? x : reduction === 'sum' ? sum(x) : mean(x);
}
