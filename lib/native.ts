// The only importer of the native addon. Loads it through node-gyp-build, which prefers
// prebuilds/<platform>-<arch>/ and falls back to build/Release; fails with a message that says
// what was tried and which command fixes it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from './package_root.js';

type Float = Float32Array | Float64Array;

/**
 * The addon export table this lib is written against: binding/addon.cc's kAbiVersion. Bump both together
 * whenever an export is added, removed, or changes its arguments or semantics.
 */
export const ABI_VERSION = 5;

/** The functions binding/ exports. Every call validates its arguments (memory safety only). */
export interface NativeBinding {
  /** binding/addon.cc's kAbiVersion; checked once at load (checkAbiVersion). */
  abiVersion: number;
  /** The kernel ISA in use ('avx512' | 'avx2' | 'scalar') and the hardware's best. */
  isa(): string;
  hardwareIsa(): string;
  /** Lowers the kernel ISA (tests, benchmarks); returns the level now in force. */
  forceIsa(name: 'scalar' | 'avx2' | 'avx512'): string;
  getNumThreads(): number;
  setNumThreads(n: number): void;

  /**
   * C ← α·A·B + β·C (+ bias[biasOffset + j] on every row's column j) with element (i, j) of X at
   * x[xOffset + i·rsx + j·csx]; A is m×k, B k×n, C m×n. a, b, c (and bias) all Float32Array or all
   * Float64Array; bias null/undefined = none. If β = 0, C is not read.
   */
  gemm(
    a: Float,
    aOffset: number,
    rsa: number,
    csa: number,
    b: Float,
    bOffset: number,
    rsb: number,
    csb: number,
    c: Float,
    cOffset: number,
    rsc: number,
    csc: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    beta: number,
    bias?: Float | null,
    biasOffset?: number,
    /**
     * Applied to C's final values (tg.compile's fused plans): 0 none, 1 relu, 2 C·(mask > 0 ? 1 : 0)
     * (relu's backward), with mask read at C's strides from maskOffset.
     */
    epilogue?: 0 | 1 | 2,
    mask?: Float | null,
    maskOffset?: number,
  ): void;
  /** gemm over a batch: product i uses offsets aOffsets[i], bOffsets[i], cOffsets[i] (element offsets). */
  gemmBatched(
    a: Float,
    aOffsets: Float64Array,
    rsa: number,
    csa: number,
    b: Float,
    bOffsets: Float64Array,
    rsb: number,
    csb: number,
    c: Float,
    cOffsets: Float64Array,
    rsc: number,
    csc: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    beta: number,
  ): void;

  /** Op names in code order (the code is the index). */
  unaryOps: string[];
  binaryOps: string[];
  reduceOps: string[];
  /** out[i] = f(x[i], p0, p1); x and out the same float type and length (out may be x). */
  unary(op: number, x: Float, out: Float, p0: number, p1: number): void;
  /** out (contiguous, outShape) = f(a, b) with element strides per operand (0 = broadcast). */
  binary(op: number, a: Float, aStrides: number[], b: Float, bStrides: number[], out: Float, outShape: number[]): void;
  /**
   * A chain of unary/binary steps over arrays of n elements, run block by block (tg.compile's fused
   * elementwise runs): program holds 5 entries per step (0 unary / 1 binary, op code, in0, in1 or -1,
   * out; indices into arrays), scalars p0, p1 per step; an array of another length than n is a
   * broadcast scalar (read at element 0, never written). Bit-identical to the steps run one by one.
   */
  elementwiseProgram(n: number, program: Int32Array, scalars: Float64Array, arrays: Float[]): void;
  /** Reduces x (contiguous, shape) over dims (sorted, unique) into out (the kept dims, contiguous). */
  reduce(op: number, x: Float, shape: number[], dims: number[], out: Float): void;

  /**
   * Fused softmax cross-entropy over rows of z [m, c] (native/include/tapegrad/loss.h): loss[i] and
   * lse[i] (a Float64Array for both kinds). Exactly one of targetIndex (Int32Array [m]) / targetProb ([m, c])
   * is given; weight [c] or null.
   */
  crossEntropyForward(
    z: Float,
    m: number,
    c: number,
    targetIndex: Int32Array | null,
    targetProb: Float | null,
    weight: Float | null,
    ignoreIndex: number,
    labelSmoothing: number,
    loss: Float,
    lse: Float64Array,
  ): void;
  /** dz [m, c] = r_i·(Q_i·softmax(z)_i − q_i) with r_i = r[i·rStride] (rStride 0 or 1). */
  crossEntropyBackward(
    z: Float,
    lse: Float64Array,
    m: number,
    c: number,
    targetIndex: Int32Array | null,
    targetProb: Float | null,
    weight: Float | null,
    ignoreIndex: number,
    labelSmoothing: number,
    r: Float,
    rStride: number,
    dz: Float,
  ): void;
  /**
   * out[0] = Σ loss (mean: ÷ the divisor) and inverse[0] = 1 / divisor, where the divisor is Σ weight[y_i]
   * over rows whose class index is not ignoreIndex (1 per row without weights), or m without class
   * indices. loss [m]; targetIndex [m] or null; weight [c] or null; sums in double.
   */
  crossEntropyReduce(
    loss: Float,
    m: number,
    c: number,
    targetIndex: Int32Array | null,
    weight: Float | null,
    ignoreIndex: number,
    mean: boolean,
    out: Float,
    inverse: Float,
  ): void;
  /** Fused in-place SGD update of p (native/include/tapegrad/optim.h); buf may be null when momentum is 0. */
  sgdStep(
    p: Float,
    g: Float,
    buf: Float | null,
    lr: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    weightDecay: number,
    maximize: boolean,
    first: boolean,
  ): void;
  /** Fused in-place Adam/AdamW update of p, m, v (and vmax with amsgrad); step ≥ 1 after increment. */
  adamStep(
    p: Float,
    g: Float,
    m: Float,
    v: Float,
    vmax: Float | null,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    amsgrad: boolean,
    maximize: boolean,
    step: number,
  ): void;

