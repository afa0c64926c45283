// Zero-safe product gradients over the last dim of a [K, R] tensor, by prefix and suffix products
// (no division, so zeros in x need no special case):
//   prodGradKernel:    out[k, i] = g[k, i] · Π_{j≠i} x[k, j]
//   prodGrad2Kernel:   out[k, j] = Σ_{i≠j} w[k, i] · Π_{m∉{i,j}} x[k, m]   (its derivative in x, for double backward)
import { recorder } from '../compile/state.js';
import { allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';

export function prodGradKernel(x: Tensor, g: Tensor): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('prodGradKernel', prodGradKernel, [x, g]);
  const [K, R] = x.shape;
  const xd = x.data,
    gd = g.data;
  const out = allocate(x.dtype, xd.length);
  const suffix = new Float64Array(R + 1);
  for (let k = 0; k < K; k++) {
    const b = k * R;
    suffix[R] = 1;
    for (let i = R - 1; i >= 0; i--) suffix[i] = suffix[i + 1] * xd[b + i];
    let prefix = 1;
    for (let i = 0; i < R; i++) {
      out[b + i] = gd[b + i] * (prefix * suffix[i + 1]);
      prefix *= xd[b + i];
    }
  }
  return Tensor._wrap(out, x.shape, x.dtype);
}

export function prodGrad2Kernel(x: Tensor, w: Tensor): Tensor {
  const rec = recorder();
  if (rec !== null) return rec.jsKernel('prodGrad2Kernel', prodGrad2Kernel, [x, w]);
  const [K, R] = x.shape;
  const xd = x.data,
    wd = w.data;
  const out = allocate(x.dtype, xd.length);
  // From the right: R_j = Π_{m>j} x_m and B_j = Σ_{i>j} w_i Π_{m>j, m≠i} x_m.
  const right = new Float64Array(R),
    rightW = new Float64Array(R);
  for (let k = 0; k < K; k++) {
    const b = k * R;
    let r = 1,
      bw = 0;
    for (let j = R - 1; j >= 0; j--) {
      right[j] = r;
      rightW[j] = bw;
      bw = bw * xd[b + j] + wd[b + j] * r;
      r *= xd[b + j];
    }
    // From the left: L_j = Π_{m<j} x_m and A_j = Σ_{i<j} w_i Π_{m<j, m≠i} x_m; G_j = A_j·R_j + L_j·B_j.
    let l = 1,
      aw = 0;
    for (let j = 0; j < R; j++) {
      out[b + j] = aw * right[j] + l * rightW[j];
      aw = aw * xd[b + j] + wd[b + j] * l;
      l *= xd[b + j];
    }
  }
  return Tensor._wrap(out, x.shape, x.dtype);
}
