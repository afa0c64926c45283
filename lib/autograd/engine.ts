// The backward engine. From the roots' gradFns it collects the reachable nodes, runs them newest
// first (descending creation order, so every node runs after all its consumers), sums the gradients
// each node output receives before calling its backward once, validates what backward returns and
// routes it along the edges: to the next node, or to a leaf tensor. Leaves get their summed
// gradient at the end of the pass (hooks first), accumulated into .grad.
import { allocate, type TypedArray } from '../dtype.js';
import {
  allocatedSince,
  allocationMark,
  openTemporaries,
  POOL_MIN_BYTES,
  recycleStorage,
  releaseTemporaries,
  setCurrentOp,
} from '../memory.js';
import { isAnomalyEnabled, setAnomalyEnabled, setGradEnabled } from '../grad_mode.js';
import { accumulateInto, copy } from '../kernels/elementwise.js';
import { describe, formatShape, shapesEqual, sizeOf } from '../shape.js';
import { Tensor, checkStorage, ops, tensorIdWatermark, type BackwardOptions, type GradHook } from '../tensor.js';
import { FunctionCtx } from './function.js';
import { runPostAccumulateGradHooks } from './post_accumulate_hooks.js';
import { recorder } from '../compile/state.js';

let passCounter = 0;
/** Backward passes running now: more than one when a hook or a custom backward calls backward. */
let activePasses = 0;

/**
 * Anomaly mode: backward checks every gradient it produces for NaN/Inf, and every saved tensor
 * against a checksum taken when it was saved (writes through t.data bypass the version counter);
 * each failure names the op.
 */
export function setDetectAnomaly(on: boolean): void {
  if (typeof on !== 'boolean')
    throw new TypeError(`setDetectAnomaly: argument 'on' must be a boolean, got ${describe(on)}`);
  setAnomalyEnabled(on);
}
export { isAnomalyEnabled };

interface PassOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** autograd.grad: gradients are returned for these tensors instead of accumulated into .grad. */
  inputs: readonly Tensor[] | null;
  allowUnused: boolean;
}

/** tensor.backward(gradient?, options?) */
export function backward(
  root: Tensor,
  gradient: Tensor | null | undefined,
  options: BackwardOptions | undefined,
): void {
  if (!(root instanceof Tensor)) throw new TypeError(`backward: expected a Tensor, got ${describe(root)}`);
  const grad = rootGradient(root, gradient, 'backward', 'gradient');
  const o = checkOptions(options, 'backward', ['retainGraph', 'createGraph']);
  const createGraph = o.createGraph ?? false;
  run([root], [grad], { retainGraph: o.retainGraph ?? createGraph, createGraph, inputs: null, allowUnused: true });
}

export interface GradOptions {
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** autograd.grad: the gradients of outputs with respect to inputs, without touching any .grad. */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  options?: GradOptions | null,
): (Tensor | null)[] {
  const o = checkOptions(options, 'grad', ['retainGraph', 'createGraph', 'allowUnused'], 'gradOutputs');
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  if (outs.length === 0) throw new RangeError('grad: outputs must hold at least one Tensor');
  if (ins.length === 0) throw new RangeError('grad: inputs must hold at least one Tensor');
  const given = (o as GradOptions).gradOutputs;
  const gradOutputs = given === undefined || given === null ? [] : Array.isArray(given) ? given : [given];
  if (gradOutputs.length !== 0 && gradOutputs.length !== outs.length)
    throw new RangeError(`grad: gradOutputs has ${gradOutputs.length} entries but there are ${outs.length} outputs`);
  ins.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`grad: inputs[${i}] must be a Tensor, got ${describe(t)}`);
    if (!t.requiresGrad) throw new Error(`grad: inputs[${i}] does not require grad`);
  });
  const grads = outs.map((o, i) => rootGradient(o, gradOutputs[i] ?? null, 'grad', `gradOutputs[${i}]`));
  const createGraph = o.createGraph ?? false;
  return run(outs, grads, {
    retainGraph: o.retainGraph ?? createGraph,
    createGraph,
    inputs: ins,
    allowUnused: o.allowUnused ?? false,
  })!;
}

