// Tensor: dtype, shape and contiguous row-major typed-array storage, plus its autograd fields.
// Ops live in lib/ops/; the op table installs their methods on Tensor.prototype (lib/ops/table.ts), and
// the few hand-written methods here delegate through `ops`, which lib/ops/index.ts fills in, so this file
// imports no op (only types) and no cycle arises.
import { allocate, dtypeOfArray, isDType, isFloatDType, type DType, type TypedArray } from './dtype.js';
import { checkElementCount, checkShape, describe, formatShape, formatValue, shapesEqual, sizeOf } from './shape.js';
import type { FunctionCtx } from './autograd/function.js';
import { addPostAccumulateGradHook, type PostAccumulateGradHook } from './autograd/post_accumulate_hooks.js';
import { inferenceModeUsed, isInferenceMode } from './grad_mode.js';
import { recycleStorage } from './memory.js';
import { recorder } from './compile/state.js';
import type * as ElementwiseOps from './ops/elementwise.js';
import type { RegisteredMethods } from './ops/registry.js';
import type { KeepdimOption, ReduceOptions } from './ops/util.js';

/** A tensor or a plain number (numbers are accepted wherever a tensor is: x.mul(3)). */
export type TensorLike = Tensor | number;
export type Dims = number | number[];
/** Nested JS arrays, as returned by toArray(). */
export type NestedArray = number | boolean | NestedArray[];
/** Called with the gradient of a tensor during backward; may return a replacement. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook written as `(g) => { log(g); }` returns void, as in PyTorch
export type GradHook = (grad: Tensor) => Tensor | void | undefined;

export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
  /** Record the backward computation itself, for gradients of gradients. */
  createGraph?: boolean;
}

/** Shared by a tensor and every tensor that shares its storage; bumped by in-place writes. */
export interface VersionCounter {
  version: number;
}

/** The functions hand-written Tensor methods and the engine delegate to (filled in by lib/ops/index.ts). */
export interface TensorOps {
  add(a: TensorLike, b: TensorLike): Tensor;
  max(
    x: Tensor,
    dim?: number | ReduceOptions,
    keepdim?: boolean | KeepdimOption,
  ): Tensor | { values: Tensor; indices: Tensor };
  min(
    x: Tensor,
    dim?: number | ReduceOptions,
    keepdim?: boolean | KeepdimOption,
  ): Tensor | { values: Tensor; indices: Tensor };
  where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor;
  reshape(x: Tensor, shape: number[]): Tensor;
  toDtype(x: Tensor, dtype: DType): Tensor;
  inplace(x: Tensor, op: 'add' | 'sub' | 'mul' | 'div', other: TensorLike): Tensor;
  fill(x: Tensor, value: number, op?: 'fill_' | 'zero_'): Tensor;
  backward(t: Tensor, gradient: Tensor | null | undefined, options: BackwardOptions | undefined): void;
  backwardAsync(t: Tensor, gradient: Tensor | null | undefined, options: BackwardOptions | undefined): Promise<void>;
}

export const ops = {} as TensorOps;

let nextTensorId = 1;

/** @internal every tensor created from now on has an id at least this large. */
export function tensorIdWatermark(): number {
  return nextTensorId;
}

/** The storage of a disposed tensor: empty, so every op sees it has no data. */
const EMPTY: Record<DType, TypedArray> = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
  int32: new Int32Array(0),
  bool: new Uint8Array(0),
};

/** Shapes are never mutated, so every 0-d tensor can share this one. */
const SCALAR_SHAPE: readonly number[] = Object.freeze([]) as readonly number[];

/**
 * Set by Tensor._wrap for exactly one construction: the next constructor call skips validation
 * and clears it first thing, so nothing can leave it set. Module-private, so only code that calls
 * Tensor._wrap (the library itself) takes the fast path; `new tg.Tensor(...)` is always checked.
 */
let trustedConstruction = false;

/** The checks of `t.grad = g` (g not null): a Tensor other than t, of t's shape and dtype. */
function checkAssignedGrad(t: Tensor, g: unknown): void {
  if (!(g instanceof Tensor))
    throw new TypeError(`grad: the assigned value must be null or a Tensor, got ${describe(g)}`);
  if (g === t) throw new Error('grad: a tensor cannot be assigned as its own gradient');
  checkStorage(g, 'grad', 'the assigned gradient');
  if (g.dtype !== t.dtype)
    throw new TypeError(`grad: the assigned gradient has dtype ${g.dtype} but the tensor has dtype ${t.dtype}`);
  if (!shapesEqual(g.shape, t.shape))
    throw new RangeError(
      `grad: the assigned gradient has shape ${formatShape(g.shape)} but the tensor has shape ${formatShape(t.shape)}`,
    );
}

