// The fused parameter updates behind lib/optim: one pass over param/grad/state buffers. Large parameters
// go to the native kernels (native/src/ops/optim.cc); small ones run the JS loops below, which are the
// reference the native kernels are tested against.
import type { FloatArray } from '../dtype.js';
import { native } from '../native.js';
import { OPTIM_NATIVE_MIN_ELEMENTS } from './routing.js';

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

/**
 * SGD as torch.optim.SGD, in place:
 *   d = ±g + wd·p;  buf = first ? d : μ·buf + (1−τ)·d;  d = nesterov ? d + μ·buf : buf (when μ ≠ 0);  p −= lr·d.
 * buf is only read/written when momentum ≠ 0.
 */
export function sgdUpdate(p: FloatArray, g: FloatArray, buf: FloatArray | null, h: SgdHyper, first: boolean): void {
  const n = p.length;
  if (n >= OPTIM_NATIVE_MIN_ELEMENTS) {
    native.sgdStep(p, g, buf, h.lr, h.momentum, h.dampening, h.nesterov, h.weightDecay, h.maximize, first);
    return;
  }
  const { lr, momentum: mu, dampening: tau, nesterov, weightDecay: wd, maximize } = h;
  for (let i = 0; i < n; i++) {
    let d = maximize ? -g[i] : g[i];
    if (wd !== 0) d += wd * p[i];
    if (mu !== 0) {
      const b = first ? d : mu * buf![i] + (1 - tau) * d;
      buf![i] = b;
      d = nesterov ? d + mu * b : b;
    }
    p[i] -= lr * d;
  }
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: p ← p·(1 − lr·wd) instead of adding wd·p to the gradient. */
  decoupled: boolean;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * Adam/AdamW as torch.optim (step = the 1-based step count after increment), in place:
 *   g = ±grad (+ wd·p unless decoupled);  p ← p·(1 − lr·wd) if decoupled;
 *   m ← m + (1−β1)(g − m);  v ← β2·v + (1−β2)·g²;  v̂ = amsgrad ? (vmax ← max(vmax, v)) : v;
 *   p ← p − (lr / (1 − β1^step)) · m / (√v̂ / √(1 − β2^step) + eps).
 */
export function adamUpdate(
  p: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  vmax: FloatArray | null,
  h: AdamHyper,
  step: number,
): void {
  const n = p.length;
  if (n >= OPTIM_NATIVE_MIN_ELEMENTS) {
    const { lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize } = h;
    native.adamStep(p, g, m, v, vmax, lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize, step);
    return;
  }
  const { lr, beta1, beta2, eps, weightDecay: wd, decoupled, amsgrad, maximize } = h;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - lr * wd : 1;
  for (let i = 0; i < n; i++) {
    let gi = maximize ? -g[i] : g[i];
    let pi = p[i];
    if (wd !== 0) {
      if (decoupled) pi *= decay;
      else gi += wd * pi;
    }
    const mi = m[i] + (1 - beta1) * (gi - m[i]);
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let vh = vi;
    if (amsgrad) {
      vh = vmax![i] > vi ? vmax![i] : vi;
      vmax![i] = vh;
    }
    p[i] = pi - (stepSize * mi) / (Math.sqrt(vh) / bc2Sqrt + eps);
  }
}
