// Optimizer: parameter groups, per-parameter state, zeroGrad, stateDict/loadStateDict (as torch.optim).
// Subclasses implement step(); updates are written straight into the parameters' storage (outside the
// graph, like torch's no_grad) and bump each parameter's version counter, so a graph that saved a
// parameter before the update refuses to backward through the stale value.
import { recorder } from '../compile/state.js';
import type { FloatArray } from '../dtype.js';
import { withGradMode } from '../grad_mode.js';
import { describe, formatShape, formatValue, shapesEqual } from '../shape.js';
import { checkStorage, Tensor } from '../tensor.js';

/** Hyper-parameters of a group (lr and the optimizer's own options). */
export type Hyper = Record<string, unknown> & { lr: number };

/** A parameter group as given by the user: { params, ...overrides of the defaults }. */
export interface ParamGroupInput {
  params: Iterable<Tensor>;
  [option: string]: unknown;
}

/** A parameter group after construction: the tensors plus every hyper-parameter filled in. */
export type ParamGroup = Hyper & { params: Tensor[] };

/** Per-parameter optimizer state: a step count and state tensors (momentum buffers, moments). */
export type ParamState = Record<string, Tensor | number>;

/** The serialisable optimizer state: parameters are referred to by their index over all groups. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[] = [];
  /** State per parameter tensor (filled lazily by step()). */
  readonly state = new Map<Tensor, ParamState>();
  readonly defaults: Hyper;
  protected readonly name: string;

  constructor(params: Iterable<Tensor> | Iterable<ParamGroupInput>, defaults: Hyper, name: string) {
    this.name = name;
    this.defaults = defaults;
    if (
      params === null ||
      typeof params !== 'object' ||
      typeof (params as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'
    )
      throw new TypeError(
        `${name}: argument 'params' must be an array of Tensors or of parameter groups, got ${describe(params)}`,
      );
    // The defaults are checked here too, not only through the groups that use them (PyTorch refuses lr < 0 at once).
    this.validateGroup({ ...defaults, params: [] } as ParamGroup);
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor)
      ? [{ params: list as Tensor[] }]
      : (list as ParamGroupInput[]);
    for (const g of groups) this.addParamGroup(g);
    // Under tg.compile's recording a step is an effect: replay runs this JS again, so the update reads
    // the hyper-parameters, step counts and state of its time, as an eager step would.
    const ownStep = this.step;
    this.step = (closure?: () => Tensor | number): Tensor | number | undefined => {
      const rec = recorder();
      if (rec === null) return ownStep.call(this, closure);
      for (const g of this.paramGroups) for (const p of g.params) rec.noteTensor(p);
      let result: Tensor | number | undefined;
      rec.effect(`${this.name}.step`, () => {
        result = ownStep.call(this, closure);
      });
      return result;
    };
  }

  /** Adds a group { params, ...options } (options default to the constructor's). */
  addParamGroup(group: ParamGroupInput): void {
    const n = this.name;
    if (group === null || typeof group !== 'object' || group instanceof Tensor || !('params' in group))
      throw new TypeError(`${n}: a parameter group must be an object { params, ... }, got ${describe(group)}`);
    const raw = group.params;
    const params =
      raw instanceof Tensor
        ? [raw]
        : raw !== null && typeof (raw as Partial<Iterable<unknown>> | undefined)?.[Symbol.iterator] === 'function'
          ? Array.from(raw)
          : null;
    if (params === null)
      throw new TypeError(`${n}: a parameter group's 'params' must be an array of Tensors, got ${describe(raw)}`);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${n}: parameter ${i} must be a Tensor, got ${describe(p)}`);
      if (p.dtype !== 'float32' && p.dtype !== 'float64')
        throw new TypeError(`${n}: parameter ${i} must be float32 or float64, got ${p.dtype}`);
      if (!p.isLeaf)
        throw new Error(`${n}: can't optimize a non-leaf Tensor (parameter ${i} was produced by ${p.gradFn!.name})`);
    });
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    for (const p of params) {
      if (seen.has(p))
        throw new Error(`${n}: some parameters appear in more than one parameter group (or twice in one)`);
      seen.add(p);
    }
    const full = { ...this.defaults } as ParamGroup;
    for (const [k, v] of Object.entries(group)) if (k !== 'params') (full as Record<string, unknown>)[k] = v;
    this.validateGroup(full);
    full.params = params as Tensor[];
    this.paramGroups.push(full);
  }

  /** Checks a group's hyper-parameters (throws RangeError/TypeError naming the optimizer). */
  protected abstract validateGroup(group: ParamGroup): void;

  /** Applies one update to every parameter that has a gradient. closure, when given, recomputes the loss. */
  abstract step(closure?: () => Tensor | number): Tensor | number | undefined;

  /** Runs closure (with grad mode on) before an update, returning its loss. */
  protected runClosure(closure?: () => Tensor | number): Tensor | number | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== 'function')
      throw new TypeError(`${this.name}.step: closure must be a function, got ${describe(closure)}`);
    return closure();
  }

  /**
   * For step(): every group's gradients (null where a parameter has none), each in its parameter's
   * float kind (converted if a hook changed its dtype), all checked before the step changes any
   * parameter or state, so a step that throws leaves everything as it was.
   */
  protected stepGradients(): (FloatArray | null)[][] {
    const op = `${this.name}.step`;
    return this.paramGroups.map((group, gi) =>
      group.params.map((p, i) => {
        const g = p._peekGrad();
        if (g === null) return null;
        checkStorage(p, op, `parameter ${i} of group ${gi}`);
        checkStorage(g, op, `the gradient of parameter ${i} of group ${gi}`);
        if (g.size !== p.size)
          throw new RangeError(
            `${op}: the gradient of parameter ${i} of group ${gi} has shape ${formatShape(g.shape)}, the parameter ${formatShape(p.shape)}`,
          );
        if (g.data.constructor === p.data.constructor) return g.data as FloatArray;
        return (p.dtype === 'float32' ? Float32Array.from(g.data) : Float64Array.from(g.data)) as FloatArray;
      }),
    );
  }

  /** Clears every parameter's gradient (.grad = null, PyTorch's default setToNone); or zeroes it in place. */
  zeroGrad(setToNone = true): void {
    if (typeof setToNone !== 'boolean')
      throw new TypeError(`${this.name}.zeroGrad: argument 'setToNone' must be a boolean, got ${describe(setToNone)}`);
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (p._peekGrad() === null) continue;
        if (setToNone) p.grad = null;
        else withGradMode(false, () => p._peekGrad()!.zero_());
      }
  }

  /** State and hyper-parameters; parameters are numbered in group order (state tensors are clones). */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s !== undefined) {
          const copy: ParamState = {};
          for (const [k, v] of Object.entries(s)) copy[k] = v instanceof Tensor ? v.clone().detach() : v;
          state[index] = copy;
        }
        ids.push(index++);
      }
      const { params: _params, ...hyper } = g;
      paramGroups.push({ ...structuredCloneHyper(hyper), params: ids });
    }
    return { state, paramGroups };
  }

  /** Restores stateDict() output: the groups must have the same sizes; state tensors must match the parameters' shapes. */
  loadStateDict(dict: OptimizerStateDict): void {
    const n = `${this.name}.loadStateDict`;
    if (
      dict === null ||
      typeof dict !== 'object' ||
      !Array.isArray(dict.paramGroups) ||
      typeof dict.state !== 'object' ||
      dict.state === null
    )
      throw new TypeError(`${n}: expected an object { state, paramGroups } from stateDict(), got ${describe(dict)}`);
    if (dict.paramGroups.length !== this.paramGroups.length)
      throw new RangeError(
        `${n}: the loaded state dict has ${dict.paramGroups.length} parameter group(s), the optimizer has ${this.paramGroups.length}`,
      );
    const byIndex = new Map<number, Tensor>();
    let total = 0;
    for (const g of this.paramGroups) total += g.params.length;
    dict.paramGroups.forEach((g, gi) => {
      const own = this.paramGroups[gi].params;
      if (g === null || typeof g !== 'object' || !Array.isArray(g.params) || g.params.length !== own.length)
        throw new RangeError(
          `${n}: parameter group ${gi} has ${Array.isArray(g?.params) ? g.params.length : 'no'} parameters in the state dict, the optimizer has ${own.length}`,
        );
      g.params.forEach((id: unknown, j) => {
        // Indices number the parameters over all groups, 0..total-1, each once (as stateDict() writes them).
        if (typeof id !== 'number' || !Number.isInteger(id))
          throw new TypeError(
            `${n}: parameter group ${gi} lists ${describe(id)} at position ${j}; parameter indices must be integers`,
          );
        if (id < 0 || id >= total)
          throw new RangeError(
            `${n}: parameter group ${gi} lists parameter index ${id}, out of range for ${total} parameters (expected 0..${total - 1})`,
          );
        if (byIndex.has(id)) throw new RangeError(`${n}: parameter index ${id} is listed more than once`);
        byIndex.set(id, own[j]);
      });
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(dict.state)) {
      const p = /^(0|[1-9][0-9]*)$/.test(key) ? byIndex.get(Number(key)) : undefined;
      if (p === undefined) throw new RangeError(`${n}: state for parameter ${formatValue(key)}, which no group lists`);
      if (s === null || typeof s !== 'object')
        throw new TypeError(`${n}: state of parameter ${key} must be an object, got ${describe(s)}`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === 'number') {
          if (!Number.isFinite(v))
            throw new RangeError(`${n}: state '${k}' of parameter ${key} must be a finite number, got ${v}`);
        } else if (!(v instanceof Tensor))
          throw new TypeError(
            `${n}: state '${k}' of parameter ${key} must be a Tensor or a number, got ${describe(v)}`,
          );
        if (v instanceof Tensor) {
          if (!shapesEqual(v.shape, p.shape))
            throw new RangeError(
              `${n}: state '${k}' of parameter ${key} has shape ${formatShape(v.shape)}, the parameter has ${formatShape(p.shape)}`,
            );
          if (v.dtype !== p.dtype)
            throw new TypeError(`${n}: state '${k}' of parameter ${key} is ${v.dtype}, the parameter is ${p.dtype}`);
          checkStorage(v, n, `state '${k}' of parameter ${key}`);
          copy[k] = v.clone().detach();
        } else copy[k] = v;
      }
      newState.set(p, copy);
    }
    dict.paramGroups.forEach((g, gi) => {
      const target = this.paramGroups[gi];
      const candidate = { ...target } as ParamGroup;
      for (const [k, v] of Object.entries(g)) if (k !== 'params') (candidate as Record<string, unknown>)[k] = v;
      this.validateGroup(candidate);
    });
    dict.paramGroups.forEach((g, gi) => {
      for (const [k, v] of Object.entries(g))
        if (k !== 'params') (this.paramGroups[gi] as Record<string, unknown>)[k] = Array.isArray(v) ? v.slice() : v;
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}

function structuredCloneHyper(h: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out;
}

/**
 * Throws unless v is a finite number in [lo, hi] (hi excluded when hiOpen): a TypeError for a
 * non-number or NaN, a RangeError for ±Infinity or a value out of range. `what` names the option,
 * e.g. "option 'lr'".
 */
export function checkHyper(v: unknown, opt: string, what: string, lo = 0, hi = Infinity, hiOpen = false): number {
  const range = `[${lo}, ${hi}${hiOpen || hi === Infinity ? ')' : ']'}`;
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new TypeError(`${opt}: ${what} must be a finite number in ${range}, got ${describe(v)}`);
  if (!Number.isFinite(v) || v < lo || v > hi || (hiOpen && v === hi))
    throw new RangeError(`${opt}: ${what} must be a finite number in ${range}, got ${v}`);
  return v;
}

/** TypeError unless options is an object whose keys are all among keys. */
export function checkOptionKeys(options: unknown, opt: string, keys: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(
      `${opt}: argument 'options' must be an object { ${keys.join(', ')} }, got ${describe(options)}`,
    );
  for (const k in options)
    if (!keys.includes(k)) throw new TypeError(`${opt}: unknown option '${k}' (known options: ${keys.join(', ')})`);
}
