// The recording behind tg.compile: while fn runs eagerly for the first time with a given signature,
// every kernel call the library makes is kept as an instruction over the arrays it used, along with
// the JS-side effects replay must repeat (gradients set on captured tensors, optimizer steps).
// plan.ts turns the recording into a plan over an arena.
import type { TypedArray } from '../dtype.js';
import { native } from '../native.js';
import { describe } from '../shape.js';
import { Tensor } from '../tensor.js';
import { recording, type Recorder } from './state.js';

/** One recorded step. Arrays and tensors in args are replaced by their arena views when the plan is built. */
export type Instruction =
  | { kind: 'native'; name: string; args: unknown[] }
  | {
      kind: 'js';
      name: string;
      impl: (...args: never[]) => unknown;
      args: unknown[];
      out: Tensor | undefined;
    }
  /** feed: the tensor is argument `feed`, so replay sets the gradient on that call's argument (a copy). */
  | { kind: 'grad'; tensor: Tensor; grad: Tensor | null; feed?: number }
  | { kind: 'effect'; name: string; run: () => void }
  | { kind: 'restore'; array: TypedArray; contents: TypedArray };

/**
 * Array arguments each addon kernel only writes (so reading them first is not a read), by export
 * name; every other array argument is read. beta ≠ 0 makes a GEMM read C as well.
 */
const WRITE_ONLY_ARGS: Record<string, (args: unknown[]) => number[]> = {
  gemm: (a) => (a[16] === 0 ? [8] : []),
  gemmBatched: (a) => (a[16] === 0 ? [8] : []),
  unary: (a) => (a[2] === a[1] ? [] : [2]),
  binary: (a) => (a[5] === a[1] || a[5] === a[3] ? [] : [5]),
  reduce: () => [4],
  softmax: () => [1],
  softmaxBackward: () => [2],
  crossEntropyForward: () => [8, 9],
  crossEntropyBackward: () => [11],
  crossEntropyReduce: () => [7, 8],
  sgdStep: () => [],
  adamStep: () => [],
  elementwiseProgram: () => [],
};

/** The array arguments each addon kernel writes (only, or in place). */
const WRITTEN_ARGS: Record<string, number[]> = {
  gemm: [8],
  gemmBatched: [8],
  unary: [2],
  binary: [5],
  reduce: [4],
  softmax: [1],
  softmaxBackward: [2],
  crossEntropyForward: [8, 9],
  crossEntropyBackward: [11],
  crossEntropyReduce: [7, 8],
  sgdStep: [0, 2],
  adamStep: [0, 2, 3, 4],
  elementwiseProgram: [],
};

/** The arrays a native call writes. */
export function nativeWrites(name: string, args: unknown[]): TypedArray[] {
  if (name === 'elementwiseProgram') {
    const program = args[1] as Int32Array;
    const arrays = args[3] as TypedArray[];
    const out: TypedArray[] = [];
    for (let s = 0; s < program.length; s += 5) out.push(arrays[program[s + 4]]);
    return out;
  }
  return WRITTEN_ARGS[name].map((i) => args[i]).filter((a) => ArrayBuffer.isView(a)) as TypedArray[];
}

/** The arrays among a native call's arguments, with whether the call only writes them. */
export function nativeArrays(name: string, args: unknown[]): { array: TypedArray; writeOnly: boolean }[] {
  // A fused elementwise run (plan.ts) lists its arrays in its last argument.
  if (name === 'elementwiseProgram') return (args[3] as TypedArray[]).map((array) => ({ array, writeOnly: false }));
  const writeOnly = WRITE_ONLY_ARGS[name](args);
  const found: { array: TypedArray; writeOnly: boolean }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (ArrayBuffer.isView(a)) found.push({ array: a as TypedArray, writeOnly: writeOnly.includes(i) });
  }
  return found;
}

/** The tensors and typed arrays among a JS kernel's arguments (one level into arrays). */
export function jsKernelInputs(args: unknown[]): (Tensor | TypedArray)[] {
  const found: (Tensor | TypedArray)[] = [];
  const add = (x: unknown): void => {
    if (x instanceof Tensor || ArrayBuffer.isView(x)) found.push(x as Tensor | TypedArray);
  };
  for (const a of args) {
    if (Array.isArray(a)) a.forEach(add);
    else add(a);
  }
  return found;
}

/** The storage of a JS kernel input. */
export function storageOf(x: Tensor | TypedArray): TypedArray {
  return x instanceof Tensor ? x.data : x;
}

/** Thrown for a graph break: something fn does cannot be recorded. */
export class GraphBreakError extends Error {
  override name = 'GraphBreakError';

  constructor(message?: string, options?: ErrorOptions) {
    // Error would convert a non-string message itself, and throw a bare TypeError for a symbol or an
    // object without a string form.
    if (message !== undefined && typeof message !== 'string')
      throw new TypeError(`GraphBreakError: argument 'message' must be a string, got ${describe(message)}`);
    super(message, options);
  }
}

export class Trace implements Recorder {
  readonly instructions: Instruction[] = [];
  /** Buffers the library allocated while recording (intermediates), and whether zero-filled. */
  readonly allocated = new Map<ArrayBufferLike, boolean>();
  /** Buffers some recorded instruction has written. */
  readonly written = new Set<ArrayBufferLike>();
  /** Tensors the recorded ops touched, with their version when first seen. */
  readonly tensors = new Map<Tensor, number>();
  /** Captured tensors whose .grad the recording set, with the gradient they held before. */
  readonly gradsBefore = new Map<Tensor, Tensor | null>();
  /** Buffers of the arguments (feeds). */
  readonly feeds: Set<ArrayBufferLike>;
  private pauseDepth = 0;
  /** With fallback to eager: the graph break that ended the recording (fn then runs on, eagerly). */
  broken: string | null = null;