/** The boolean flags of an options object (undefined when absent); anything else is a TypeError naming fn. */
const NO_OPTIONS: Record<string, boolean | undefined> = Object.freeze({});

function checkOptions(
  options: unknown,
  fn: string,
  flags: readonly string[],
  ...others: string[]
): Record<string, boolean | undefined> {
  if (options === undefined || options === null) return NO_OPTIONS;
  if (typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (others.includes(key)) continue;
    if (!flags.includes(key))
      throw new TypeError(
        `${fn}: unknown option '${key}' (expected ${[...flags, ...others].map((k) => `'${k}'`).join(', ')})`,
      );
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      throw new TypeError(`${fn}: option '${key}' must be a boolean, got ${describe(o[key])}`);
  }
  return o as Record<string, boolean | undefined>;
}

function rootGradient(root: Tensor, gradient: Tensor | null | undefined, op: string, arg: string): Tensor {
  if (!(root instanceof Tensor)) throw new TypeError(`${op}: outputs must be Tensors, got ${describe(root)}`);
  if (root.data.length === 0) checkStorage(root, op, 'the output');
  if (!root.requiresGrad)
    throw new Error(
      `${op}: the tensor does not require grad and has no gradFn (did you set requiresGrad on an input, or compute it under noGrad?)`,
    );
  if (gradient === null || gradient === undefined) {
    if (root.size !== 1)
      throw new RangeError(
        `${op}: a gradient can be created implicitly only for a tensor with one element; got shape ` +
          `${formatShape(root.shape)}. Pass ${arg} of that shape.`,
      );
    const ones = allocate(root.dtype, 1);
    ones[0] = 1;
    return Tensor._wrap(ones, root.shape, root.dtype);
  }
  if (!(gradient instanceof Tensor)) throw new TypeError(`${op}: ${arg} must be a Tensor, got ${describe(gradient)}`);
  if (gradient.data.length === 0) checkStorage(gradient, op, arg);
  if (!shapesEqual(gradient.shape, root.shape))
    throw new RangeError(
      `${op}: ${arg} has shape ${formatShape(gradient.shape)} but the output has shape ${formatShape(root.shape)}`,
    );
  if (gradient.dtype !== root.dtype)
    throw new TypeError(`${op}: ${arg} has dtype ${gradient.dtype} but the output has dtype ${root.dtype}`);
  return gradient;
}

/** What one backward pass needs to know while routing gradients. */
interface PassState {
  pass: number;
  /** Tensors with an id at least this were created during the pass. */
  firstId: number;
  createGraph: boolean;
  captureSlots: Map<Tensor, number> | null;
  leaves: Tensor[];
  /**
   * How many places of this pass hold a gradient living in each storage: on the storage's owning
   * tensor (`_base` for a view), which is the storage's identity because the library shares storage
   * only through views and detach(), and user code's tensors are held for good (see unhold); or, for a
   * pass started inside another (a hook that calls backward), in a table of its own, so as not to
   * overwrite the outer pass's counts.
   */
  holders: HolderCounts | null;
  /** Pooled storage allocated from this mark on was allocated during the pass. */
  firstStorage: number;
}

// Ownership rule. The engine may keep a gradient without copying it, or add another gradient into
// it in place, only when it owns the storage:
//   1. the storage was allocated during this pass (the tensor owning it, `_base` for a view, has an
//      id at or above the pass's watermark), so no user value or saved tensor lives in it; and
//   2. exactly one place holds a gradient in that storage: a node's pending output gradient, a
//      leaf's pending sum, a captured autograd.grad result, or a hook's caller.
// Holders are counted per storage, not per tensor: a view's backward (reshape, squeeze, unsqueeze,
// flatten) returns a tensor sharing storage with the gradient it was given, and a pass-through
// backward (add, sub, expand of same shape) hands that gradient to several inputs. The count lives on
// the tensor that owns the storage (a view's `_base`): the library shares storage only through views
// and detach(), both of which set `_base`. A node's hold ends when its results are delivered. With
// createGraph nothing is owned: every sum is recorded.