/** The public constructor's checks: O(ndim), no allocation. Returns the dtype. */
function checkConstructorArgs(data: unknown, shape: unknown, dtype: unknown, version: unknown): DType {
  const kind = dtypeOfArray(data);
  if (kind === null)
    throw new TypeError(
      `Tensor: argument 'data' must be a Float32Array, Float64Array, Int32Array or Uint8Array, got ${describe(data)}`,
    );
  const length = (data as TypedArray).length;
  if (!Array.isArray(shape))
    throw new TypeError(`Tensor: argument 'shape' must be an array of non-negative integers, got ${describe(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d))
      throw new TypeError(
        `Tensor: argument 'shape' must be an array of non-negative integers, got ${formatValue(shape)} (entry ${i} is ${describe(d)})`,
      );
    if (d < 0)
      throw new RangeError(
        `Tensor: argument 'shape' must be an array of non-negative integers, got ${formatValue(shape)} (entry ${i} is negative)`,
      );
    n *= d;
  }
  if (n !== length)
    throw new RangeError(`Tensor: shape ${formatShape(shape)} holds ${n} elements but the data has ${length}`);
  checkElementCount(n, 'Tensor', formatShape(shape));
  if (dtype !== undefined && dtype !== kind) {
    if (!isDType(dtype))
      throw new TypeError(
        `Tensor: argument 'dtype' must be 'float32', 'float64', 'int32' or 'bool', got ${formatValue(dtype)}`,
      );
    throw new TypeError(
      `Tensor: argument 'dtype' is ${dtype} but the data is a ${(data as TypedArray).constructor.name}, which stores ${kind}`,
    );
  }
  if (
    version !== undefined &&
    (typeof version !== 'object' || version === null || typeof (version as VersionCounter).version !== 'number')
  )
    throw new TypeError(
      `Tensor: argument 'version' must be a version counter { version: number } from another tensor, got ${describe(version)}`,
    );
  return kind;
}

/**
 * The methods lib/ops/table.ts installs for each row of the elementwise op table (lib/ops/elementwise.ts),
 * typed from the rows: x.exp() for tg.exp(x), x.add(other) for tg.add(x, other).
 */
export type ElementwiseMethods = {
  [K in keyof typeof ElementwiseOps]: (typeof ElementwiseOps)[K] extends (
    x: Tensor,
    ...rest: infer Rest
  ) => infer Result
    ? (...rest: Rest) => Result
    : never;
};

// Declaration merging: the class's instances also have the generated methods, those of the elementwise
// rows and those lib/ops/registry.ts derives (x.sum(dim) for tg.sum(x, dim)).
export interface Tensor extends ElementwiseMethods, RegisteredMethods {}

/** The tensors created inside tg.inferenceMode (see Tensor._inference). */
const inferenceTensors = new WeakSet<Tensor>();

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the merged methods exist: lib/ops/table.ts and registry.ts define them on the prototype at load
export class Tensor {
  /**
   * Contiguous row-major storage (Float32Array, Float64Array, Int32Array, or Uint8Array for bool): a
   * live view, not a copy. Writes through it are not tracked by autograd's version counter, so
   * writing into a tensor saved for backward gives a gradient computed from the new values; under
   * tg.autograd.setDetectAnomaly(true) backward detects such writes and throws. Use in-place ops
   * (add_, mul_, fill_ ...) or clone() first.
   */
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal backing field of `grad` (read it through the accessor; write it with _setGradUnchecked). */
  _grad: Tensor | null = null;
  /** @internal grad was stored by backward in storage of its own and has not been read since. */
  _gradUnseen = false;
  /** The recorded step that produced this tensor, or null for leaves. */
  gradFn: FunctionCtx | null = null;
  /** @internal which output of gradFn this tensor is. */
  _outputIndex = 0;
  /** @internal */
  _requiresGrad = false;
  /** @internal shared with views of the same storage; null until first needed (= version 0). */
  _ver: VersionCounter | null;
  /** @internal hooks on a leaf's gradient (non-leaf hooks live on the gradFn). */
  _hooks: GradHook[] | null = null;
  /**
   * @internal The backward engine's own per-pass state (lib/autograd/engine.ts; nothing else reads or
   * writes the `_engine*` fields). It lives on the tensor rather than in the pass because a lookup
   * table keyed by tensor costs every delivery a hash lookup: a Map in the pass state made the ops
   * bench's 1000-op chain 10-50% slower. This one: a leaf's gradient summed during the current pass.
   */
  _engineLeafGrad: Tensor | null = null;
  /** @internal the tensor whose storage this one shares (a view: reshape, flatten, squeeze, unsqueeze; or detach()), or null. */
  _base: Tensor | null = null;
  /** @internal made by detach(): it shares _base's storage but is not a view in autograd's sense. */
  _detached = false;
  /** @internal set by dispose(): the storage was released. */
  _disposed = false;
  /**
   * @internal The engine's count of the places holding a gradient in this tensor's storage during
   * backward pass `_engineHoldPass` (on the tensor that owns the storage; views use their base). On
   * the tensor for the reason given at `_engineLeafGrad`: the engine's per-pass table (HolderCounts,
   * used for nested passes) made the chain bench ~20% slower when used for every pass.
   */
  _engineHoldPass = 0;
  _engineHolds = 0;
  /** @internal how many recorded graph nodes hold this storage saved for backward (on the owning tensor). */
  _savedBy = 0;
  /**
   * @internal set by nn.Sequential on an intermediate between two built-in layers: no reference to it
   * exists outside the graph, so its storage is recycled when the last node that saved it is released.
   */
  _private = false;
  /** @internal a unique id, for debugging and stable ordering. */
  readonly id: number;

  /**
   * Wraps storage without copying (the shape array is copied). Most code should use tg.tensor() /
   * tg.zeros() instead. `data` is a Float32Array, Float64Array, Int32Array or Uint8Array (bool),
   * `shape` an array of non-negative integers whose product is `data.length`, and `dtype`, when
   * given, the one `data` stores; anything else throws a TypeError or RangeError naming 'Tensor'.
   * The library's own code, whose storage and shapes are right by construction, uses Tensor._wrap.
   */
  constructor(data: TypedArray, shape: readonly number[], dtype?: DType, version?: VersionCounter) {
    if (trustedConstruction) {
      trustedConstruction = false;
      this.data = data;
      this.shape = shape;
      this.dtype = dtype!;
      this._ver = version ?? null;
    } else {
      this.dtype = checkConstructorArgs(data, shape, dtype, version);
      this.data = data;
      this.shape = shape.length === 0 ? SCALAR_SHAPE : shape.slice(); // the caller keeps its array
      this._ver = version ?? null;
    }
    this.id = nextTensorId++;
    if (inferenceModeUsed && isInferenceMode()) inferenceTensors.add(this);
  }

  /**
   * @internal Made inside tg.inferenceMode: an op that records a graph refuses it. A WeakSet, not a
   * field, so that tensors stay as small as they were when inference mode is never used.
   */
  get _inference(): boolean {
    return inferenceModeUsed && inferenceTensors.has(this);
  }

  /**
   * @internal The fast path for the library's own tensors: wraps storage as `new Tensor` does but
   * skips its argument checks, so the check costs nothing on the hot path of every op. The caller
   * guarantees data is one of the four typed arrays of `dtype`, the product of `shape` is
   * data.length, and nobody mutates `shape` afterwards (it is kept, not copied).
   */
  static _wrap(data: TypedArray, shape: readonly number[], dtype: DType, version?: VersionCounter): Tensor {
    trustedConstruction = true;
    return new Tensor(data, shape, dtype, version);
  }

  /**
   * Gradient accumulated by backward (leaves, and non-leaves that called retainGrad()). Assigning it
   * accepts null or a Tensor of this tensor's shape and dtype, as PyTorch: anything else would make
   * the next backward accumulate into a gradient of the wrong size or kind (NaN, or a string).
   */
  get grad(): Tensor | null {
    this._gradUnseen = false;
    return this._grad;
  }

  set grad(g: Tensor | null) {
    if (g !== null) checkAssignedGrad(this, g);
    recorder()?.noteGradSet(this, g);
    // A gradient backward stored in storage of its own, and nobody has read since, is referenced
    // nowhere else: replacing it (zeroGrad, grad = null) returns its storage to the pool at once, and
    // as is (no detach: there is no other view to protect), so the next backward reuses it directly.
    if (this._gradUnseen && this._grad !== null && this._grad !== g) recycleStorage(this._grad.data, false);
    this._gradUnseen = false;
    this._grad = g;
  }

  /**
   * @internal Sets grad without the setter's checks, for the autograd engine, which has already
   * validated every gradient's shape and dtype against its input. `exclusive`: g's storage is the
   * engine's own, referenced nowhere else.
   */
  _setGradUnchecked(g: Tensor | null, exclusive = false): void {
    recorder()?.noteGradSet(this, g);
    this._grad = g;
    this._gradUnseen = exclusive;
  }

  /** @internal reads grad for the library's own use (optimizers), which keeps no reference to it. */
  _peekGrad(): Tensor | null {
    return this._grad;
  }

  /** @internal shares another tensor's storage: a view (reshape, flatten, squeeze, unsqueeze) or detach(). */
  _isView(): boolean {
    return this._base !== null;
  }

  /**
   * @internal a view in autograd's sense (not detach()) of a tensor that requires grad, or requiring
   * grad itself: an in-place write through it would change the base behind its recorded history.
   */
  _isViewOfGradTensor(): boolean {
    return this._base !== null && !this._detached && (this._requiresGrad || this._base._requiresGrad);
  }

  /**
   * @internal For an op's own fresh result, reshaped before any caller sees it: it stops counting as
   * a view of the tensor it was reshaped from, so in-place ops on it are allowed.
   */
  _forgetBase(): void {
    this._base = null;
  }

  /** @internal see `_private` (nn.Sequential's intermediates between built-in layers). */
  _markPrivate(): void {
    this._private = true;
  }

  /** @internal the version counter, created on first use (most tensors never need one). */
  get _version(): VersionCounter {
    this._ver ??= { version: 0 };
    return this._ver;
  }

  /**
   * @internal Records an in-place write to this tensor's storage: bumps the version counter it shares
   * with its views, so that backward refuses a saved tensor written since it was saved. Every in-place
   * write of the library (ops, nn.init, optimizers, loadStateDict) calls it.
   */
  _bumpVersion(): void {
    this._ver ??= { version: 0 };
    this._ver.version++;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }

  /** Sets requiresGrad on a leaf (floating-point dtypes only); returns this. */
  requiresGrad_(value = true): this {
    if (typeof value !== 'boolean') throw new TypeError(`requiresGrad: expected a boolean, got ${describe(value)}`);
    if (this.gradFn !== null)
      throw new Error(
        'requiresGrad: only leaf tensors can change requiresGrad; this tensor was produced by ' +
          `${this.gradFn.name} (use detach() to get a leaf)`,
      );
    if (value && this._inference && !isInferenceMode())
      throw new Error(
        'requiresGrad: an inference tensor (made inside tg.inferenceMode) cannot require grad outside it; clone() it first',
      );
    if (value && !isFloatDType(this.dtype))
      throw new TypeError(
        `requiresGrad: only float32 and float64 tensors can require gradients, got dtype ${this.dtype}`,
      );
    this._requiresGrad = value;
    return this;
  }

  /** True for tensors created by the user (not by a recorded op). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The version counter value (bumped by every in-place write). */
  get version(): number {
    return this._ver === null ? 0 : this._ver.version;
  }

  /** Computes gradients of this tensor with respect to the graph leaves and accumulates them in .grad. */
  backward(gradient?: Tensor | null, options?: BackwardOptions): void {
    ops.backward(this, gradient, options);
  }

  /**
   * backward() with the pass's kernels computed off the main thread, so the event loop keeps running.
   * The graph's tensors and the gradients it writes are locked (every op on them throws) until the
   * promise settles. A graph with hooks is refused (their JS would read values not yet computed).
   */
  backwardAsync(gradient?: Tensor | null, options?: BackwardOptions): Promise<void> {
    return ops.backwardAsync(this, gradient, options);
  }

  /** A new leaf that shares this tensor's storage but is cut from the graph. */
  /**
   * Releases this tensor's storage now instead of at the next garbage collection. Optional: tensors
   * never disposed are freed by the collector as usual. Storage of 16 KiB or more returns to the
   * allocator's pool and is reused at once. Afterwards the tensor is unusable (ops, backward, item and
   * toArray throw an error saying it was disposed), and so are views sharing its storage when that is
   * 16 KiB or more (smaller storage is left to the collector, and its views keep working). Disposing a
   * view releases nothing but the view. Disposing twice does nothing. `using t = ...` calls it at the
   * end of the scope.
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    if (this._base === null) recycleStorage(this.data);
    // Whatever the pool did, this tensor reads as empty from now on (a small storage stays V8's).
    (this as { data: TypedArray }).data = EMPTY[this.dtype];
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** True once dispose() was called. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  detach(): Tensor {
    if (this.data.length === 0) checkStorage(this, 'detach', 'the tensor');
    const d = Tensor._wrap(this.data, this.shape, this.dtype, this._version);
    d._base = this._base ?? this;
    d._detached = true;
    return d;
  }

  /** Detaches this tensor in place from the graph that produced it; returns this. */
  detach_(): this {
    this.gradFn = null;
    this._requiresGrad = false;
    return this;
  }

  /** Keeps .grad on this non-leaf tensor after backward (leaves always keep it). */
  retainGrad(): void {
    if (!this._requiresGrad)
      throw new Error('retainGrad: cannot retain the gradient of a tensor that does not require grad');
    if (this.gradFn !== null) this.gradFn._retain(this._outputIndex, this);
  }

  /** True when retainGrad() was called on this non-leaf, or this is a leaf requiring grad. */
  get retainsGrad(): boolean {
    return this.gradFn?._retains(this._outputIndex, this) ?? false;
  }

  /** Registers fn to be called with this tensor's gradient during backward; returns a handle to remove it. */
  registerHook(fn: GradHook): { remove(): void } {
    if (typeof fn !== 'function') throw new TypeError(`registerHook: expected a function, got ${describe(fn)}`);
    if (!this._requiresGrad)
      throw new Error('registerHook: cannot register a hook on a tensor that does not require grad');
    if (this.gradFn !== null) return this.gradFn._addHook(this._outputIndex, fn);
    this._hooks ??= [];
    const hooks = this._hooks;
    hooks.push(fn);
    return {
      remove: () => {
        const i = hooks.indexOf(fn);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }

  /**
   * Registers fn to be called with this leaf tensor after backward has accumulated its gradient into
   * .grad (as PyTorch's register_post_accumulate_grad_hook; not for autograd.grad, which leaves .grad
   * alone). fn returns nothing; returns a handle to remove it.
   */
  registerPostAccumulateGradHook(fn: PostAccumulateGradHook): { remove(): void } {
    if (typeof fn !== 'function')
      throw new TypeError(`registerPostAccumulateGradHook: argument 'fn' must be a function, got ${describe(fn)}`);
    if (!this._requiresGrad)
      throw new Error('registerPostAccumulateGradHook: cannot register a hook on a tensor that does not require grad');
    if (this.gradFn !== null)
      throw new Error(
        `registerPostAccumulateGradHook: expected a leaf tensor, got one produced by ${this.gradFn.name} (post-accumulate hooks run only on leaves)`,
      );
    return addPostAccumulateGradHook(this, fn);
  }

  /** The single value of a tensor with one element. */
  item(): number {
    recorder()?.graphBreak('item()', 'it reads a tensor value into JS');
    if (this.data.length === 0) checkStorage(this, 'item', 'the tensor');
    if (this.data.length !== 1)
      throw new RangeError(
        `item: only tensors with one element can be converted to a number, got shape ${formatShape(this.shape)}`,
      );
    return this.data[0];
  }

  /** Nested JS arrays (a number for a 0-d tensor; booleans for dtype bool). */
  toArray(): NestedArray {
    recorder()?.graphBreak('toArray()', 'it reads tensor values into JS');
    if (this.data.length === 0) checkStorage(this, 'toArray', 'the tensor');
    const { data, shape } = this;
    const asBool = this.dtype === 'bool';
    const read = (i: number): number | boolean => (asBool ? data[i] !== 0 : data[i]);
    if (shape.length === 0) return read(0);
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = shape[dim];
      const inner = stride / (n || 1);
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++)
        out[i] = dim === shape.length - 1 ? read(offset + i) : build(dim + 1, offset + i * inner, inner);
      return out;
    };
    return build(0, 0, sizeOf(shape));
  }

  toString(): string {
    recorder()?.graphBreak(
      'toString() (printing a tensor)',
      'it reads tensor values into JS, and a replay would not print',
    );
    if (this.data.length === 0 && (this._disposed || sizeOf(this.shape) !== 0))
      return `tensor(<${this._disposed ? 'disposed' : 'no storage: its buffer was transferred'}>, shape=${formatShape(this.shape)})`;
    const body = formatTensorData(this);
    const extras: string[] = [];
    if (this.dtype !== 'float32') extras.push(`dtype=${this.dtype}`);
    if (this.gradFn !== null) extras.push(`gradFn=<${this.gradFn.name}>`);
    else if (this._requiresGrad) extras.push('requiresGrad=true');
    return `tensor(${body}${extras.length ? `, ${extras.join(', ')}` : ''})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- ops (see lib/ops/) -------------------------------------------------------------------------
  // Most op methods are not here: lib/ops/table.ts installs them from the op table (typed through
  // ElementwiseMethods and RegisteredMethods above). Hand-written are only the methods the table cannot
  // derive as x.op(...rest) ≡ tg.op(x, ...rest): max and min (overloads: without dim a tensor, with dim
  // { values, indices }), where (this is the second argument of tg.where), to/double/float (tg.toDtype),
  // view (an alias of reshape), and the in-place ops add_ sub_ mul_ div_ zero_ fill_ (no tg function).
  /** max() is the 0-d maximum; max(dim, keepdim) returns { values, indices }. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean | KeepdimOption): { values: Tensor; indices: Tensor };
  max(options: { dim: number; keepdim?: boolean }): { values: Tensor; indices: Tensor };
  max(dim?: number | ReduceOptions, keepdim?: boolean | KeepdimOption): Tensor | { values: Tensor; indices: Tensor } {
    return ops.max(this, dim, keepdim);
  }
  /** min() is the 0-d minimum; min(dim, keepdim) returns { values, indices }. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean | KeepdimOption): { values: Tensor; indices: Tensor };
  min(options: { dim: number; keepdim?: boolean }): { values: Tensor; indices: Tensor };
  min(dim?: number | ReduceOptions, keepdim?: boolean | KeepdimOption): Tensor | { values: Tensor; indices: Tensor } {
    return ops.min(this, dim, keepdim);
  }
  /** condition ? this : other elementwise (as torch.Tensor.where). */
  where(condition: Tensor, other: TensorLike): Tensor {
    return ops.where(condition, this, other);
  }
  /** A copy converted to dtype (this tensor itself if it already has it). Differentiable between float dtypes. */
  to(dtype: DType): Tensor {
    return ops.toDtype(this, dtype);
  }
  double(): Tensor {
    return ops.toDtype(this, 'float64');
  }
  float(): Tensor {
    return ops.toDtype(this, 'float32');
  }
  /** reshape(shape): same elements, new shape (one entry may be -1). Shares storage. */
  view(shape: number[]): Tensor {
    return ops.reshape(this, shape);
  }
  add_(other: TensorLike): this {
    ops.inplace(this, 'add', other);
    return this;
  }
  sub_(other: TensorLike): this {
    ops.inplace(this, 'sub', other);
    return this;
  }
  mul_(other: TensorLike): this {
    ops.inplace(this, 'mul', other);
    return this;
  }
  div_(other: TensorLike): this {
    ops.inplace(this, 'div', other);
    return this;
  }
  zero_(): this {
    ops.fill(this, 0, 'zero_');
    return this;
  }
  fill_(value: number): this {
    ops.fill(this, value);
    return this;
  }
}

/**
 * The nested-bracket body of toString, read straight from the typed array: a dim longer than 12
 * shows its first 6 and last 6 entries around '...', so a huge tensor costs only what is printed
 * (toArray() would build every element as a JS value: ~300 MB for 2e7 of them).
 */
function formatTensorData(t: Tensor): string {
  const { data, shape, dtype } = t;
  const asBool = dtype === 'bool';
  const scalar = (i: number): string => formatScalar(asBool ? data[i] !== 0 : data[i], dtype);
  if (shape.length === 0) return scalar(0);
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  const shown = (n: number): number[] => {
    if (n <= 12) return Array.from({ length: n }, (_, i) => i);
    return [0, 1, 2, 3, 4, 5, -1, n - 6, n - 5, n - 4, n - 3, n - 2, n - 1]; // -1 is '...'
  };
  const format = (dim: number, offset: number, indent: number): string => {
    const n = shape[dim];
    if (n === 0) return '[]';
    const idx = shown(n);
    if (dim === shape.length - 1) return `[${idx.map((i) => (i < 0 ? '...' : scalar(offset + i))).join(', ')}]`;
    const pad = ' '.repeat(indent + 1);
    return `[${idx.map((i) => (i < 0 ? '...' : format(dim + 1, offset + i * strides[dim], indent + 1))).join(`,\n${pad}`)}]`;
  };
  return format(0, 0, 7);
}

function formatScalar(v: number | boolean, dtype: DType): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (dtype === 'int32') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1).replace(/\.0$/, '.');
  return dtype === 'float32' ? String(Math.fround(v).toPrecision(8)).replace(/\.?0+$/, '') : String(v);
}

