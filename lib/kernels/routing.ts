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
 * crossEntropy forward and backward, in logits (M·C). Measured on a quiet 2-core EPYC (class targets,
 * C = 10, forward + backward through autograd, median µs, JS / native): 256 logits 7.5 / 6.7,
 * 640 15.5 / 10.1, 1,280 (the MLP's [128, 10]) 29.7 / 16.4, 2,560 57.7 / 32.6; below ~200 they tie.
 */
export const CE_NATIVE_MIN_ELEMENTS = 256;

/**
 * The fused SGD/Adam/AdamW updates, in parameter elements. Set with the kernels, without a recorded
 * crossover. Measured since (float32, JS / native, same runs): n = 128 SGD 0.3–0.7 / 0.9–1.2 µs,
 * AdamW 1.3–1.6 / 1.6–1.7 µs; n = 512 SGD 2.1–2.7 / 1.0–1.1 µs, AdamW 4.4–6.1 / 1.7–2.0 µs; n = 1024
 * SGD 4.3–5.7 / 1.2–1.4 µs. The crossover is near 256, so this too is conservative.
 */
export const OPTIM_NATIVE_MIN_ELEMENTS = 1024;
