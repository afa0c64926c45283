// nn.ModuleList and nn.ModuleDict: modules held in a list or by name, registered as submodules (their
// parameters are the owner's), with no forward of their own (as torch.nn.ModuleList / ModuleDict).
import { describe } from '../shape.js';
import { type AnyModule, Module } from './module.js';

/** Modules in a list, registered under their positions '0', '1', ...; iterate it or index it with at(i). */
export class ModuleList<M extends AnyModule = Module> extends Module<never[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    if (modules === null || typeof modules !== 'object' || !(Symbol.iterator in modules))
      throw new TypeError(`ModuleList: argument 'modules' must be an iterable of Modules, got ${describe(modules)}`);
    for (const m of modules) this.append(m);
  }

  /** A ModuleList has no forward: call its modules (for (const layer of list) x = layer.forward(x)). */
  forward(): never {
    throw new Error('ModuleList: it has no forward; iterate over its modules and call them');
  }

  /** The number of modules. */
  get length(): number {
    return this._moduleNames.length;
  }

  /** The i-th module (negative i counts from the end). */
  at(i: number): M {
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new TypeError(`ModuleList.at: argument 'i' must be an integer, got ${describe(i)}`);
    const n = this._moduleNames.length;
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw new RangeError(`ModuleList.at: index ${i} is out of range for ${n} modules`);
    return (this as unknown as Record<string, M>)[this._moduleNames[j]];
  }

  /** Appends m (named by its position); returns this. */
  append(m: M): this {
    if (!(m instanceof Module))
      throw new TypeError(`ModuleList.append: argument 'm' must be a Module, got ${describe(m)}`);
    this.registerModule(String(this._moduleNames.length), m);
    return this;
  }

  /** Appends every module of modules; returns this. */
  extend(modules: Iterable<M>): this {
    if (modules === null || typeof modules !== 'object' || !(Symbol.iterator in modules))
      throw new TypeError(
        `ModuleList.extend: argument 'modules' must be an iterable of Modules, got ${describe(modules)}`,
      );
    for (const m of modules) this.append(m);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<M> {
    for (let i = 0; i < this._moduleNames.length; i++) yield this.at(i);
  }
}

/** Modules by name (insertion order), registered under those names; get/set/has/keys/entries. */
export class ModuleDict<M extends AnyModule = Module> extends Module<never[], never> {
  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    if (modules === null || typeof modules !== 'object')
      throw new TypeError(
        `ModuleDict: argument 'modules' must be an object or an iterable of [name, Module] pairs, got ${describe(modules)}`,
      );
    const entries = Symbol.iterator in modules ? Array.from(modules as Iterable<[string, M]>) : Object.entries(modules);
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2)
        throw new TypeError(`ModuleDict: each entry must be a [name, Module] pair, got ${describe(entry)}`);
      this.set(entry[0], entry[1]);
    }
  }

  /** A ModuleDict has no forward: look its modules up and call them. */
  forward(): never {
    throw new Error('ModuleDict: it has no forward; look up its modules by name and call them');
  }

  /** The number of modules. */
  get size(): number {
    return this._moduleNames.length;
  }

  /** The module named name (undefined when there is none). */
  get(name: string): M | undefined {
    if (typeof name !== 'string')
      throw new TypeError(`ModuleDict.get: argument 'name' must be a string, got ${describe(name)}`);
    return this.has(name) ? (this as unknown as Record<string, M>)[name] : undefined;
  }

  /** Whether a module is registered under name. */
  has(name: string): boolean {
    return this._moduleNames.includes(name);
  }

  /** Registers m under name, or replaces the module registered there; returns this. */
  set(name: string, m: M): this {
    if (!(m instanceof Module))
      throw new TypeError(`ModuleDict.set: argument 'm' must be a Module, got ${describe(m)}`);
    if (this.has(name)) (this as unknown as Record<string, M>)[name] = m;
    else this.registerModule(name, m);
    return this;
  }

  /** The names, in insertion order. */
  keys(): string[] {
    return this._moduleNames.slice();
  }

  /** The modules, in insertion order. */
  values(): M[] {
    return this._moduleNames.map((k) => (this as unknown as Record<string, M>)[k]);
  }

  /** [name, module] pairs, in insertion order. */
  entries(): [string, M][] {
    return this._moduleNames.map((k) => [k, (this as unknown as Record<string, M>)[k]]);
  }

  [Symbol.iterator](): IterableIterator<[string, M]> {
    return this.entries()[Symbol.iterator]();
  }
}
