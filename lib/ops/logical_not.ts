// logicalNot: true where x is zero (false, 0), as a bool tensor. Not differentiable.
import { compareKernel } from '../kernels/indexing.js';
import type { Tensor } from '../tensor.js';
import { checkTensorArg } from './util.js';

/** ¬x elementwise as a bool tensor of x's shape: true where x == 0 (NaN counts as nonzero). */
export function logicalNot(x: Tensor): Tensor {
  x = checkTensorArg(x, 'logicalNot', 'x');
  return compareKernel('eq', x, 0, x.shape.slice()); // a kernel (tg.compile records it); NaN === 0 is false
}
