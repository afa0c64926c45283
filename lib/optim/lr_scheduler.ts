// Learning-rate schedulers (closed forms of torch.optim.lr_scheduler): construct after the
// optimizer, call step() once per epoch after optimizer.step().
import { recorder } from '../compile/state.js';
import { describe } from '../shape.js';
import { Optimizer } from './optimizer.js';

export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The initial lr of each group (stored on the group as initialLr, as torch's initial_lr). */
  readonly baseLrs: number[];
  /** Epochs stepped so far (0 after construction). */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, name: string) {
    if (!(optimizer instanceof Optimizer))
      throw new TypeError(`${name}: argument 'optimizer' must be an Optimizer, got ${describe(optimizer)}`);
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group at epoch lastEpoch (closed form). */
  protected abstract lrAt(base: number, epoch: number): number;

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    const rec = recorder();
    if (rec !== null) {
      rec.effect('LRScheduler.step', () => this.step()); // replay moves the schedule on, as eager would
      return;
    }
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.baseLrs[i], this.lastEpoch);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lrs set by the last step (or the initial ones). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): { lastEpoch: number; baseLrs: number[]; lastLr: number[] } {
    return { lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  /** Restores lastEpoch, baseLrs and getLastLr() (recomputed from the closed form when lastLr is absent). */
  loadStateDict(s: { lastEpoch: number; baseLrs: number[]; lastLr?: number[] }): void {
    const n = `${this.constructor.name}.loadStateDict`;
    if (
      s === null ||
      typeof s !== 'object' ||
      typeof s.lastEpoch !== 'number' ||
      !Array.isArray(s.baseLrs) ||
      s.baseLrs.length !== this.baseLrs.length
    )
      throw new TypeError(
        `${n}: expected { lastEpoch, baseLrs } with ${this.baseLrs.length} lr(s), got ${describe(s)}`,
      );
    // Checked before anything is changed, so a refused dict leaves the scheduler as it was.
    if (!Number.isInteger(s.lastEpoch) || s.lastEpoch < 0)
      throw new RangeError(`${n}: 'lastEpoch' must be a non-negative integer, got ${s.lastEpoch}`);
    s.baseLrs.forEach((v: unknown, i) => {
      checkLr(v, n, `'baseLrs' entry ${i}`);
    });
    if (s.lastLr !== undefined) {
      if (!Array.isArray(s.lastLr) || s.lastLr.length !== this.baseLrs.length)
        throw new TypeError(
          `${n}: 'lastLr' must be an array of ${this.baseLrs.length} lr(s), got ${describe(s.lastLr)}`,
        );
      s.lastLr.forEach((v: unknown, i) => {
        checkLr(v, n, `'lastLr' entry ${i}`);
      });
    }
    this.lastEpoch = s.lastEpoch;
    s.baseLrs.forEach((v, i) => {
      this.baseLrs[i] = v;
    });
    this.lastLr =
      Array.isArray(s.lastLr) && s.lastLr.length === this.baseLrs.length
        ? s.lastLr.slice()
        : this.baseLrs.map((base) => (this.lastEpoch === 0 ? base : this.lrAt(base, this.lastEpoch)));
  }
}

function checkLr(v: unknown, fn: string, what: string): void {
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new TypeError(`${fn}: ${what} must be a finite number >= 0, got ${describe(v)}`);
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${fn}: ${what} must be a finite number >= 0, got ${v}`);
}

function finiteOption(v: unknown, fn: string, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new TypeError(`${fn}: option '${name}' must be a finite number, got ${describe(v)}`);
  return v;
}

function positiveInt(v: unknown, fn: string, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new RangeError(
      `${fn}: option '${name}' must be a positive integer, got ${typeof v === 'number' ? String(v) : describe(v)}`,
    );
  return v;
}

/** lr = base · γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer, 'StepLR');
    if (options === null || typeof options !== 'object')
      throw new TypeError('StepLR: options { stepSize, gamma? } are required');
    this.stepSize = positiveInt(options.stepSize, 'StepLR', 'stepSize');
    this.gamma = finiteOption(options.gamma ?? 0.1, 'StepLR', 'gamma');
  }
  protected lrAt(base: number, epoch: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = ηmin + (base − ηmin)·(1 + cos(π·epoch / tMax)) / 2 (the closed form of SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer, 'CosineAnnealingLR');
    if (options === null || typeof options !== 'object')
      throw new TypeError('CosineAnnealingLR: options { tMax, etaMin? } are required');
    this.tMax = positiveInt(options.tMax, 'CosineAnnealingLR', 'tMax');
    this.etaMin = finiteOption(options.etaMin ?? 0, 'CosineAnnealingLR', 'etaMin');
  }
  protected lrAt(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
