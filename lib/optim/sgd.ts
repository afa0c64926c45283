// SGD with momentum, dampening, Nesterov momentum, weight decay and maximize (torch.optim.SGD).
import type { FloatArray } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { sgdUpdate } from '../kernels/optim.js';
import { describe } from '../shape.js';
import { Optimizer, checkHyper, checkOptionKeys, type ParamGroup, type ParamGroupInput } from './optimizer.js';

const SGD_KEYS: readonly string[] = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize'];

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  maximize?: boolean;
}

/** Stochastic gradient descent; params is a list of tensors or of groups { params, lr?, ... }. */
export class SGD extends Optimizer {
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput>, options: SGDOptions) {
    checkOptionKeys(options, 'SGD', SGD_KEYS);
    if (options.lr === undefined) throw new TypeError("SGD: option 'lr' is required");
    super(
      params,
      {
        lr: options.lr,
        momentum: options.momentum ?? 0,
        dampening: options.dampening ?? 0,
        nesterov: options.nesterov ?? false,
        weightDecay: options.weightDecay ?? 0,
        maximize: options.maximize ?? false,
      },
      'SGD',
    );
  }

  protected validateGroup(g: ParamGroup): void {
    checkHyper(g.lr, 'SGD', "option 'lr'");
    checkHyper(g.momentum, 'SGD', "option 'momentum'");
    checkHyper(g.dampening, 'SGD', "option 'dampening'");
    checkHyper(g.weightDecay, 'SGD', "option 'weightDecay'");
    for (const k of ['nesterov', 'maximize'])
      if (typeof g[k] !== 'boolean') throw new TypeError(`SGD: option '${k}' must be a boolean, got ${describe(g[k])}`);
    if (g.nesterov && ((g.momentum as number) <= 0 || g.dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
  }

  /** One update of every parameter with a gradient; returns closure's loss if given. */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = this.runClosure(closure);
    const gradsByGroup = this.stepGradients();
    this.paramGroups.forEach((group, g) => {
      const h = group as unknown as {
        lr: number;
        momentum: number;
        dampening: number;
        nesterov: boolean;
        weightDecay: number;
        maximize: boolean;
      };
      const grads = gradsByGroup[g];
      group.params.forEach((p, i) => {
        const grad = grads[i];
        if (grad === null) return;
        let state = this.state.get(p);
        let first = false;
        let buf: Tensor | null = null;
        if (h.momentum !== 0) {
          if (state === undefined || !(state.momentumBuffer instanceof Tensor)) {
            state = {
              momentumBuffer: Tensor._wrap(
                new (p.data.constructor as Float32ArrayConstructor)(p.size),
                p.shape,
                p.dtype,
              ),
            };
            this.state.set(p, state);
            first = true;
          }
          buf = state.momentumBuffer as Tensor;
        }
        sgdUpdate(p.data as FloatArray, grad, buf === null ? null : (buf.data as FloatArray), h, first);
        p._bumpVersion();
      });
    });
    return loss;
  }
}
