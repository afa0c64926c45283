// nn.utils.clipGradNorm_ / clipGradValue_: torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
import { describe, formatValue } from '../shape.js';
import { Tensor } from '../tensor.js';

/** The parameters argument: one tensor or an iterable of them; the ones with a .grad are returned. */
function gradsOf(parameters: unknown, fn: string): Tensor[] {
  let list: unknown[];
  if (parameters instanceof Tensor) list = [parameters];
  else if (parameters !== null && typeof parameters === 'object' && Symbol.iterator in parameters)
    list = Array.from(parameters as Iterable<unknown>);
  else
    throw new TypeError(
      `${fn}: argument 'parameters' must be a Tensor or an iterable of Tensors, got ${describe(parameters)}`,
    );
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor))
      throw new TypeError(`${fn}: argument 'parameters' must hold only Tensors, got ${describe(p)} at index ${i}`);
    const g = p.grad;
    if (g !== null) grads.push(g);
  });
  return grads;
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
  const grads = gradsOf(parameters, fn);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0)
    throw new TypeError(`${fn}: argument 'maxNorm' must be a non-negative number, got ${formatValue(maxNorm)}`);
  if (typeof normType !== 'number' || Number.isNaN(normType) || normType <= 0)
    throw new TypeError(
      `${fn}: argument 'normType' must be a positive number or Infinity, got ${formatValue(normType)}`,
    );
  let total = 0;
  if (normType === Number.POSITIVE_INFINITY) {
    for (const g of grads) for (let i = 0; i < g.data.length; i++) total = Math.max(total, Math.abs(g.data[i]));
  } else {
    for (const g of grads) for (let i = 0; i < g.data.length; i++) total += Math.abs(g.data[i]) ** normType;
    total **= 1 / normType;
  }
  const scale = maxNorm / (total + 1e-6);
  if (scale < 1) for (const g of grads) mapInPlace(g, (v) => v * scale);
  return Tensor._wrap(new Float64Array([total]), [], 'float64');
}

/** Clamps every gradient of parameters in place to [-clipValue, clipValue]. Returns nothing. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const fn = 'clipGradValue_';
  const grads = gradsOf(parameters, fn);
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0)
    throw new TypeError(`${fn}: argument 'clipValue' must be a non-negative number, got ${formatValue(clipValue)}`);
  for (const g of grads) mapInPlace(g, (v) => Math.min(Math.max(v, -clipValue), clipValue));
}
