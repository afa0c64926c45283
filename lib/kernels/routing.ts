// Where each kernel stops running its JS loop and calls the addon: every small/large cut-off in one place.
// Below a cut-off the N-API call (150–500 ns, plus argument checks) costs more than the work; above it the
// vectorised, threaded native kernel wins. Each figure says what set it; re-measure before changing one.
// Indexing (cat, split, slice, gather, scatterAdd, where, ...) is JS only: memory-bound copies, where a
// call into the addon would only add its cost.

/**
 * Elementwise ops and reductions, in output (or input, for reductions) elements. Set when the native
 * kernels came in, from a bench that measured a call into the addon at 150–500 ns. Measured since
 * (float32 a.add(b), JS / native, two runs on a loaded 2-core EPYC): n = 4096 19–26 / 3–13 µs,
 * n = 16384 33–67 / 7 µs. Native already wins at ~4096; lower this only after a quiet re-measurement.
 */
export const ELEMENTWISE_NATIVE_MIN_ELEMENTS = 16384;

/**
 * GEMM, in multiply-adds (m·n·k, times the batch for batched products): 16³. The same 150–500 ns call
 * cost; below it the JS i-p-j loop finishes first, and the native GEMM would also pack its panels.
 */
export const GEMM_NATIVE_MIN_FLOPS = 4096;

/**
 * softmax / logSoftmax, in elements. exp makes the native path pay early: measured [16, 16] float32
 * native 3 µs vs ~15 µs in JS when the kernel came in (re-measured since: 1.3–3.6 / 3.7–8.5 µs).
 */
export const SOFTMAX_NATIVE_MIN_ELEMENTS = 128;

/**
 * crossEntropy forward and backward, in logits (M·C). Set with the kernel, without a recorded crossover.
 * Measured since (float32 class targets, forward + backward, JS / native, two runs on a loaded 2-core
 * EPYC): [51, 10] 25–48 / 12–14 µs, [409, 10] 100–197 / 50–77 µs, [10, 100] 32–37 / 10–12 µs. Native
 * already wins at 500 logits, so this is conservative; lower it only after a quiet re-measurement.
 */
export const CE_NATIVE_MIN_ELEMENTS = 4096;

/**
 * The fused SGD/Adam/AdamW updates, in parameter elements. Set with the kernels, without a recorded
 * crossover. Measured since (float32, JS / native, same runs): n = 128 SGD 0.3–0.7 / 0.9–1.2 µs,
 * AdamW 1.3–1.6 / 1.6–1.7 µs; n = 512 SGD 2.1–2.7 / 1.0–1.1 µs, AdamW 4.4–6.1 / 1.7–2.0 µs; n = 1024
 * SGD 4.3–5.7 / 1.2–1.4 µs. The crossover is near 256, so this too is conservative.
 */
export const OPTIM_NATIVE_MIN_ELEMENTS = 1024;