/**
 * Throws an Error naming op and what unless t can be read: it was disposed (or is a view of a
 * disposed tensor), or its ArrayBuffer was transferred (postMessage, structuredClone with transfer),
 * which makes it read as empty and would give empty results or NaN gradients. Callers on hot paths
 * test `t.data.length === 0` first: a readable tensor with elements never has an empty array.
 */
export function checkStorage(t: Tensor, op: string, what: string): void {
  if (lockedStorage.has(t))
    throw new Error(
      `${op}: ${what} is in use by an async call whose kernels run off the main thread ` +
        '(step.async, matmulAsync or backwardAsync); await the promise it returned before using it.',
    );
  if (t._disposed || t._base?._disposed)
    throw new Error(
      `${op}: ${what} was disposed (shape ${formatShape(t.shape)}${t._disposed ? '' : ', a view of a disposed tensor'}); ` +
        'its storage was released with dispose() and cannot be used any more.',
    );
  if (t.data.length === 0 && sizeOf(t.shape) !== 0)
    throw new Error(
      `${op}: ${what} has no storage: its ArrayBuffer was transferred or detached (shape ${formatShape(t.shape)}, ` +
        '0 elements readable). Clone a tensor before transferring its buffer.',
    );
}

/** Storage of tensors a running compiled step binds (lib/compile): the tensor reads as empty meanwhile. */
const lockedStorage = new Map<Tensor, TypedArray>();