/**
 * Holder counts per storage. Few storages are held at once in a pass (a node's inputs are released
 * as its outputs are delivered), so a short array searched by identity beats a Map's hashing;
 * past 32 entries it moves to a Map.
 */
class HolderCounts {
  private keys: TypedArray[] = [];
  private counts: number[] = [];
  private map: Map<TypedArray, number> | null = null;

  private indexOf(key: TypedArray): number {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  get(key: TypedArray): number | undefined {
    if (this.map !== null) return this.map.get(key);
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.counts[i];
  }

  /**
   * Adds delta to key's count and returns the new count; a count reaching 0 is removed. Removing
   * from a key never counted does nothing and returns -1.
   */
  add(key: TypedArray, delta: number): number {
    if (this.map !== null) {
      const n = this.map.get(key);
      if (n === undefined) {
        if (delta < 0) return -1;
        this.map.set(key, delta);
        return delta;
      }
      if (n + delta === 0) this.map.delete(key);
      else this.map.set(key, n + delta);
      return n + delta;
    }
    const i = this.indexOf(key);
    if (i < 0) {
      if (delta < 0) return -1;
      if (this.keys.length === 32) {
        this.map = new Map(this.keys.map((k, j) => [k, this.counts[j]]));
        return this.add(key, delta);
      }
      this.keys.push(key);
      this.counts.push(delta);
      return delta;
    }
    const n = this.counts[i] + delta;
    if (n === 0) {
      const last = this.keys.length - 1; // swap-remove
      this.keys[i] = this.keys[last];
      this.counts[i] = this.counts[last];
      this.keys.pop();
      this.counts.pop();
    } else this.counts[i] = n;
    return n;
  }
}

/** Whether the engine owns t's storage in this pass (see the rule above). */
function owned(t: Tensor, st: PassState): boolean {
  if (st.createGraph) return false;
  const root = t._base ?? t;
  if (root.id < st.firstId) return false;
  if (st.holders !== null) return st.holders.get(t.data) === 1;
  return root._engineHoldPass === st.pass && root._engineHolds === 1;
}

function hold(t: Tensor, st: PassState, count = 1): void {
  if (st.holders !== null) {
    st.holders.add(t.data, count);
    return;
  }
  const root = t._base ?? t;
  if (root._engineHoldPass !== st.pass) {
    root._engineHoldPass = st.pass;
    root._engineHolds = count;
  } else root._engineHolds += count;
}

/**
 * Ends one hold. When nothing in the pass holds the storage any more and the pass allocated it, the
 * gradient is dead (built-in backwards keep no reference to what they receive or return; user
 * Functions and hooks hold what they see for good), so its storage goes back to the pool at once.
 */
function unhold(t: Tensor, st: PassState): void {
  let n: number;
  if (st.holders !== null) n = st.holders.add(t.data, -1);
  else {
    const root = t._base ?? t;
    n = root._engineHoldPass === st.pass ? --root._engineHolds : -1;
  }
  if (n !== 0) return; // still held, or never counted
  if (!st.createGraph && t.data.byteLength >= POOL_MIN_BYTES && allocatedSince(t.data, st.firstStorage))
    recycleStorage(t.data, false);
}

/**
 * Sums two gradients that one place holds: in place into a when the engine owns it, else into a
 * new buffer (which this place then holds instead of a). With createGraph, a recorded add.
 */
function sum2(a: Tensor, b: Tensor, st: PassState): Tensor {
  if (st.createGraph) return ops.add(a, b);
  let out = a;
  if (!owned(a, st)) {
    unhold(a, st);
    out = copy(a);
    hold(out, st);
  }
  accumulateInto(out, b);
  unhold(b, st); // b was added in; nothing holds it here any more
  return out;
}

function runHooks(hooks: GradHook[] | null | undefined, g: Tensor, where: string, fn: string): Tensor {
  if (!hooks) return g;
  if (hooks.length > 0)
    recorder()?.graphBreak(`a gradient hook on ${where}`, 'a hook is JS code that may read tensor values');
  for (const hook of hooks.slice()) {
    const r = hook(g);
    if (r !== undefined && r !== null) {
      if (!(r instanceof Tensor) || !shapesEqual(r.shape, g.shape) || r.dtype !== g.dtype)
        throw new TypeError(
          `${fn}: a hook registered with registerHook on ${where} must return undefined or a ${g.dtype} Tensor of shape ` +
            `${formatShape(g.shape)}, got ${r instanceof Tensor ? `a ${r.dtype} Tensor of shape ${formatShape(r.shape)}` : describe(r)}`,
        );
      if (r.data.length === 0) checkStorage(r, fn, `the tensor a hook on ${where} returned`);
      g = r;
    }
  }
  return g;
}

/** Accumulates g into t.grad: the first gradient is stored (copied unless createGraph), later ones added. */
function accumulateGrad(t: Tensor, g: Tensor, owned: boolean, createGraph: boolean): void {
  const existing = t._peekGrad();
  if (existing === null) t._setGradUnchecked(createGraph || owned ? g : copy(g), !createGraph);
  else {
    if (existing.data.length === 0) checkStorage(existing, 'backward', 'the existing .grad of a tensor');
    if (createGraph || existing.gradFn !== null) t._setGradUnchecked(ops.add(existing, g));
    else accumulateInto(existing, g);
  }
}

function checkFinite(g: Tensor, node: FunctionCtx, i: number): void {
  const d = g.data;
  for (let j = 0; j < d.length; j++)
    if (!Number.isFinite(d[j]))
      throw new Error(
        `anomaly: ${node.name} returned a gradient with ${d[j]} for input ${i} (shape ${formatShape(g.shape)})`,
      );
}

function run(roots: Tensor[], rootGrads: Tensor[], opt: PassOptions): (Tensor | null)[] | undefined {
  const pass = ++passCounter;
  const firstId = tensorIdWatermark();
  // 1. Collect the nodes reachable from the roots (iteratively: graphs can be deep).
  const nodes: FunctionCtx[] = [];
  const stack: FunctionCtx[] = [];
  for (const r of roots)
    if (r.gradFn !== null && r.gradFn._pass !== pass) {
      r.gradFn._pass = pass;
      stack.push(r.gradFn);
    }
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node._released)
      throw new Error(
        `backward: trying to backward through the graph a second time (${node.name} was already freed). ` +
          'Saved tensors are freed after backward; pass { retainGraph: true } to the first backward to keep them.',
      );
    nodes.push(node);
    const next = node._next;
    for (let i = 0; i < next.length; i++) {
      const e = next[i];
      if (e instanceof FunctionCtx && e._pass !== pass) {
        e._pass = pass;
        stack.push(e);
      }
    }
  }
  if (nodes.length > 1) nodes.sort(newestFirst);

  // 2. For autograd.grad: which inputs are captured, and which nodes lead to one (the rest are skipped).
  const captureSlots = opt.inputs === null ? null : new Map<Tensor, number>();
  const captured: (Tensor | null)[] = [];
  const captureAt = captureSlots === null ? null : new Map<FunctionCtx, [number, number][]>();
  if (captureSlots !== null && captureAt !== null) {
    opt.inputs!.forEach((t, slot) => {
      captured[slot] = null;
      if (t.gradFn === null) captureSlots.set(t, slot);
      else {
        const list = captureAt.get(t.gradFn) ?? [];
        list.push([t._outputIndex, slot]);
        captureAt.set(t.gradFn, list);
      }
    });
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      let needed = captureAt.has(node);
      for (const e of node._next) {
        if (needed) break;
        if (e instanceof FunctionCtx) needed = e._pass === pass && e._needed;
        else if (e instanceof Tensor) needed = captureSlots.has(e);
      }
      node._needed = needed;
    }
  }

  const leaves: Tensor[] = [];
  const st: PassState = {
    pass,
    firstId,
    createGraph: opt.createGraph,
    captureSlots,
    leaves,
    holders: activePasses > 0 ? new HolderCounts() : null,
    firstStorage: allocationMark(),
  };
  const previousMode = setGradEnabled(opt.createGraph);
  activePasses++;
  try {
    for (let i = 0; i < roots.length; i++) {
      const r = roots[i];
      if (r.gradFn !== null) deliver(r.gradFn, r._outputIndex, rootGrads[i], st);
      else deliver(r, 0, rootGrads[i], st);
    }
    // 3. Run each node once, newest first.
    for (const node of nodes) {
      const grads = node._grads;
      node._grads = null;
      if (captureSlots !== null && !node._needed) continue;
      if (grads === null) continue; // nothing flowed into this branch
      const numOutputs = grads.length;
      for (let j = 0; j < numOutputs; j++) {
        let g = grads[j];
        if (g === null) continue;
        if (node._outHooks?.[j] && node._outHooks[j]!.length > 0) {
          hold(g, st); // the hook sees it and may keep it
          const hooked = runHooks(node._outHooks[j], g, node.name, opt.inputs === null ? 'backward' : 'grad');
          if (hooked !== g) {
            unhold(g, st);
            hold(hooked, st, 2); // this node, and the hook's author, who may keep it
            g = grads[j] = hooked;
          }
        }
        if (node._retained?.[j]) accumulateGrad(node._retained[j]!, g, false, opt.createGraph);
      }
      if (captureAt !== null) {
        const caps = captureAt.get(node);
        if (caps !== undefined)
          for (const [j, slot] of caps) {
            const g = grads[j];
            captured[slot] = g;
            if (g !== null) hold(g, st); // the result keeps it: never add into it in place
          }
      }
      if (node._materializeGrads)
        for (let j = 0; j < numOutputs; j++)
          if (grads[j] === null && node._outputShape(j) !== undefined)
            grads[j] = new Tensor(
              allocate(node._outputDtype(j), sizeOf(node._outputShape(j))),
              node._outputShape(j),
              node._outputDtype(j),
            );

      // A user Function may keep what its backward receives and returns: those storages stay held.
      if (node._user) for (let j = 0; j < numOutputs; j++) if (grads[j] !== null) hold(grads[j]!, st);
      setCurrentOp(node);
      // A built-in formula's intermediates (a mask, a product before its reduction) are dead once it
      // returns, unless they are what it returns; a user Function may keep anything, and with
      // createGraph the graph being built holds them.
      const temporaries = node._user || st.createGraph ? -1 : openTemporaries();
      let result: unknown;
      try {
        result = numOutputs === 1 ? node._fn.backward(node, grads[0]) : node._fn.backward(node, ...grads);
      } catch (err) {
        if (temporaries >= 0) releaseTemporaries(temporaries, [], false);
        throw err;
      }
      const next = node._next;
      const numInputs = next.length;
      let list: unknown[];
      if (Array.isArray(result)) list = result;
      else if (numInputs === 1 && (result === null || result === undefined || result instanceof Tensor))
        list = [result];
      else {
        if (temporaries >= 0) releaseTemporaries(temporaries, [], false);
        throw new TypeError(
          `${node.name}: backward must return an array with one gradient (or null) per forward input (${numInputs}), got ${describe(result)}`,
        );
      }
      if (temporaries >= 0) releaseTemporaries(temporaries, list);
      if (list.length !== numInputs && !extraGradientsAreNull(list, numInputs))
        throw new RangeError(
          `${node.name}: backward returned ${list.length} gradients, expected ${numInputs} (one per forward input)`,
        );
      for (let i = 0; i < numInputs; i++) {
        const g = list[i];
        const edge = next[i];
        if (g === null || g === undefined || edge === null) continue;
        if (!(g instanceof Tensor))
          throw new TypeError(
            `${node.name}: backward returned ${describe(g)} for input ${i}; expected a Tensor or null`,
          );
        validateGradient(node, i, g);
        if (g.data.length === 0) checkStorage(g, node.name, `the gradient returned for input ${i}`);
        if (isAnomalyEnabled()) checkFinite(g, node, i);
        if (node._user) hold(g, st);
        deliver(edge, node._nextOutput === null ? 0 : node._nextOutput[i], g, st);
      }
      // After the deliveries, which may pass these very storages on (views, pass-through backwards).
      for (let j = 0; j < numOutputs; j++) if (grads[j] !== null) unhold(grads[j]!, st); // this node is done with them
      if (!opt.retainGraph) node._release();
    }
    // 4. Leaves: hooks on the summed gradient, then into .grad (or the autograd.grad result).
    for (const leaf of leaves) {
      const pending = leaf._engineLeafGrad!;
      if (leaf._hooks !== null && leaf._hooks.length > 0) hold(pending, st); // the hooks see it and may keep it
      const g = runHooks(leaf._hooks, pending, 'a leaf tensor', opt.inputs === null ? 'backward' : 'grad');
      const keep = g === pending && owned(g, st);
      if (captureSlots !== null) {
        const slot = captureSlots.get(leaf)!;
        captured[slot] = opt.createGraph || keep ? g : copy(g);
      } else accumulateGrad(leaf, g, keep, opt.createGraph);
      leaf._engineLeafGrad = null;
      if (!keep) unhold(pending, st); // copied or added into .grad: this pass is done with it
      if (captureSlots === null) runPostAccumulateGradHooks(leaf);
    }
  } catch (err) {
    // Leave no half-summed gradients behind for the next pass.
    for (const leaf of leaves) leaf._engineLeafGrad = null;
    for (const node of nodes) node._grads = null;
    throw err;
  } finally {
    activePasses--;
    setGradEnabled(previousMode);
  }
  if (captureSlots === null) return undefined;
  captured.forEach((g, i) => {
    if (g === null && !opt.allowUnused)
      throw new Error(
        `grad: inputs[${i}] was not used to compute the outputs; pass { allowUnused: true } to get null for it`,
      );
  });
  return captured;
}

