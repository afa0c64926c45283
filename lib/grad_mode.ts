// Grad mode: whether operations are recorded for backward. It follows the async context, so that
// `await tg.noGrad(async () => { ...; await x; ... })` holds after the await and two interleaved async
// loops, one under noGrad, do not disturb each other.
//
// isGradEnabled() runs on every op, so the common case is one module variable: `enabled`, the mode of
// the synchronous code running now. A scope (noGrad, enableGrad, inferenceMode) sets it around fn and
// restores it when fn returns. Only when fn returns a promise does its mode have to outlive that: the
// scope then becomes an *async frame* that the continuations of fn find through AsyncLocalStorage, and
// isGradEnabled() looks for one only while such a frame is pending (`pendingFrames > 0`).
//
// AsyncLocalStorage is only enabled while a scope runs or a frame is pending (and until the event
// loop's next turn after that): on Node 20 an enabled AsyncLocalStorage installs promise hooks that
// make every promise of the process several times slower (an await loop ran 5x slower), which a
// library must not impose on its host for good.
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe } from './shape.js';

/** One async scope: its mode applies to the continuations of its function until its promise settles. */
interface Frame {
  enabled: boolean;
  /** Inside tg.inferenceMode (implies !enabled). */
  inference: boolean;
  /** True from the moment fn returned a promise until it settles. */
  pending: boolean;
  /** The frame the scope was opened in (consulted once this one has settled). */
  readonly outer: Frame | undefined;
}

/** The mode of the synchronous code running now, outside any pending async frame. */
let enabled = true;
let inference = false;
/** How many async frames are pending; 0 keeps isGradEnabled() to the plain variable. */
let pendingFrames = 0;
/** Whether inferenceMode was ever entered: until then no tensor is an inference tensor, so ops skip the check. */
export let inferenceModeUsed = false;
/** How many scopes are running their function now (AsyncLocalStorage stays enabled meanwhile). */
let runningScopes = 0;
const frames = new AsyncLocalStorage<Frame>();

/** The pending frame whose mode applies here, or undefined when the module variables do. */
function currentFrame(): Frame | undefined {
  let f = frames.getStore();
  while (f !== undefined && !f.pending) f = f.outer;
  return f;
}

/** Whether operations are currently recorded for backward. */
export function isGradEnabled(): boolean {
  if (pendingFrames === 0) return enabled;
  const f = currentFrame();
  return f === undefined ? enabled : f.enabled;
}

/** Whether the code running now is inside tg.inferenceMode. */
export function isInferenceMode(): boolean {
  if (pendingFrames === 0) return inference;
  const f = currentFrame();
  return f === undefined ? inference : f.inference;
}

/** Sets grad mode and returns the previous value (engine-internal; users call noGrad/enableGrad). */
export function setGradEnabled(on: boolean): boolean {
  if (pendingFrames !== 0) {
    const f = currentFrame();
    if (f !== undefined) {
      const previous = f.enabled;
      f.enabled = on;
      return previous;
    }
  }
  const previous = enabled;
  enabled = on;
  return previous;
}

/** Sets the inference flag where setGradEnabled sets the mode; returns the previous value. */
function setInference(on: boolean): boolean {
  if (pendingFrames !== 0) {
    const f = currentFrame();
    if (f !== undefined) {
      const previous = f.inference;
      f.inference = on;
      return previous;
    }
  }
  const previous = inference;
  inference = on;
  return previous;
}

/**
 * @internal A synchronous scope for the library's own code (optimizers, loadStateDict): no async
 * frame, so no AsyncLocalStorage. fn must not return a promise.
 */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  const previous = setGradEnabled(on);
  try {
    return fn();
  } finally {
    setGradEnabled(previous);
  }
}

let releaseScheduled = false;

/**
 * Disables the storage once no scope runs and no frame is pending, at the next turn of the event
 * loop rather than now: enabling it again costs about a microsecond, so a loop of synchronous scopes
 * pays that once per turn instead of once per call.
 */
function releaseStorageSoon(): void {
  if (runningScopes !== 0 || pendingFrames !== 0 || releaseScheduled) return;
  releaseScheduled = true;
  setImmediate(() => {
    releaseScheduled = false;
    if (runningScopes === 0 && pendingFrames === 0) frames.disable();
  }).unref();
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return (
    (typeof v === 'object' || typeof v === 'function') &&
    v !== null &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs fn with grad mode `on` (and the inference flag), synchronously or, when fn returns a promise,
 * for the rest of fn's async work too.
 */
function scope<T>(on: boolean, inferenceOn: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${name}: argument 'fn' must be a function, got ${describe(fn)}`);
  // Whether fn is async is known only once it returns, and by then its continuations have captured
  // the async context: so fn always runs inside a (not yet pending) frame of its own.
  const frame: Frame = { enabled: on, inference: inferenceOn, pending: false, outer: frames.getStore() };
  const previousMode = setGradEnabled(on);
  const previousInference = setInference(inferenceOn);
  runningScopes++;
  let result: T;
  try {
    result = frames.run(frame, fn);
    if (isPromiseLike(result)) {
      frame.pending = true;
      pendingFrames++;
    }
  } finally {
    runningScopes--;
    setGradEnabled(previousMode);
    setInference(previousInference);
    releaseStorageSoon();
  }
  if (!frame.pending) return result;
  const settle = (): void => {
    frame.pending = false;
    pendingFrames--;
    releaseStorageSoon();
  };
  // The frame ends as fn's promise settles, before the caller's continuation runs; the promise returned
  // settles as fn's does (a rejection nobody handles is still reported).
  return Promise.resolve(result).then(
    (value) => {
      settle();
      return value;
    },
    (error: unknown) => {
      settle();
      throw error;
    },
  ) as T;
}

/**
 * Runs fn with recording off; nothing computed inside gets a gradFn. Returns fn's result. fn may be
 * async: the mode then holds across its awaits, for fn's work only, until its promise settles.
 */
export function noGrad<T>(fn: () => T): T {
  return scope(false, isInferenceMode(), fn, 'noGrad');
}

/**
 * Runs fn with recording on (e.g. inside a noGrad block); fn may be async, as for noGrad. Inside
 * inferenceMode it records nothing still (as PyTorch's enable_grad there). Returns fn's result.
 */
export function enableGrad<T>(fn: () => T): T {
  const inInference = isInferenceMode();
  return scope(!inInference, inInference, fn, 'enableGrad');
}

/**
 * Runs fn with recording off, like noGrad, and marks the tensors that ops compute inside as inference
 * tensors: a later op that records a graph refuses them (clone() one outside to use it in training).
 * fn may be async, as for noGrad. Returns fn's result.
 */
export function inferenceMode<T>(fn: () => T): T {
  inferenceModeUsed = true;
  return scope(false, true, fn, 'inferenceMode');
}

let anomalyDetection = false;

/** Whether anomaly mode is on (tg.autograd.setDetectAnomaly): backward checks more and names the op. */
export function isAnomalyEnabled(): boolean {
  return anomalyDetection;
}

/** @internal sets anomaly mode (tg.autograd.setDetectAnomaly validates its argument). */
export function setAnomalyEnabled(on: boolean): void {
  anomalyDetection = on;
}
