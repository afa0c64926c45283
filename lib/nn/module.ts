// nn.Module: the base class of layers, as torch.nn.Module.
//
// Registration. A module's parameters, buffers and submodules are the values of named fields:
//  - explicitly, with registerParameter(name, t) / registerBuffer(name, t) / registerModule(name, m)
//    (each also sets this[name]), or
//  - automatically: any own enumerable field whose name does not start with '_' and whose value is a
//    Module, or a Tensor that requires grad, is registered the first time the module is inspected
//    (parameters(), namedParameters(), children(), stateDict(), ...). No Proxy: the fields are
//    scanned lazily, in assignment order, so `this.fc = new Linear(2, 3)` in a constructor just works.
//    A Tensor field that does not require grad is not registered automatically (use registerBuffer);
//    a parameter frozen before the first inspection should therefore be registered explicitly.
// The field is the single source of truth for the value: reassigning `this.weight = t` replaces the
// registered parameter; setting it to null removes it from parameters() and stateDict() (like None).
//
// Calling. JS cannot make class instances callable, so `module(x)` is spelled `module.forward(x)` or,
// equivalently, `module.call(x)` (call runs forward; it is the one place to hook into later).
// Module<In, Out> types both from forward's signature: In is the argument list, Out the result; the
// defaults, [Tensor] and Tensor, fit layers. A loss taking two tensors is Module<[Tensor, Tensor]>.
import { withGradMode } from '../grad_mode.js';
import type { FloatDType } from '../dtype.js';
import { describe, formatShape, formatValue, shapesEqual } from '../shape.js';
import { checkStorage, Tensor } from '../tensor.js';

/** Options of Module.loadStateDict. */
export interface LoadStateDictOptions {
  /** Require the dict's keys to match the module's exactly (default true). */
  strict?: boolean;
}

/** What loadStateDict did not match (only non-empty when strict is false). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const NAME_RE = /^[^.]+$/;

/**
 * Replaces t's storage with a dtype copy of its values, keeping the Tensor object (what Module.to
 * promises). The tensor then owns its storage (no longer a view), and the version bump makes a graph
 * that saved the old values refuse them.
 */
function convertStorageInPlace(t: Tensor, dtype: FloatDType): void {
  const data = dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
  const writable = t as unknown as { data: Float32Array | Float64Array; dtype: FloatDType };
  writable.data = data;
  writable.dtype = dtype;
  t._base = null;
  t._detached = false;
  t._bumpVersion();
}

/** A module seen as its named fields (registration reads and writes them by name). */
type Fields = Record<string, unknown>;

/** Any module, whatever its forward takes and returns (`never`: nothing can be passed to it unchecked). */
export type AnyModule = Module<never, unknown>;

