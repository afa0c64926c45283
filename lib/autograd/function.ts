// The Function/ctx API (modelled on torch.autograd.Function) and the graph node it records.
//
// Function.apply runs the static forward with recording off; when grad mode is on and an input
// requires grad, it also creates a FunctionCtx, lets setupContext save what backward needs, and
// makes the ctx the gradFn of the outputs. The ctx *is* the graph node: it holds the edges to the
// inputs' nodes (or to leaf tensors), the saved tensors, and the per-pass bookkeeping of the engine.
import { inferenceModeUsed, isAnomalyEnabled, isGradEnabled, setGradEnabled } from '../grad_mode.js';
import { adjustGraphBytes, POOL_MIN_BYTES, recycleStorage } from '../memory.js';
import { describe, formatShape } from '../shape.js';
import { Tensor, checkStorage, viewOf, type GradHook } from '../tensor.js';
import { recorder, type Recorder } from '../compile/state.js';
import type { DType } from '../dtype.js';

/** Where an input's gradient goes: the node that produced it, the leaf tensor itself, or nowhere. */
export type Edge = FunctionCtx | Tensor | null;

let nextSeq = 0;

function inferenceTensorError(fn: FunctionClass, i: number): Error {
  return new Error(
    `${fn.name}: input ${i} is an inference tensor (made inside tg.inferenceMode), which cannot be used in an op ` +
      'that records a graph; clone() it outside inferenceMode to get a normal tensor',
  );
}

/** What FunctionCtx.saved holds when a Function does not declare it: any field, read as unknown. */
export type UntypedSaved = Record<string, unknown>;

/**
 * The context passed to setupContext and backward; also the recorded graph node (`tensor.gradFn`).
 * `Saved` is the type of `ctx.saved`, the non-tensor values setupContext keeps for backward:
 *
 *   type Ctx = FunctionCtx<{ constant: number }>;
 *   static setupContext(ctx: Ctx, [, c]: [Tensor, number]) { ctx.saved = { constant: c }; }
 *   static backward(ctx: Ctx, g: Tensor) { return [g.mul(ctx.saved.constant), null]; }
 */
export class FunctionCtx<Saved extends object = UntypedSaved> {
  /** needsInputGrad[i]: whether forward input i is a tensor that requires grad. */
  readonly needsInputGrad: boolean[];
  /** inputShapes[i]: the shape forward input i had (null when it is not a tensor), as PyTorch's input metadata. */
  readonly inputShapes: readonly (readonly number[] | null)[];
  /** inputDtypes[i]: the dtype forward input i had (null when it is not a tensor). */
  readonly inputDtypes: readonly (DType | null)[];
  /**
   * Fields set directly on the ctx (ctx.constant = ...), as in PyTorch, still work but are untyped;
   * `ctx.saved` is the typed place for them.
   */
  [field: string]: unknown;

  /** @internal */ readonly _fn: FunctionClass;
  /** @internal creation order; backward runs nodes newest first. */ readonly _seq: number;
  /** @internal one edge per forward input. */ readonly _next: Edge[];
  /** @internal which output of the next node each edge refers to (null: output 0 for every edge). */ _nextOutput:
    | number[]
    | null = null;
  /** @internal shapes/dtypes of the outputs, to materialise missing gradients as zeros. */
  _numOutputs = 1;
  _outShape0: readonly number[] = [];
  _outDtype0: DType = 'float32';
  /** @internal all output shapes/dtypes when there are several (null for the common single output). */
  _outputShapes: (readonly number[])[] | null = null;
  _outputDtypes: DType[] | null = null;
  _saved: Tensor[] | null = null;
  _savedVersions: number[] | null = null;
  /** @internal what only some nodes need about their saved tensors (null for most: kept off the hot path). */
  _savedExtra: SavedExtra | null = null;
  _released = false;
  _materializeGrads = true;
  /** @internal made by a user's Function.apply (not a built-in op): its backward may keep what it sees. */
  _user = false;
  _dirty: Tensor[] | null = null;
  _nonDifferentiable: Tensor[] | null = null;
  /** @internal tensors (non-leaves) that asked to keep .grad, per output. */
  _retained: (Tensor | null)[] | null = null;
  /** @internal gradient hooks on the outputs, per output. */
  _outHooks: (GradHook[] | null)[] | null = null;
  /** @internal engine state during one backward pass. */
  _pass = 0;
  _needed = false;
  _grads: (Tensor | null)[] | null = null;
  /** @internal backing field of `saved`, made on first use (most nodes keep nothing but tensors). */
  _savedFields: Saved | null = null;

