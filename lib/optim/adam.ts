// Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay), as torch.optim.
import type { FloatArray } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { adamUpdate } from '../kernels/optim.js';
import { describe, formatValue } from '../shape.js';
import { Optimizer, checkHyper, checkOptionKeys, type ParamGroup, type ParamGroupInput } from './optimizer.js';

const ADAM_KEYS: readonly string[] = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'];

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

abstract class AdamBase extends Optimizer {
  protected abstract readonly decoupled: boolean;

  protected validateGroup(g: ParamGroup): void {
    const n = this.name;
    checkHyper(g.lr, n, "option 'lr'");
    checkHyper(g.eps, n, "option 'eps'");
    checkHyper(g.weightDecay, n, "option 'weightDecay'");
    const b = g.betas as unknown;
    if (!Array.isArray(b) || b.length !== 2)
      throw new TypeError(
        `${n}: option 'betas' must be a pair [beta1, beta2], got ${Array.isArray(b) ? formatValue(b) : describe(b)}`,
      );
    checkHyper(b[0], n, "option 'betas' entry 0", 0, 1, true);
    checkHyper(b[1], n, "option 'betas' entry 1", 0, 1, true);
    for (const k of ['amsgrad', 'maximize'])
      if (typeof g[k] !== 'boolean')
        throw new TypeError(`${n}: option '${k}' must be a boolean, got ${describe(g[k])}`);
  }

  /** One update of every parameter with a gradient; returns closure's loss if given. */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = this.runClosure(closure);
    const gradsByGroup = this.stepGradients();
    this.paramGroups.forEach((group, g) => {
      const [beta1, beta2] = group.betas as [number, number];
      const h = {
        lr: group.lr,
        beta1,
        beta2,
        eps: group.eps as number,
        weightDecay: group.weightDecay as number,
        decoupled: this.decoupled,
        amsgrad: group.amsgrad as boolean,
        maximize: group.maximize as boolean,
      };
      const grads = gradsByGroup[g];
      group.params.forEach((p, i) => {
        const grad = grads[i];
        if (grad === null) return;
        let state = this.state.get(p);
        if (state === undefined) {
          const zeros = () =>
            Tensor._wrap(new (p.data.constructor as Float32ArrayConstructor)(p.size), p.shape, p.dtype);
          state = { step: 0, expAvg: zeros(), expAvgSq: zeros() };
          if (h.amsgrad) state.maxExpAvgSq = zeros();
          this.state.set(p, state);
        }
        if (h.amsgrad && !(state.maxExpAvgSq instanceof Tensor))
          state.maxExpAvgSq = Tensor._wrap(
            new (p.data.constructor as Float32ArrayConstructor)(p.size),
            p.shape,
            p.dtype,
          );
        const step = (state.step as number) + 1;
        state.step = step;
        const vmax = h.amsgrad ? ((state.maxExpAvgSq as Tensor).data as FloatArray) : null;
        adamUpdate(
          p.data as FloatArray,
          grad,
          (state.expAvg as Tensor).data as FloatArray,
          (state.expAvgSq as Tensor).data as FloatArray,
          vmax,
          h,
          step,
        );
        p._bumpVersion();
      });
    });
    return loss;
  }
}

function adamDefaults(options: AdamOptions, name: string, weightDecay: number) {
  checkOptionKeys(options, name, ADAM_KEYS);
  const betas: unknown = options.betas ?? [0.9, 0.999];
  return {
    lr: options.lr ?? 1e-3,
    betas: (Array.isArray(betas) ? betas.slice() : betas) as [number, number], // a non-array is refused by validateGroup
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
    maximize: options.maximize ?? false,
  };
}

/** Adam (Kingma & Ba), weight decay as L2 added to the gradient; defaults lr 1e-3, betas [0.9, 0.999], eps 1e-8. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 'Adam', 0), 'Adam');
  }
}

/** AdamW (Loshchilov & Hutter): decoupled weight decay p ← p·(1 − lr·wd), default wd 1e-2. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput>, options: AdamOptions = {}) {
    super(params, adamDefaults(options, 'AdamW', 1e-2), 'AdamW');
  }
}