/** @internal Makes t unreadable until unlockStorage(t): every op on it throws (checkStorage). */
export function lockStorage(t: Tensor): void {
  if (lockedStorage.has(t)) return;
  lockedStorage.set(t, t.data);
  (t as { data: TypedArray }).data = EMPTY[t.dtype];
}

/** @internal Gives t its storage back. */
export function unlockStorage(t: Tensor): void {
  const data = lockedStorage.get(t);
  if (data === undefined) return;
  lockedStorage.delete(t);
  (t as { data: TypedArray }).data = data;
}

/** A new tensor of `shape` sharing x's storage and version counter (a view; no autograd). */
export function viewOf(x: Tensor, shape: readonly number[]): Tensor {
  const v = Tensor._wrap(x.data, shape, x.dtype, x._version);
  v._base = x._base ?? x;
  return v;
}

// ---- creation -----------------------------------------------------------------------------------

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface FromArrayOptions extends TensorOptions {
  /** Shape for typed-array or flat data (defaults to 1-D). */
  shape?: number[];
}

const CREATION_KEYS: readonly string[] = ['dtype', 'requiresGrad'];
const TENSOR_KEYS: readonly string[] = ['dtype', 'requiresGrad', 'shape'];

/**
 * Validates a creation function's options object and returns the dtype it names (fallback when
 * absent). Everything is checked here, before the caller allocates: the options are an object (a
 * dtype string is refused with a hint to pass { dtype }), no unknown keys (a typo such as
 * requires_grad would silently give a tensor without gradients), dtype is one of ours,
 * requiresGrad is a boolean, and only float dtypes may require grad.
 */
