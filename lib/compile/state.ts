// The one global the kernels consult for tg.compile: the recording in progress, or null. It lives in a
// module of its own, with no imports, so that every layer (kernels, memory, tensor, engine, optim) can
// check it without an import cycle; eager code pays one load and compare per kernel call.
import type { Tensor } from '../tensor.js';
import type { TypedArray } from '../dtype.js';

/** What a recording offers the layers below it (implemented by lib/compile/trace.ts's Trace). */
export interface Recorder {
  /**
   * A call into the addon (native.<name>(...args)); the recording runs it and keeps it for the
   * plan. The name is the addon export's.
   */
  nativeCall(name: string, args: unknown[]): void;
  /**
   * A kernel that runs in JS: impl(...args) is run now and again on every replay, its result written
   * into the storage the recording allocated for it.
   */
  jsKernel(name: string, impl: (...args: never[]) => Tensor, args: unknown[]): Tensor;
  /** A JS kernel that writes the arrays in `writes` in place. */
  jsKernelInPlace(
    name: string,
    impl: (...args: never[]) => unknown,
    args: unknown[],
    writes: readonly TypedArray[],
  ): void;
  /** Storage the library allocated (memory.ts): intermediates the plan may place in its arena. */
  noteAllocation(buffer: ArrayBufferLike, zeroed: boolean): void;
  /** A tensor an op read or wrote (its storage may be bound by reference). */
  noteTensor(t: Tensor): void;
  /** t.grad was set (by the engine, zeroGrad or the user). */
  noteGradSet(t: Tensor, g: Tensor | null): void;
  /** A library call whose JS-side effect replay must repeat (an optimizer step, a scheduler step). */
  effect(name: string, run: () => void): void;
  /** Something whose result depends on tensor values in JS: throws, naming it and the fix. */
  graphBreak(what: string, why: string): void;
  /**
   * Addon calls are kept to run later (async eager calls): storage released meanwhile must not be
   * handed out again until they have run, so it goes to heldReleases instead of the pool.
   */
  readonly deferred: boolean;
  readonly heldReleases: { buffer: ArrayBuffer; detach: boolean }[];
  /** True while a recorded JS kernel or effect runs (its inner calls are part of it, not recorded). */
  readonly paused: boolean;
}

/** The recording in progress, if any (tg.compile's first call for a signature). */
export const recording: { active: Recorder | null } = { active: null };

/** The recorder to report to now: null outside a recording and inside a recorded kernel or effect. */
export function recorder(): Recorder | null {
  const r = recording.active;
  return r === null || r.paused ? null : r;
}
