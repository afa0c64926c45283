// neg: −x elementwise. d/dx = −1.
import { Function } from '../autograd/function.js';
import { unary } from '../kernels/elementwise.js';
import { Tensor } from '../tensor.js';
import { checkTensorArg, run1 } from './util.js';

export class Neg extends Function {
  static override forward(x: Tensor): Tensor {
    return unary('neg', x);
  }
  static override setupContext(): void {
    // Nothing to save.
  }
  static override backward(_ctx: unknown, g: Tensor): Tensor {
    return neg(g);
  }
}

/** −x elementwise. */
export function neg(x: Tensor): Tensor {
  checkTensorArg(x, 'neg', 'x');
  return run1(Neg, x);
}