export function dtypeOption(
  opts: unknown,
  op: string,
  fallback: DType = 'float32',
  keys: readonly string[] = CREATION_KEYS,
): DType {
  if (opts === undefined) return fallback;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || opts instanceof Tensor) {
    const hint = typeof opts === 'string' && isDType(opts) ? `; pass the dtype as { dtype: '${opts}' }` : '';
    throw new TypeError(
      `${op}: argument 'options' must be an object { ${keys.map((k) => `${k}?`).join(', ')} }, got ${describe(opts)}${hint}`,
    );
  }
  const o = opts as Record<string, unknown>;
  for (const k in o)
    if (!keys.includes(k)) throw new TypeError(`${op}: unknown option '${k}' (known options: ${keys.join(', ')})`);
  const d = o.dtype ?? fallback;
  if (!isDType(d))
    throw new TypeError(`${op}: dtype must be 'float32', 'float64', 'int32' or 'bool', got ${formatValue(d)}`);
  const rg = o.requiresGrad;
  if (rg !== undefined) {
    if (typeof rg !== 'boolean')
      throw new TypeError(`${op}: option 'requiresGrad' must be a boolean, got ${describe(rg)}`);
    if (rg && !isFloatDType(d))
      throw new TypeError(
        `${op}: option 'requiresGrad' is true but only float32 and float64 tensors can require gradients, got dtype ${d}`,
      );
  }
  return d;
}