function newestFirst(x: FunctionCtx, y: FunctionCtx): number {
  return y._seq - x._seq;
}

function extraGradientsAreNull(list: unknown[], numInputs: number): boolean {
  if (list.length < numInputs) return false;
  for (let i = numInputs; i < list.length; i++) if (list[i] !== null && list[i] !== undefined) return false;
  return true;
}

/** Adds g to what edge has received in this pass: a node output's buffer, or a leaf's pending gradient. */
function deliver(edge: FunctionCtx | Tensor, outIndex: number, g: Tensor, st: PassState): void {
  hold(g, st);
  if (edge instanceof FunctionCtx) {
    let grads = edge._grads;
    if (grads === null) grads = edge._grads = edge._numOutputs === 1 ? [null] : new Array(edge._numOutputs).fill(null);
    const prev = grads[outIndex];
    grads[outIndex] = prev === null ? g : sum2(prev, g, st);
    return;
  }
  // A leaf: this pass's contributions are summed on the tensor itself.
  if (st.captureSlots !== null && !st.captureSlots.has(edge)) return;
  const prev = edge._engineLeafGrad;
  if (prev === null) {
    edge._engineLeafGrad = g;
    st.leaves.push(edge);
  } else edge._engineLeafGrad = sum2(prev, g, st);
}

function validateGradient(node: FunctionCtx, i: number, g: Tensor): void {
  const shape = node.inputShapes[i]!;
  if (!shapesEqual(g.shape, shape))
    throw new RangeError(
      `${node.name}: backward returned a gradient of shape ${formatShape(g.shape)} for input ${i}, which has shape ${formatShape(shape)}`,
    );
  const dtype = node.inputDtypes[i]!;
  if (g.dtype !== dtype)
    throw new TypeError(`${node.name}: backward returned a ${g.dtype} gradient for input ${i}, which is ${dtype}`);
}