  /**
   * feedTensors: the arguments. eagerOnBreak: a graph break ends the recording and fn runs on
   * eagerly. deferred: addon calls are kept but not run (async eager calls run them later, off the
   * main thread); JS kernels still run, for their results' shapes, and run again in order later.
   */
  constructor(
    feedTensors: readonly Tensor[],
    private readonly eagerOnBreak = false,
    readonly deferred = false,
  ) {
    this.feeds = new Set(feedTensors.map((t) => t.data.buffer));
    for (const t of feedTensors) this.noteTensor(t);
  }

  get paused(): boolean {
    return this.pauseDepth > 0;
  }

  /** Runs body with recording suspended (its kernel calls are part of the instruction being recorded). */
  private runPaused<R>(body: () => R): R {
    this.pauseDepth++;
    try {
      return body();
    } finally {
      this.pauseDepth--;
    }
  }

  /** Before an instruction reads `array`: storage allocated here but not yet written by any instruction
   *  was filled in JS (zeros, ones, a constant): replay restores those contents before this point. Also
   *  for what outlives the step (outputs, gradients set): no instruction may write them at all. */
  beforeRead(array: TypedArray): void {
    const buffer = array.buffer;
    if (!this.allocated.has(buffer) || this.written.has(buffer)) return;
    this.instructions.push({ kind: 'restore', array, contents: array.slice() });
    this.written.add(buffer);
  }

  nativeCall(name: string, args: unknown[]): void {
    const arrays = nativeArrays(name, args);
    for (const { array, writeOnly } of arrays) if (!writeOnly) this.beforeRead(array);
    if (!this.deferred) (native as unknown as Record<string, (...a: unknown[]) => void>)[name](...args);
    for (const { array } of arrays) this.written.add(array.buffer);
    this.instructions.push({ kind: 'native', name, args });
  }

  jsKernel(name: string, impl: (...args: never[]) => Tensor, args: unknown[]): Tensor {
    return this.recordJs(name, impl, args, []) as Tensor;
  }

  jsKernelInPlace(
    name: string,
    impl: (...args: never[]) => unknown,
    args: unknown[],
    writes: readonly TypedArray[],
  ): void {
    this.recordJs(name, impl, args, writes);
  }

  private recordJs(
    name: string,
    impl: (...args: never[]) => unknown,
    args: unknown[],
    writes: readonly TypedArray[],
  ): Tensor | undefined {
    for (const x of jsKernelInputs(args)) {
      if (x instanceof Tensor) this.noteTensor(x);
      this.beforeRead(storageOf(x));
    }
    const result = this.runPaused(() => (impl as (...a: unknown[]) => unknown)(...args));
    const out = result instanceof Tensor ? result : undefined;
    for (const w of writes) this.written.add(w.buffer);
    if (out !== undefined) this.written.add(out.data.buffer);
    this.instructions.push({ kind: 'js', name, impl, args, out });
    return out;
  }

  noteAllocation(buffer: ArrayBufferLike, zeroed: boolean): void {
    // Also while paused: a JS kernel's result is an intermediate like any other. A recycled buffer
    // starts a new life: what wrote it before does not write it now.
    this.allocated.set(buffer, zeroed);
    this.written.delete(buffer);
  }

  noteTensor(t: Tensor): void {
    if (!this.tensors.has(t)) this.tensors.set(t, t._version.version);
  }

  noteGradSet(t: Tensor, g: Tensor | null): void {
    if (this.allocated.has(t.data.buffer)) return; // an intermediate's gradient (retainGrad): not replayed
    this.noteTensor(t);
    if (!this.gradsBefore.has(t)) this.gradsBefore.set(t, t._peekGrad());
    if (g !== null) {
      this.noteTensor(g);
      this.beforeRead(g.data); // a gradient made in JS (zeros) is read from here on, by effects or later steps
    }
    this.instructions.push({ kind: 'grad', tensor: t, grad: g });
  }

  effect(name: string, run: () => void): void {
    if (this.deferred) this.graphBreak(name, 'an async call cannot run JS effects on values not yet computed');
    this.runPaused(run);
    this.instructions.push({ kind: 'effect', name, run });
  }

  graphBreak(what: string, why: string): void {
    const message =
      `tg.compile: ${what} cannot be recorded: ${why}. Move it out of the compiled function, ` +
      `or compile with { fallback: 'eager' } to run this signature eagerly.`;
    if (!this.eagerOnBreak) throw new GraphBreakError(message);
    this.broken = message;
    this.pauseDepth = Number.POSITIVE_INFINITY; // nothing more is recorded; fn runs on eagerly
  }

  /** Buffers the library released while a deferred recording runs: kept until its kernels have run. */
  readonly heldReleases: { buffer: ArrayBuffer; detach: boolean }[] = [];

  /** Makes this the active recording while body runs. */
  record<R>(body: () => R): R {
    if (recording.active !== null)
      throw new Error('tg.compile: a compiled function was called while another one was being recorded');
    recording.active = this;
    try {
      return body();
    } finally {
      recording.active = null;
    }
  }
}