  constructor(fn: FunctionClass, args: readonly unknown[]) {
    this._fn = fn;
    this._seq = nextSeq++;
    const n = args.length;
    const next: Edge[] = new Array(n);
    const needs: boolean[] = new Array(n);
    const shapes: (readonly number[] | null)[] = new Array(n);
    const dtypes: (DType | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const a = args[i];
      if (a instanceof Tensor) {
        shapes[i] = a.shape;
        dtypes[i] = a.dtype;
        if (a._requiresGrad) {
          needs[i] = true;
          next[i] = a.gradFn ?? a;
          if (a._outputIndex !== 0) {
            this._nextOutput ??= new Array<number>(n).fill(0);
            this._nextOutput[i] = a._outputIndex;
          }
          continue;
        }
      } else {
        shapes[i] = null;
        dtypes[i] = null;
      }
      needs[i] = false;
      next[i] = null;
    }
    this.needsInputGrad = needs;
    this._next = next;
    this.inputShapes = shapes;
    this.inputDtypes = dtypes;
  }

  /**
   * Values other than inputs that backward needs (constants, dims, masks made in forward), typed by
   * the Function's `FunctionCtx<Saved>`. Set it whole in setupContext (`ctx.saved = { dim }`) or field
   * by field. Tensors that are forward inputs or outputs go through saveForBackward instead, which
   * checks them against in-place modification and frees them after backward.
   */
  get saved(): Saved {
    this._savedFields ??= {} as Saved;
    return this._savedFields;
  }

  set saved(value: Saved) {
    this._savedFields = value;
  }

  /** The node's display name, e.g. 'MulBackward'. */
  get name(): string {
    return `${this._fn.name}Backward`;
  }

