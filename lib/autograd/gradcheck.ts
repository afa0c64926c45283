// gradcheck: compares the Jacobian from backward with central finite differences, as
// torch.autograd.gradcheck (float64 inputs, eps 1e-6, atol 1e-5, rtol 1e-3 by default).
import { setGradEnabled, withGradMode } from '../grad_mode.js';
import { normal } from '../random.js';
import { describe, formatShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { grad } from './engine.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw an Error describing the first mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

/**
 * The function checked: any function of the inputs returning tensors (`never[]` admits every
 * parameter list). What it is given is only checked at run time, as inputs may mix tensors and numbers.
 */
type Fn = (...inputs: never[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: unknown[], name: string): Tensor[] {
  const out = (fn as (...inputs: unknown[]) => unknown)(...inputs);
  const list = Array.isArray(out) ? out : [out];
  list.forEach((o, i) => {
    if (!(o instanceof Tensor))
      throw new TypeError(
        `${name}: the function must return a Tensor or an array of Tensors; output ${i} is ${describe(o)}`,
      );
  });
  return list.filter((o) => o.dtype === 'float32' || o.dtype === 'float64');
}

/**
 * Checks the gradients of fn at inputs (the tensors among them that require grad, all float64)
 * against central differences. Returns true, or throws (or returns false) on the first mismatch.
 */
export function gradcheck(fn: Fn, inputs: unknown[], options?: GradcheckOptions): boolean {
  return check(fn, inputs, checkArgs(fn, inputs, options, 'gradcheck'), 'gradcheck');
}

/** fn, inputs and options as gradcheck and gradgradcheck take them, validated; options with defaults. */
function checkArgs(fn: unknown, inputs: unknown, options: unknown, name: string): Required<GradcheckOptions> {
  if (typeof fn !== 'function') throw new TypeError(`${name}: argument 'fn' must be a function, got ${describe(fn)}`);
  if (!Array.isArray(inputs))
    throw new TypeError(`${name}: argument 'inputs' must be an array, got ${describe(inputs)}`);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options)))
    throw new TypeError(`${name}: options must be an object, got ${describe(options)}`);
  const o = (options ?? {}) as Record<string, unknown>;
  const result: Required<GradcheckOptions> = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, raiseException: true };
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v === undefined) continue;
    if (key === 'raiseException') {
      if (typeof v !== 'boolean')
        throw new TypeError(`${name}: option 'raiseException' must be a boolean, got ${describe(v)}`);
      result.raiseException = v;
    } else if (key === 'eps' || key === 'atol' || key === 'rtol') {
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v) || (key === 'eps' && v === 0))
        throw new RangeError(
          `${name}: option '${key}' must be a finite ${key === 'eps' ? 'positive' : 'non-negative'} number, got ${describe(v)}`,
        );
      result[key] = v;
    } else throw new TypeError(`${name}: unknown option '${key}' (expected 'eps', 'atol', 'rtol', 'raiseException')`);
  }
  return result;
}

function check(fn: Fn, inputs: unknown[], options: Required<GradcheckOptions>, name: string): boolean {
  const { eps, atol, rtol } = options;
  const raise = options.raiseException;
  const diffIndex: number[] = [];
  inputs.forEach((x, i) => {
    if (x instanceof Tensor && x.requiresGrad) {
      if (x.dtype !== 'float64')
        throw new TypeError(
          `${name}: input ${i} requires grad but is ${x.dtype}; finite differences need float64 inputs`,
        );
      diffIndex.push(i);
    }
  });
  if (diffIndex.length === 0) throw new Error(`${name}: no input requires grad; nothing to check`);
  const diffInputs = diffIndex.map((i) => inputs[i] as Tensor);

  // Analytical Jacobian, one backward per output element (one-hot gradient).
  const outputs = outputsOf(fn, inputs, name);
  const analytical: Float64Array[][] = outputs.map((o) => diffInputs.map((x) => new Float64Array(o.size * x.size)));
  outputs.forEach((o, oi) => {
    if (!o.requiresGrad) return; // a constant output: its analytical Jacobian is zero
    for (let e = 0; e < o.size; e++) {
      const onehot = Tensor._wrap(
        o.dtype === 'float64' ? new Float64Array(o.size) : new Float32Array(o.size),
        o.shape,
        o.dtype,
      );
      onehot.data[e] = 1;
      const grads = grad(o, diffInputs, { gradOutputs: onehot, retainGraph: true, allowUnused: true });
      grads.forEach((g, xi) => {
        if (g !== null) analytical[oi][xi].set(g.data, e * diffInputs[xi].size);
      });
    }
  });

  // Numerical Jacobian by central differences, perturbing storage directly (and restoring it).
  const numerical: Float64Array[][] = outputs.map((o) => diffInputs.map((x) => new Float64Array(o.size * x.size)));
  const previous = setGradEnabled(false);
  try {
    diffInputs.forEach((x, xi) => {
      const d = x.data;
      for (let j = 0; j < x.size; j++) {
        const v = d[j];
        d[j] = v + eps;
        const plus = outputsOf(fn, inputs, name).map((o) => Float64Array.from(o.data));
        d[j] = v - eps;
        const minus = outputsOf(fn, inputs, name).map((o) => Float64Array.from(o.data));
        d[j] = v;
        outputs.forEach((o, oi) => {
          for (let e = 0; e < o.size; e++) numerical[oi][xi][e * x.size + j] = (plus[oi][e] - minus[oi][e]) / (2 * eps);
        });
      }
    });
  } finally {
    setGradEnabled(previous);
  }

  for (let oi = 0; oi < outputs.length; oi++)
    for (let xi = 0; xi < diffInputs.length; xi++) {
      const a = analytical[oi][xi],
        n = numerical[oi][xi];
      for (let k = 0; k < a.length; k++) {
        if (Math.abs(a[k] - n[k]) <= atol + rtol * Math.abs(n[k]) || (Number.isNaN(a[k]) && Number.isNaN(n[k])))
          continue;
        if (!raise) return false;
        const x = diffInputs[xi];
        throw new Error(
          `${name}: Jacobian mismatch for output ${oi} (shape ${formatShape(outputs[oi].shape)}) with respect to ` +
            `input ${diffIndex[xi]} (shape ${formatShape(x.shape)}) at output element ${Math.floor(k / x.size)}, ` +
            `input element ${k % x.size}: analytical ${a[k]}, numerical ${n[k]} (atol ${atol}, rtol ${rtol})`,
        );
      }
    }
  return true;
}

