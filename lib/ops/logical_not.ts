// logicalNot: true where x is zero (false, 0), as a bool tensor. Not differentiable.
import { Tensor } from '../tensor.js';
import { checkTensorArg } from './util.js';

/** ¬x elementwise as a bool tensor of x's shape: true where x == 0 (NaN counts as nonzero). */
export function logicalNot(x: Tensor): Tensor {
  x = checkTensorArg(x, 'logicalNot', 'x');
  const src = x.data;
  const n = src.length;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = +(src[k] === 0); // branch-free: a ternary mispredicts on irregular data
  return Tensor._wrap(out, x.shape, 'bool');
}
