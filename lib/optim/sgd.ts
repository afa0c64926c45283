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
    for (const group of this.paramGroups) {
      const h = group as unknown as {
        lr: number;
        momentum: number;
        dampening: number;
        nesterov: boolean;
        weightDecay: number;
        maximize: boolean;
      };
      for (const p of group.params) {
        if (p._peekGrad() === null) continue;
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
        const grad = gradData(p);
        sgdUpdate(p.data as FloatArray, grad, buf === null ? null : (buf.data as FloatArray), h, first);
        p._bumpVersion();
      }
    }
    return loss;
  }
}

/** The gradient's storage in the parameter's float kind (converted if a hook changed its dtype). */
export function gradData(p: Tensor): FloatArray {
  const g = p._peekGrad()!;
  if (g.size !== p.size)
    throw new RangeError(
      `optimizer: the gradient of a parameter of shape [${p.shape.join(', ')}] has shape [${g.shape.join(', ')}]`,
    );
  if (g.data.constructor === p.data.constructor) return g.data as FloatArray;
  return (p.dtype === 'float32' ? Float32Array.from(g.data) : Float64Array.from(g.data)) as FloatArray;
}