/** Applies opts.requiresGrad (already validated by dtypeOption) to a freshly made leaf. */
export function finishLeaf(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts !== undefined && opts.requiresGrad === true) t.requiresGrad_(true);
  return t;
}

/**
 * Creates a tensor from a number, nested arrays of numbers, or a typed array (with opts.shape).
 * Nested arrays are copied; a typed array of the requested dtype is wrapped without copying.
 */
export function tensor(data: NestedArray | TypedArray | readonly NestedArray[], opts?: FromArrayOptions): Tensor {
  if (typeof data === 'number' && opts?.shape === undefined) {
    // The scalar fast path (scalar-heavy scripts create many of these).
    const dtype = dtypeOption(opts, 'tensor', 'float32', TENSOR_KEYS);
    const storage = allocate(dtype, 1);
    storage[0] = storeValue(data, dtype, 'tensor');
    return finishLeaf(Tensor._wrap(storage, SCALAR_SHAPE, dtype), opts);
  }
  const fromArray = ArrayBuffer.isView(data) ? dtypeOfArray(data) : null;
  const dtype = dtypeOption(opts, 'tensor', fromArray ?? (inferBool(data) ? 'bool' : 'float32'), TENSOR_KEYS);
  let shape: number[];
  let storage: TypedArray;
  if (ArrayBuffer.isView(data)) {
    if (fromArray === null)
      throw new TypeError(
        `tensor: typed-array data must be a Float32Array, Float64Array, Int32Array or Uint8Array, got ${describe(data)}`,
      );
    const arr = data as TypedArray;
    shape = opts?.shape !== undefined ? checkShape(opts.shape, 'tensor', "option 'shape'") : [arr.length];
    if (opts?.shape === undefined) checkElementCount(arr.length, 'tensor', `[${arr.length}]`);
    if (sizeOf(shape) !== arr.length)
      throw new RangeError(
        `tensor: shape ${formatShape(shape)} holds ${sizeOf(shape)} elements but the data has ${arr.length}`,
      );
    if (fromArray === dtype) storage = arr;
    else {
      storage = allocate(dtype, arr.length);
      if (dtype === 'bool' || dtype === 'int32')
        for (let i = 0; i < arr.length; i++) storage[i] = storeValue(arr[i], dtype, 'tensor');
      else storage.set(arr);
    }
  } else {
    shape = [];
    inferShape(data, shape);
    const target = opts?.shape !== undefined ? checkShape(opts.shape, 'tensor', "option 'shape'") : null;
    checkElementCount(sizeOf(shape), 'tensor', formatShape(shape));
    if (target !== null && sizeOf(target) !== sizeOf(shape))
      throw new RangeError(
        `tensor: shape ${formatShape(target)} holds ${sizeOf(target)} elements but the data has ${sizeOf(shape)}`,
      );
    const flat = allocate(dtype, sizeOf(shape));
    let n = 0;
    const fill = (v: NestedArray | readonly NestedArray[], dim: number): void => {
      if (dim === shape.length) {
        if (typeof v === 'number') flat[n++] = storeValue(v, dtype, 'tensor');
        else if (typeof v === 'boolean') flat[n++] = v ? 1 : 0;
        else
          throw new TypeError(
            `tensor: data must hold only numbers (or booleans), got ${describe(v)} at flat index ${n}`,
          );
        return;
      }
      const arr = v as NestedArray[];
      if (!Array.isArray(arr) || arr.length !== shape[dim])
        throw new TypeError(
          `tensor: data is ragged: expected ${shape[dim]} entries at depth ${dim}, got ${Array.isArray(arr) ? arr.length : describe(arr)}`,
        );
      for (let i = 0; i < arr.length; i++) fill(arr[i], dim + 1);
    };
    fill(data as NestedArray, 0);
    storage = flat;
    if (target !== null) shape = target;
  }
  return finishLeaf(Tensor._wrap(storage, shape, dtype), opts);
}

/**
 * The value a number becomes in dtype's storage: bool is true for any nonzero (NaN included), as
 * PyTorch; int32 truncates toward zero and refuses what it cannot hold (a typed-array store would
 * silently wrap or turn NaN into 0).
 */
export function storeValue(v: number, dtype: DType, op: string): number {
  if (dtype === 'bool') return v !== 0 ? 1 : 0;
  if (dtype === 'int32' && !(v >= -2147483648 && v <= 2147483647))
    throw new RangeError(`${op}: value ${v} cannot be stored in an int32 tensor (range -2147483648..2147483647)`);
  return v;
}

function inferBool(data: unknown): boolean {
  let v = data;
  while (Array.isArray(v) && v.length > 0) v = v[0];
  return typeof v === 'boolean';
}

function inferShape(data: unknown, shape: number[]): void {
  let v = data;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) return;
    v = v[0];
  }
  if (typeof v !== 'number' && typeof v !== 'boolean')
    throw new TypeError(
      `tensor: data must be a number, a nested array of numbers or a typed array, got ${describe(v)}`,
    );
}