export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** @internal registered names, in registration order (the values live in the fields). */
  _parameterNames: string[] = [];
  _bufferNames: string[] = [];
  _moduleNames: string[] = [];
  /** @internal train/eval flag (read it through `training`). */
  _training = true;

  /** The computation; subclasses implement it. */
  abstract forward(...args: In): Out;

  /** Runs forward(...args): JS's spelling of PyTorch's module(x). */
  call(...args: In): Out {
    return this.forward(...args);
  }

  /** True in training mode (the default), false after eval(). */
  get training(): boolean {
    return this._training;
  }

  /** Registers t (or null) as parameter `name` and sets this[name]; returns t. */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    this._checkName(name, 'registerParameter');
    if (t !== null && !(t instanceof Tensor))
      throw new TypeError(`registerParameter: argument 't' must be a Tensor or null, got ${describe(t)}`);
    if (t !== null && t.dtype !== 'float32' && t.dtype !== 'float64')
      throw new TypeError(`registerParameter: parameter '${name}' must be float32 or float64, got ${t.dtype}`);
    if (t !== null && !t.isLeaf)
      throw new Error(
        `registerParameter: parameter '${name}' must be a leaf tensor (use detach()); it was produced by ${t.gradFn!.name}`,
      );
    this._claim(name, 'registerParameter');
    (this as unknown as Fields)[name] = t;
    this._parameterNames.push(name);
    return t;
  }

  /** Registers t (or null) as buffer `name` (saved in stateDict, not a parameter) and sets this[name]. */
  registerBuffer(name: string, t: Tensor | null): Tensor | null {
    this._checkName(name, 'registerBuffer');
    if (t !== null && !(t instanceof Tensor))
      throw new TypeError(`registerBuffer: argument 't' must be a Tensor or null, got ${describe(t)}`);
    this._claim(name, 'registerBuffer');
    (this as unknown as Fields)[name] = t;
    this._bufferNames.push(name);
    return t;
  }

  /** Registers m (or null) as submodule `name` and sets this[name]; returns m. */
  registerModule<M extends AnyModule | null>(name: string, m: M): M {
    this._checkName(name, 'registerModule');
    if (m !== null && !(m instanceof Module))
      throw new TypeError(`registerModule: argument 'm' must be a Module or null, got ${describe(m)}`);
    this._claim(name, 'registerModule');
    (this as unknown as Fields)[name] = m;
    this._moduleNames.push(name);
    return m;
  }

  private _checkName(name: unknown, fn: string): void {
    if (typeof name !== 'string' || name.length === 0 || !NAME_RE.test(name))
      throw new TypeError(
        `${fn}: argument 'name' must be a non-empty string without '.', got ${typeof name === 'string' ? JSON.stringify(name) : describe(name)}`,
      );
  }

  private _claim(name: string, fn: string): void {
    if (this._parameterNames.includes(name) || this._bufferNames.includes(name) || this._moduleNames.includes(name))
      throw new Error(`${fn}: '${name}' is already registered on this ${this.constructor.name}`);
    if (name in this && !Object.hasOwn(this, name))
      throw new Error(`${fn}: '${name}' would shadow a method or property of ${this.constructor.name}`);
  }

  /** This module as the tree-walking methods type their results (see children). */
  private asTreeNode(): Module {
    return this as unknown as Module;
  }

  /** @internal registers the fields assigned since the last scan (see the file comment). */
  _scan(): void {
    for (const key of Object.keys(this)) {
      if (key.startsWith('_')) continue;
      if (this._parameterNames.includes(key) || this._bufferNames.includes(key) || this._moduleNames.includes(key))
        continue;
      const v = (this as unknown as Fields)[key];
      if (v instanceof Module) this._moduleNames.push(key);
      else if (v instanceof Tensor && v.requiresGrad && v.isLeaf) this._parameterNames.push(key);
    }
  }

  /** @internal */
  _field<T>(name: string, kind: abstract new (...a: never[]) => T): T | null {
    const v = (this as unknown as Fields)[name];
    return v instanceof kind ? v : null;
  }

  /** (name, child) for the direct submodules, in registration order. */
  *namedChildren(): IterableIterator<[string, Module]> {
    this._scan();
    for (const name of this._moduleNames) {
      const m = this._field(name, Module);
      if (m !== null) yield [name, m];
    }
  }

  /**
   * The direct submodules. The tree-walking methods type what they return as one-tensor layers
   * (`Module`), the common case, so that their forward can be called; a submodule with another
   * signature is one too at run time: narrow it with instanceof.
   */
  children(): Module[] {
    return Array.from(this.namedChildren(), ([, m]) => m);
  }

  /** (dotted name, module) for this module ('' ) and every descendant, depth first; each module once. */
  *namedModules(prefix = '', seen: Set<Module> = new Set()): IterableIterator<[string, Module]> {
    const self = this.asTreeNode();
    if (seen.has(self)) return;
    seen.add(self);
    yield [prefix, self];
    for (const [name, child] of this.namedChildren())
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }

  /** This module and every descendant. */
  modules(): Module[] {
    return Array.from(this.namedModules(), ([, m]) => m);
  }

  /** ('0.weight'-style dotted name, parameter) for every parameter, each tensor once (as PyTorch). */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      m._scan();
      for (const name of m._parameterNames) {
        const t = m._field(name, Tensor);
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Every parameter (each tensor once), in registration order: the list to give an optimizer. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** (dotted name, buffer) for every registered buffer. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules())
      for (const name of m._bufferNames) {
        const t = m._field(name, Tensor);
        if (t !== null) out.push([prefix ? `${prefix}.${name}` : name, t]);
      }
    return out;
  }

  /** Sets training mode on this module and every descendant (dropout is active in training); returns this. */
  train(mode = true): this {
    if (typeof mode !== 'boolean')
      throw new TypeError(`train: argument 'mode' must be a boolean, got ${describe(mode)}`);
    for (const m of this.modules()) m._training = mode;
    return this;
  }

  /** train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (false freezes the module; they stay registered); returns this. */
  requiresGrad_(value = true): this {
    if (typeof value !== 'boolean')
      throw new TypeError(`requiresGrad_: argument 'value' must be a boolean, got ${describe(value)}`);
    for (const p of this.parameters()) p.requiresGrad_(value);
    return this;
  }

  /**
   * Converts every parameter and floating-point buffer (and each parameter's .grad) to dtype, in
   * place: the tensors stay the same objects, so an optimizer made before keeps working (as PyTorch's
   * module.to(dtype)). Integer buffers are left alone. Returns this.
   */
  to(dtype: FloatDType): this {
    if (dtype !== 'float32' && dtype !== 'float64')
      throw new TypeError(`Module.to: argument 'dtype' must be 'float32' or 'float64', got ${formatValue(dtype)}`);
    // Every tensor to convert is checked before the first one is, so a refused call changes nothing.
    const named = [...this.namedParameters(), ...this.namedBuffers()];
    for (const [name, t] of named) {
      if (t.dtype === dtype || (t.dtype !== 'float32' && t.dtype !== 'float64')) continue;
      checkStorage(t, 'Module.to', `the module's '${name}'`);
      const g = t._peekGrad();
      if (g !== null) checkStorage(g, 'Module.to', `the gradient of the module's '${name}'`);
    }
    const seen = new Set<Tensor>();
    const convert = (t: Tensor): void => {
      if (seen.has(t) || t.dtype === dtype || (t.dtype !== 'float32' && t.dtype !== 'float64')) return;
      seen.add(t);
      const grad = t._peekGrad();
      convertStorageInPlace(t, dtype);
      if (grad !== null && grad.dtype !== dtype) {
        convertStorageInPlace(grad, dtype);
        t._setGradUnchecked(grad);
      }
    };
    for (const [, t] of named) convert(t);
    return this;
  }

  /** to('float64'). */
  double(): this {
    return this.to('float64');
  }

  /** to('float32'). */
  float(): this {
    return this.to('float32');
  }

  /** Clears the gradients of every parameter (.grad = null). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls fn on every descendant and then on this module (as PyTorch's apply); returns this. */
  apply(fn: (m: Module) => void): this {
    if (typeof fn !== 'function') throw new TypeError(`apply: argument 'fn' must be a function, got ${describe(fn)}`);
    for (const child of this.children()) child.apply(fn);
    fn(this.asTreeNode());
    return this;
  }

  /**
   * The parameters and buffers by dotted name (Record<string, Tensor>). The tensors are detached
   * and share storage with the module, as in PyTorch; clone them to keep a snapshot.
   */
  stateDict(): Record<string, Tensor> {
    // PyTorch's order and keys: each module's parameters, then its buffers, then its submodules'.
    // A tensor or submodule reachable under two names (tied weights) is listed under both, as
    // torch's state_dict does, so dicts of tied models load in both directions.
    const out: Record<string, Tensor> = {};
    const visit = (m: Module, prefix: string, path: Set<Module>): void => {
      if (path.has(m)) return; // a cycle, not a tie
      m._scan();
      for (const names of [m._parameterNames, m._bufferNames])
        for (const name of names) {
          const t = m._field(name, Tensor);
          if (t !== null) out[prefix + name] = t.detach();
        }
      path.add(m);
      for (const [name, child] of m.namedChildren()) visit(child, `${prefix}${name}.`, path);
      path.delete(m);
    };
    visit(this.asTreeNode(), '', new Set());
    return out;
  }

  /**
   * Copies the values of dict into the parameters and buffers (in place, under noGrad). Shapes and
   * dtypes must match exactly; with strict (the default) the keys must match exactly too. Nothing is
   * modified when any check fails.
   */
  loadStateDict(dict: Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict))
      throw new TypeError(
        `loadStateDict: argument 'dict' must be an object mapping names to Tensors, got ${describe(dict)}`,
      );
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`loadStateDict: options must be an object, got ${describe(options)}`);
    const strict = options.strict ?? true;
    if (typeof strict !== 'boolean')
      throw new TypeError(`loadStateDict: option 'strict' must be a boolean, got ${describe(strict)}`);
    const own = new Map<string, Tensor>();
    for (const [name, t] of Object.entries(this.stateDict())) own.set(name, t);
    const missingKeys = [...own.keys()].filter((k) => !Object.hasOwn(dict, k));
    const unexpectedKeys = Object.keys(dict).filter((k) => !own.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0)
      problems.push(`missing key(s): ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
    if (strict && unexpectedKeys.length > 0)
      problems.push(`unexpected key(s): ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
    const copies: [Tensor, Tensor][] = [];
    for (const [name, target] of own) {
      if (!Object.hasOwn(dict, name)) continue;
      const src = dict[name];
      if (!(src instanceof Tensor)) {
        problems.push(`'${name}' must be a Tensor, got ${describe(src)}`);
        continue;
      }
      checkStorage(src, 'loadStateDict', `the state dict's '${name}'`);
      checkStorage(target, 'loadStateDict', `the module's '${name}'`);
      if (!shapesEqual(src.shape, target.shape))
        problems.push(
          `size mismatch for '${name}': the dict has shape ${formatShape(src.shape)}, the module has ${formatShape(target.shape)}`,
        );
      else if (src.dtype !== target.dtype)
        problems.push(`dtype mismatch for '${name}': the dict has ${src.dtype}, the module has ${target.dtype}`);
      else copies.push([target, src]);
    }
    if (problems.length > 0)
      throw new Error(
        `loadStateDict: error(s) loading the state dict into ${this.constructor.name}:\n  ${problems.join('\n  ')}`,
      );
    withGradMode(false, () => {
      for (const [target, src] of copies) {
        if (target.data !== src.data) target.data.set(src.data);
        target._bumpVersion(); // stateDict entries share the parameters' version counters
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** A one-line-per-module summary, like PyTorch's repr. */
  toString(): string {
    const children = this.children().length > 0 ? Array.from(this.namedChildren()) : [];
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return `${this.constructor.name}(${extra ? `${extra}\n` : '\n'}${lines.join('\n')}\n)`;
  }

  /** Extra text inside toString()'s parentheses (layer sizes etc.). */
  extraRepr(): string {
    return '';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