/**
 * Checks second derivatives: gradcheck of (inputs, gradOutputs) ↦ the gradients of fn, computed
 * with createGraph. gradOutputs default to random float64 tensors shaped like the outputs.
 */
export function gradgradcheck(
  fn: Fn,
  inputs: unknown[],
  gradOutputs?: Tensor[] | null,
  options?: GradcheckOptions,
): boolean {
  const name = 'gradgradcheck';
  const opts = checkArgs(fn, inputs, options, name);
  if (
    gradOutputs !== undefined &&
    gradOutputs !== null &&
    (!Array.isArray(gradOutputs) || gradOutputs.some((g) => !(g instanceof Tensor)))
  )
    throw new TypeError(
      `${name}: argument 'gradOutputs' must be an array of Tensors (one per output) or null, got ${describe(gradOutputs)}`,
    );
  const n = inputs.length;
  const diffIndex = inputs.map((x, i) => (x instanceof Tensor && x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  // Before fn runs: with no tensor to differentiate, fn would run on whatever it was given
  // (gradgradcheck(f, [1.5]) gave f's own 'x.sin is not a function').
  if (diffIndex.length === 0) throw new Error(`${name}: no input requires grad; nothing to check`);
  const outputs = outputsOf(fn, inputs, name);
  if (gradOutputs && gradOutputs.length !== outputs.length)
    throw new RangeError(
      `${name}: argument 'gradOutputs' has ${gradOutputs.length} tensors but fn has ${outputs.length} float outputs`,
    );
  gradOutputs?.forEach((g, i) => {
    if (g.dtype !== outputs[i].dtype || !shapesEqual(g.shape, outputs[i].shape))
      throw new TypeError(
        `${name}: gradOutputs[${i}] must be a ${outputs[i].dtype} Tensor of shape ${formatShape(outputs[i].shape)} like output ${i}, got ${g.dtype} ${formatShape(g.shape)}`,
      );
  });
  const gos =
    gradOutputs ??
    outputs.map((o) => {
      const data = new Float64Array(o.size);
      for (let i = 0; i < data.length; i++) data[i] = normal();
      return Tensor._wrap(data, o.shape, 'float64').requiresGrad_(true);
    });
  // The first derivatives as a function; grad mode stays on inside (the numerical pass turns it off).
  const firstOrder = (...all: unknown[]): Tensor[] =>
    withGradMode(true, () => {
      const ins = all.slice(0, n);
      const outs = outputsOf(fn, ins, name);
      const gos = all.slice(n) as Tensor[];
      // Only outputs that depend on a differentiable input have first derivatives; a constant (or
      // non-float) output contributes none, as gradcheck treats its Jacobian as zero. Without this,
      // grad() was called with no outputs and its own error ('grad: ...') reached the caller.
      const live = outs.flatMap((o, i) => (o.requiresGrad ? [i] : []));
      if (live.length === 0) return [];
      const gs = grad(
        live.map((i) => outs[i]),
        diffIndex.map((i) => ins[i] as Tensor),
        { gradOutputs: live.map((i) => gos[i]), createGraph: true, allowUnused: true },
      );
      return gs.filter((g): g is Tensor => g !== null);
    });
  return check(firstOrder, [...inputs, ...gos], opts, name);
}