  /** Saves tensors for backward (call once, in setupContext). They are freed after backward. */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    if (this._savedExtra !== null && this._saved !== null) this._unsave();
    // Versions are recorded only when some tensor has been written in place (null: all at version 0),
    // which spares an allocation on the common path.
    let versions: number[] | null = null;
    let bytes = 0;
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i];
      if (t === null || t === undefined) continue;
      if (!(t instanceof Tensor))
        throw new TypeError(
          `${this._fn.name}.saveForBackward: argument ${i} must be a Tensor or null, got ${describe(t)}`,
        );
      if (t.data.length === 0) checkStorage(t, this.name, `saved tensor ${i}`);
      if (t._ver !== null && t._ver.version !== 0) {
        versions ??= new Array<number>(tensors.length).fill(0);
        versions[i] = t._ver.version;
      }
      if (t.data.byteLength >= POOL_MIN_BYTES) {
        // Only pooled storage can be recycled, so only it is counted (which keeps small graphs free of it).
        bytes += t.data.byteLength;
        (t._base ?? t)._savedBy++;
      }
    }
    this._saved = tensors as Tensor[];
    this._savedVersions = versions;
    if (bytes !== 0 || this._savedExtra !== null || isAnomalyEnabled()) this._saveExtra(tensors, bytes);
  }

  /**
   * @internal Drops this node's claim on its saved tensors. A private intermediate (see
   * Tensor._private) that no node holds any more is dead, and its storage returns to the pool.
   */
  _unsave(): void {
    const saved = this._saved!;
    for (let i = 0; i < saved.length; i++) {
      const t = saved[i];
      if (!t || t.data.byteLength < POOL_MIN_BYTES) continue; // counted only when large (saveForBackward)
      const root = t._base ?? t;
      if (--root._savedBy === 0 && root._private) {
        root._private = false;
        // Kept as it is (no detach): a private intermediate has no reader left to protect.
        recycleStorage(root.data, false);
      }
    }
  }

  /** @internal graph-byte accounting (large saved storage) and anomaly mode's checksums. */
  _saveExtra(tensors: (Tensor | null | undefined)[], bytes: number): void {
    let extra = this._savedExtra;
    if (extra === null) {
      extra = this._savedExtra = { bytes: 0, checksums: null };
      if (bytes !== 0) graphsHoldingBytes.register(this, extra, this);
    }
    adjustGraphBytes(bytes - extra.bytes);
    extra.bytes = bytes;
    extra.checksums = isAnomalyEnabled() ? tensors.map((t) => (t instanceof Tensor ? checksum(t) : 0)) : null;
  }

  /** The tensors given to saveForBackward, checked against in-place modification since then. */
  get savedTensors(): Tensor[] {
    if (this._released)
      throw new Error(
        `${this.name}: trying to backward through the graph a second time (or to read saved tensors after they ` +
          'were freed). Saved tensors are freed after backward; pass { retainGraph: true } to the first backward ' +
          'if you need to backward through the graph again.',
      );
    const saved = this._saved;
    if (saved === null) return [];
    const versions = this._savedVersions;
    const checksums = this._savedExtra === null ? null : this._savedExtra.checksums;
    for (let i = 0; i < saved.length; i++) {
      const t = saved[i];
      if (t && t.data.length === 0) checkStorage(t, this.name, `saved tensor ${i}`);
      if (t && checksums !== null && checksum(t) !== checksums[i])
        throw new Error(
          `${this.name}: saved tensor ${i} (shape ${formatShape(t.shape)}) was modified after it was saved, by a write ` +
            'the version counter does not see (through t.data, or a typed array sharing its buffer); anomaly mode ' +
            'found its contents changed. Clone it before writing to it.',
        );
      const expected = versions === null ? 0 : versions[i];
      if (t && (t._ver === null ? 0 : t._ver.version) !== expected)
        throw new Error(
          `${this.name}: one of the tensors needed for gradient computation has been modified by an in-place ` +
            `operation: saved tensor ${i} (shape ${formatShape(t.shape)}) is at version ${t._version.version}; ` +
            `expected version ${expected}. Clone it before modifying it in place.`,
        );
    }
    return saved;
  }

  /** Marks inputs that forward modified in place (they must also be returned as outputs). */
  markDirty(...tensors: Tensor[]): void {
    this._dirty = checkTensorList(tensors, `${this._fn.name}: ctx.markDirty`);
  }

  /** Marks outputs that are not differentiable (e.g. indices); their gradients are always zero. */
  markNonDifferentiable(...tensors: Tensor[]): void {
    this._nonDifferentiable = checkTensorList(tensors, `${this._fn.name}: ctx.markNonDifferentiable`);
  }

  /** When false, missing output gradients reach backward as null instead of zero tensors. */
  setMaterializeGrads(value: boolean): void {
    if (typeof value !== 'boolean')
      throw new TypeError(
        `${this._fn.name}: ctx.setMaterializeGrads: argument 'value' must be a boolean, got ${describe(value)}`,
      );
    this._materializeGrads = value;
  }

  /** @internal shape of output j */
  _outputShape(j: number): readonly number[] {
    return this._outputShapes === null ? this._outShape0 : this._outputShapes[j];
  }

  /** @internal dtype of output j */
  _outputDtype(j: number): DType {
    return this._outputDtypes === null ? this._outDtype0 : this._outputDtypes[j];
  }

  /** @internal */
  _retain(outputIndex: number, t: Tensor): void {
    this._retained ??= [];
    this._retained[outputIndex] = t;
  }

  /** @internal */
  _retains(outputIndex: number, t: Tensor): boolean {
    return this._retained !== null && this._retained[outputIndex] === t;
  }

  /** @internal */
  _addHook(outputIndex: number, fn: GradHook): { remove(): void } {
    this._outHooks ??= [];
    const hooks = this._outHooks[outputIndex] ?? [];
    this._outHooks[outputIndex] = hooks;
    hooks.push(fn);
    return {
      remove: () => {
        const i = hooks.indexOf(fn);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }

  /** @internal frees what backward needed (after a backward without retainGraph). */
  _release(): void {
    if (this._savedExtra !== null) {
      adjustGraphBytes(-this._savedExtra.bytes);
      this._savedExtra = null;
      graphsHoldingBytes.unregister(this);
      if (this._saved !== null) this._unsave();
    }
    this._saved = null;
    this._savedVersions = null;
    this._released = true;
  }
}

/** What a node keeps about its saved tensors beyond the tensors and their versions. */
interface SavedExtra {
  /** Bytes of large saved storage this node counts in tg.memory().graphBytes. */
  bytes: number;
  /** Under anomaly mode: a checksum of each saved tensor's contents when it was saved. */
  checksums: number[] | null;
}

/** A graph dropped without backward stops counting its saved bytes when the collector frees it. */
const graphsHoldingBytes = new FinalizationRegistry<SavedExtra>((extra) => adjustGraphBytes(-extra.bytes));

function checkTensorList(tensors: unknown[], where: string): Tensor[] {
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${where}: argument ${i} must be a Tensor, got ${describe(t)}`);
  });
  return tensors as Tensor[];
}

/** FNV-1a over a tensor's bytes: anomaly mode's check that a saved tensor was not written behind autograd's back. */
function checksum(t: Tensor): number {
  const d = t.data;
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * The static side of a Function subclass. Its methods are declared as methods, so a subclass's own
 * narrower signatures (forward(x: Tensor, c: number)) still fit: TypeScript compares method parameters
 * both ways.
 */
export interface FunctionClass {
  readonly name: string;
  forward(...args: unknown[]): unknown;
  setupContext(ctx: FunctionCtx, inputs: unknown[], output: unknown): void;
  backward(ctx: FunctionCtx, ...gradOutputs: unknown[]): unknown;
}

/** F.forward's signature, less a leading ctx in the older style forward(ctx, ...inputs). */
type ForwardInputs<F extends FunctionClass> = F['forward'] extends (first: infer First, ...rest: infer Rest) => unknown
  ? [First] extends [FunctionCtx<object>]
    ? Rest
    : Parameters<F['forward']>
  : Parameters<F['forward']>;

/** What Function.apply takes: forward's inputs. */
export type ApplyArgs<F extends FunctionClass> = ForwardInputs<F>;
/** What Function.apply returns: forward's result. */
export type ApplyResult<F extends FunctionClass> = ReturnType<F['forward']>;

/**
 * Base class of differentiable operations, as torch.autograd.Function:
 *
 *   type Ctx = FunctionCtx<{ constant: number }>;
 *   class MulConstant extends Function {
 *     static forward(x: Tensor, c: number) { return x.mul(c); }
 *     static setupContext(ctx: Ctx, [, c]: [Tensor, number]) { ctx.saved = { constant: c }; }
 *     static backward(ctx: Ctx, g: Tensor) { return [g.mul(ctx.saved.constant), null]; }
 *   }
 *   MulConstant.apply(x, 3);
 *
 * forward runs with recording off. backward returns one gradient (or null) per forward input and
 * is written with tensor ops, so that it can itself be recorded (createGraph). A subclass that does
 * not override setupContext gets the older style forward(ctx, ...inputs).
 */
// biome-ignore lint/complexity/noStaticOnlyClass: subclassed with static forward/backward, as torch.autograd.Function
export class Function {
  static forward(..._args: unknown[]): unknown {
    throw new Error(`${this.name}: a Function subclass must implement static forward()`);
  }

  static setupContext(_ctx: FunctionCtx, _inputs: unknown[], _output: unknown): void {
    // Marker default: subclasses that do not override it use forward(ctx, ...inputs).
  }

  static backward(_ctx: FunctionCtx, ..._gradOutputs: unknown[]): unknown {
    throw new Error(`${this.name}: this Function does not implement static backward()`);
  }

  /**
   * @deprecated The older spelling with the result type given explicitly (`apply<Tensor[]>(x)`);
   * leave the type out and it is taken from forward. Without it this overload matches no call, so
   * that a mistake is reported against the typed signature below.
   */
  static apply<R extends ExplicitResult = never>(
    this: FunctionClass,
    ...args: [R] extends [never] ? never : unknown[]
  ): R;
  /**
   * Runs the function on args and, when gradients are needed, records it for backward. Typed from
   * forward: it takes forward's inputs and returns what forward returns.
   */
  static apply<F extends FunctionClass>(this: F, ...args: ApplyArgs<F>): ApplyResult<F>;
  static apply(this: FunctionClass, ...args: unknown[]): unknown {
    return applyFunction(this, args, true);
  }
}

/** What an explicit result type of apply may be: a Tensor, or an array of them and other values. */
type ExplicitResult = Tensor | readonly unknown[];

const defaultSetupContext = Function.setupContext;

/** @internal Function.apply's body; built-in ops call it directly with an args array. */
export function applyFunction(fn: FunctionClass, args: unknown[], user = false): unknown {
  const rec = recorder();
  if (rec !== null) noteApply(rec, fn, args, user);
  let anyRequiresGrad = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a instanceof Tensor && a._requiresGrad) {
      anyRequiresGrad = true;
      break;
    }
  }
  const record = anyRequiresGrad && isGradEnabled();
  if (record && inferenceModeUsed)
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a instanceof Tensor && a._inference) throw inferenceTensorError(fn, i);
    }
  const legacy = fn.setupContext === defaultSetupContext;
  const ctx = record || legacy ? new FunctionCtx(fn, args) : null;
  if (ctx !== null && user) ctx._user = true;

  const previous = setGradEnabled(false);
  let output: unknown;
  try {
    if (legacy) output = fn.forward(ctx, ...args);
    else if (args.length === 2)
      output = fn.forward(args[0], args[1]); // spread-free common cases
    else if (args.length === 1) output = fn.forward(args[0]);
    else output = fn.forward(...args);
  } finally {
    setGradEnabled(previous);
  }
  if (!record) return output;
  if (!legacy) fn.setupContext(ctx!, args, output);
  return wireOutputs(ctx!, args, output);
}

/**
 * While tg.compile records: the op's tensor inputs may be captured tensors (bound by reference); a
 * user's own Function is a graph break unless it declares that it computes with tensor ops only.
 */
function noteApply(rec: Recorder, fn: FunctionClass, args: unknown[], user: boolean): void {
  for (const a of args) if (a instanceof Tensor) rec.noteTensor(a);
  if (user && (fn as { traceable?: unknown }).traceable !== true)
    rec.graphBreak(
      `the custom Function ${fn.name}`,
      'its forward or backward may read tensor values in JS, which a recording cannot see; if both compute ' +
        `with tapegrad ops only, declare \`static traceable = true\` on ${fn.name}`,
    );
}