  /**
   * An ArrayBuffer of `bytes` over a block of the native storage pool (zero-filled when `zeroed`), or
   * undefined when the pool cannot lend one (the caller allocates the storage itself).
   */
  takeBlock(bytes: number, zeroed: boolean): ArrayBuffer | undefined;
  /** Detaches a buffer from takeBlock and returns its block to the pool; false for any other value. */
  giveBlock(buffer: unknown): boolean;
  blockPoolStats(): {
    cachedBytes: number;
    lentBytes: number;
    capBytes: number;
    fromCache: number;
    fresh: number;
    givenBack: number;
    collected: number;
  };
  emptyBlockCache(): void;
  /** Sets the most bytes the native pool caches; returns the previous cap. */
  setBlockCacheCap(bytes: number): number;

  /** y = softmax (log: logSoftmax) of x along n in its (outer, n, inner) view; x, y same kind, no overlap. */
  softmax(x: Float, y: Float, outer: number, n: number, inner: number, log: boolean): void;
  /** dx from the forward output y and its gradient g: y·(g − Σg·y), or (log) g − exp(y)·Σg. */
  softmaxBackward(y: Float, g: Float, dx: Float, outer: number, n: number, inner: number, log: boolean): void;

  /**
   * Starts capturing kernel calls on this thread (this Node environment; worker_threads capture on their
   * own). Until planEnd/planAbort, gemm, gemmBatched, unary, binary, reduce, softmax, softmaxBackward,
   * crossEntropyForward/Backward, sgdStep and adamStep check their arguments as usual (same errors) but
   * record the call instead of running it, and return undefined. Every scalar, shape, stride and offset
   * list is copied at capture (a replay uses those values); typed arrays are recorded by address, so a
   * replay reads and writes their current contents. Throws when a capture is already active.
   */
  planBegin(): void;
  /** Ends the capture and returns the recorded calls as a plan. Throws when no capture is active. */
  planEnd(): NativePlan;
  /** Ends a capture, discarding what it recorded; does nothing when none is active. */
  planAbort(): void;
  /**
   * Runs a plan's calls in order on this thread, in one call into native code. Throws (before running
   * anything) when the plan is disposed, running (planRunAsync), called during a capture, or when one of
   * its ArrayBuffers was detached or resized since the capture. A RangeError from a check a call repeats
   * at each run (cross-entropy class indices out of range) stops the run after the calls before it.
   */
  planRun(plan: NativePlan): void;
  /**
   * planRun's checks on this thread (they throw synchronously, as planRun's do), then the calls on a
   * libuv thread with the event loop free; the promise settles back on this thread and rejects only
   * for an error during the run. The plan is busy until then: planRun/planRunAsync on it throw, and
   * giveBlock leaves its buffers attached. The caller must not transfer or write the plan's buffers
   * while it runs. Kernels that split work over the thread pool run on the calling thread when the
   * pool is busy with another caller's job, with bit-identical results.
   */
  planRunAsync(plan: NativePlan): Promise<void>;
  /** Releases a plan's calls and buffers (after the run settles, if it is running); idempotent. */
  planDispose(plan: NativePlan): void;
  /** Recorded calls, distinct ArrayBuffers held, whether an async run is in flight, whether disposed. */
  planInfo(plan: NativePlan): { calls: number; buffers: number; busy: boolean; disposed: boolean };
}

/** An opaque plan from planEnd: the recorded calls and strong references to the ArrayBuffers they use. */
export type NativePlan = { readonly __nativePlan: unique symbol };

/**
 * Throws unless the addon loaded from file reports ABI_VERSION: a binary built from other sources (an
 * older checkout, a stale prebuild) would otherwise be called with arguments it does not expect.
 * Never falls back to JS, which would hide the stale binary. Exported for tests.
 */
export function checkAbiVersion(addon: unknown, file: string): asserts addon is NativeBinding {
  const found = (addon as { abiVersion?: unknown } | null)?.abiVersion;
  if (found === ABI_VERSION) return;
  const what = typeof found === 'number' ? `ABI version ${found}` : 'no ABI version (a build older than the check)';
  throw new Error(
    `tapegrad: the native addon is stale: this tapegrad expects ABI version ${ABI_VERSION}, ` +
      `but ${file} reports ${what}.\n` +
      `  fix: run \`npm rebuild tapegrad\` in the project that installed tapegrad,\n` +
      `       or \`npx cmake-js rebuild\` in a tapegrad checkout.`,
  );
}

/** Loads the addon of the package at root and checks its ABI version (exported for the loader's tests). */
export function loadNativeBinding(root: string): NativeBinding {
  const require = createRequire(path.join(root, 'package.json'));
  let file: string, addon: unknown;
  try {
    const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    file = gypBuild.resolve(root);
    addon = require(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(
      `tapegrad: could not load the native addon.\n` +
        `  tried: ${path.join(root, 'build', 'Release')} and ${path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)}\n` +
        `  reason: ${reason}\n` +
        `  fix: run \`npm run build:native\` in ${root} (needs CMake >= 3.15 and a C++17 compiler),\n` +
        `       or reinstall with TAPEGRAD_BUILD_FROM_SOURCE=1.`,
    );
  }
  checkAbiVersion(addon, file);
  return addon;
}

/** The loaded addon (loaded once, on first import of tapegrad). */
export const native: NativeBinding = loadNativeBinding(packageRoot);
