// GEMM dispatch: C ← α·A·B + β·C with explicit strides (so transposes cost nothing). Tiny products
// run in JS (the addon call costs more); everything else goes to the native packed GEMM.
import type { FloatArray } from '../dtype.js';
import { native } from '../native.js';
import { GEMM_NATIVE_MIN_FLOPS } from './routing.js';
import { recorder } from '../compile/state.js';

/** One strided matrix operand: element (i, j) at data[offset + i·rs + j·cs]. */
export interface MatrixRef {
  data: FloatArray;
  offset: number;
  rs: number;
  cs: number;
}

/**
 * C ← α·A·B + β·C (+ bias[j] on every row's column j when bias is given: Linear's epilogue);
 * A m×k, B k×n, C m×n, bias n contiguous. All operands the same float kind; C aliases none of them.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: MatrixRef,
  b: MatrixRef,
  beta: number,
  c: MatrixRef,
  bias: FloatArray | null = null,
): void {
  // While tg.compile records, every product goes to the addon: a plan runs it without a call's cost.
  const rec = recorder();
  if (rec !== null || m * n * k >= GEMM_NATIVE_MIN_FLOPS) {
    // A null bias is none (the addon checks bias only when one is given).
    const args = [a.data, a.offset, a.rs, a.cs, b.data, b.offset, b.rs, b.cs, c.data, c.offset, c.rs, c.cs] as const;
    if (rec !== null) rec.nativeCall('gemm', [...args, m, n, k, alpha, beta, bias, 0]);
    else native.gemm(...args, m, n, k, alpha, beta, bias, 0);
    return;
  }
  gemmJs(m, n, k, alpha, a, b, beta, c, bias);
}

/** The same product for every batch entry i, at element offsets aOffsets[i], bOffsets[i], cOffsets[i]. */
export function gemmBatched(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: MatrixRef,
  aOffsets: Float64Array,
  b: MatrixRef,
  bOffsets: Float64Array,
  beta: number,
  c: MatrixRef,
  cOffsets: Float64Array,
): void {
  const batch = cOffsets.length;
  const rec = recorder();
  if (rec !== null || (batch > 1 && m * n * k * batch >= GEMM_NATIVE_MIN_FLOPS)) {
    const args = [a.data, aOffsets, a.rs, a.cs, b.data, bOffsets, b.rs, b.cs, c.data, cOffsets, c.rs, c.cs] as const;
    if (rec !== null) rec.nativeCall('gemmBatched', [...args, m, n, k, alpha, beta]);
    else native.gemmBatched(...args, m, n, k, alpha, beta);
    return;
  }
  for (let i = 0; i < batch; i++)
    gemm(m, n, k, alpha, { ...a, offset: aOffsets[i] }, { ...b, offset: bOffsets[i] }, beta, {
      ...c,
      offset: cOffsets[i],
    });
}

/** The reference loop: row i of C accumulates α·A[i,p]·B[p,:] (i-p-j order, unit-stride inner loop when B is row-major). */
function gemmJs(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: MatrixRef,
  b: MatrixRef,
  beta: number,
  c: MatrixRef,
  bias: FloatArray | null,
): void {
  const ad = a.data,
    bd = b.data,
    cd = c.data;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const aRow = a.offset + i * a.rs;
    for (let p = 0; p < k; p++) {
      const av = ad[aRow + p * a.cs];
      const bRow = b.offset + p * b.rs;
      const bcs = b.cs;
      for (let j = 0; j < n; j++) row[j] += av * bd[bRow + j * bcs];
    }
    const cRow = c.offset + i * c.rs;
    for (let j = 0; j < n; j++) {
      const ci = cRow + j * c.cs;
      cd[ci] = (beta === 0 ? alpha * row[j] : alpha * row[j] + beta * cd[ci]) + (bias === null ? 0 : bias[j]);
    }
  }
}