/** Makes ctx the gradFn of forward's tensor outputs (a single tensor or an array). */
function wireOutputs(ctx: FunctionCtx, args: unknown[], output: unknown): unknown {
  if (output instanceof Tensor) {
    ctx._outShape0 = output.shape;
    ctx._outDtype0 = output.dtype;
    if (ctx._dirty === null && ctx._nonDifferentiable === null && output.gradFn === null && !args.includes(output)) {
      // The common case: a fresh output tensor.
      if (output.dtype === 'float32' || output.dtype === 'float64') {
        output.gradFn = ctx;
        output._outputIndex = 0;
        output._requiresGrad = true;
      }
      return output;
    }
    return wireOne(ctx, args, output, 0);
  }
  if (!Array.isArray(output))
    throw new TypeError(`${ctx._fn.name}.forward must return a Tensor or an array of Tensors, got ${describe(output)}`);
  const outs = output.slice();
  const shapes: (readonly number[])[] = [];
  const dtypes: DType[] = [];
  for (let j = 0; j < outs.length; j++) {
    const o = outs[j];
    if (o instanceof Tensor) {
      shapes[j] = o.shape;
      dtypes[j] = o.dtype;
      outs[j] = wireOne(ctx, args, o, j);
    }
  }
  ctx._numOutputs = outs.length;
  ctx._outputShapes = shapes;
  ctx._outputDtypes = dtypes;
  return outs;
}

