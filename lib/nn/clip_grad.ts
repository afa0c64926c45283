// nn.utils.clipGradNorm_ / clipGradValue_: torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import { recorder } from '../compile/state.js';
import { describe, formatValue } from '../shape.js';
import { checkStorage, Tensor } from '../tensor.js';

/** The parameters argument: one tensor or an iterable of them, as an array. */
function paramsOf(parameters: unknown, fn: string): Tensor[] {
  let list: unknown[];
  if (parameters instanceof Tensor) list = [parameters];
  else if (parameters !== null && typeof parameters === 'object' && Symbol.iterator in parameters)
    list = Array.from(parameters as Iterable<unknown>);
  else
    throw new TypeError(
      `${fn}: argument 'parameters' must be a Tensor or an iterable of Tensors, got ${describe(parameters)}`,
    );
  list.forEach((p, i) => {
    if (!(p instanceof Tensor))
      throw new TypeError(`${fn}: argument 'parameters' must hold only Tensors, got ${describe(p)} at index ${i}`);
  });
  return list as Tensor[];
}

/** The gradients the parameters have now, each with readable storage (fn names the caller in errors). */
function gradsOf(params: Tensor[], fn: string): Tensor[] {
  const grads: Tensor[] = [];
  params.forEach((p, i) => {
    const g = p.grad;
    if (g === null) return;
    checkStorage(g, fn, `the gradient of parameters[${i}]`);
    grads.push(g);
  });
  return grads;
}

/**
 * Runs clip now, or, while tg.compile records, as an effect: clipping reads the gradients' values in
 * JS, so every replay must clip the gradients of its own step.
 */
function clipping(params: Tensor[], clip: () => void): void {
  const rec = recorder();
  if (rec === null) clip();
  else {
    for (const p of params) rec.noteTensor(p);
    rec.effect('clipGrad', clip);
  }
}

/** Writes f(value) into every element of g in place (a write the version counter sees, as mul_ does). */
function mapInPlace(g: Tensor, f: (v: number) => number): void {
  const d = g.data;
  for (let i = 0; i < d.length; i++) d[i] = f(d[i]);
  g._bumpVersion();
}

/**
 * Scales the gradients of parameters in place so that their total norm (the normType-norm of all
 * gradients together, as if concatenated) is at most maxNorm; returns that total norm, taken before
 * clipping, as a float64 scalar tensor (PyTorch returns it in the gradients' dtype). normType is a
 * positive number or Infinity (the largest absolute value). Parameters without a .grad are skipped.
 * As PyTorch: the scale is maxNorm / (total + 1e-6), applied only when it is below 1.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2): Tensor {
  const fn = 'clipGradNorm_';
  const params = paramsOf(parameters, fn);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0)
    throw new TypeError(`${fn}: argument 'maxNorm' must be a non-negative number, got ${formatValue(maxNorm)}`);
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType <= 0)
    throw new TypeError(
      `${fn}: argument 'normType' must be a positive number or Infinity, got ${formatValue(normType)}`,
    );
  const result = Tensor._wrap(new Float64Array(1), [], 'float64');
  clipping(params, () => {
    const grads = gradsOf(params, fn);
    let total = 0;
    if (normType === Number.POSITIVE_INFINITY) {
      for (const g of grads) for (let i = 0; i < g.data.length; i++) total = Math.max(total, Math.abs(g.data[i]));
    } else {
      for (const g of grads) for (let i = 0; i < g.data.length; i++) total += Math.abs(g.data[i]) ** normType;
      total **= 1 / normType;
    }
    const scale = maxNorm / (total + 1e-6);
    if (scale < 1) for (const g of grads) mapInPlace(g, (v) => v * scale);
    result.data[0] = total;
  });
  return result;
}

/** Clamps every gradient of parameters in place to [-clipValue, clipValue]. Returns nothing. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const fn = 'clipGradValue_';
  const params = paramsOf(parameters, fn);
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0)
    throw new TypeError(`${fn}: argument 'clipValue' must be a non-negative number, got ${formatValue(clipValue)}`);
  clipping(params, () => {
    for (const g of gradsOf(params, fn)) mapInPlace(g, (v) => Math.min(Math.max(v, -clipValue), clipValue));
  });
}