function wireOne(ctx: FunctionCtx, args: unknown[], out: Tensor, index: number): Tensor {
  if (ctx._nonDifferentiable?.includes(out)) return out;
  if (ctx._dirty?.includes(out)) {
    if (!args.includes(out)) throw new Error(`${ctx._fn.name}: markDirty was given a tensor that is not an input`);
    if (out.gradFn === null && out._requiresGrad)
      throw new Error(
        `${ctx._fn.name}: a leaf tensor that requires grad is being modified in place; use noGrad or clone it first`,
      );
    out._bumpVersion();
  } else if (args.includes(out) || out.gradFn !== null) {
    // Forward returned an input unchanged, or a tensor already in a graph: the output is a view of it
    // (a new tensor sharing its storage and version counter, as PyTorch makes it).
    out = viewOf(out, out.shape);
  }
  if (out.dtype !== 'float32' && out.dtype !== 'float64') return out; // integer outputs carry no gradient
  out.gradFn = ctx;
  out._outputIndex = index;
  out._requiresGrad = true;
  return out;
}

/**
 * @internal For nn.Sequential: a private intermediate (Tensor._private) that the next layer has
 * consumed without any node saving it (a linear layer's output feeding ReLU, which saves its own
 * output) can no longer be read, unless `next` (that layer's output) shares its storage. Its storage
 * returns to the pool now instead of at the next collection.
 */
export function releaseConsumedIntermediate(t: Tensor, next: Tensor): void {
  if (!t._private || t._savedBy !== 0 || t._base !== null) return;
  if (next.data.buffer === t.data.buffer) return;
  t._private = false;
  recycleStorage(t.data, false);
}
