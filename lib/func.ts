// tg.func: function transforms in the style of torch.func / JAX, built on autograd.grad.
//   grad(f)(...xs)          the gradient of a scalar f with respect to its first argument (or argnums)
//   valueAndGrad(f)(...xs)  [f(...xs), gradient]
//   vjp(f, ...xs)           [f(...xs), (v) => vector-Jacobian products for each x]
//   jacobian(f)(...xs)      the full Jacobian (output shape ++ input shape)
//   hessian(f)(...xs)       the Jacobian of the gradient
//   jvp(f, primals, tangents)  [f(...primals), J·tangents]: forward mode, by the double-vjp trick
import { grad as autogradGrad } from './autograd/engine.js';
import { withGradMode } from './grad_mode.js';
import { describe, formatShape, formatValue } from './shape.js';
import { checkStorage, Tensor } from './tensor.js';

export interface FuncOptions {
  /** Which arguments to differentiate with respect to (default 0). An array gives an array of gradients. */
  argnums?: number | number[];
}

/** A function of tensors (and other arguments) returning a tensor; A is its argument list. */
type TensorFn<A extends unknown[]> = (...args: A) => Tensor;

/** What a transform gives per call: one gradient for one argnum (the default), an array for an array. */
export type GradsFor<O> = O extends { argnums: number[] }
  ? Tensor[]
  : O extends { argnums?: number }
    ? Tensor
    : Tensor | Tensor[];

/** The options type when none are given. */
type NoOptions = Record<never, never>;

/** Fresh leaves that share the caller's values, so the transforms never touch the caller's .grad. */
function prepare(args: unknown[], argnums: number[], fname: string): { inputs: unknown[]; diff: Tensor[] } {
  const inputs = args.slice();
  const diff = argnums.map((i) => {
    const x = args[i];
    if (!(x instanceof Tensor))
      throw new TypeError(
        `${fname}: argument ${i} must be a Tensor to differentiate with respect to it, got ${describe(x)}`,
      );
    if (x.dtype !== 'float32' && x.dtype !== 'float64')
      throw new TypeError(`${fname}: argument ${i} must be float32 or float64, got ${x.dtype}`);
    checkStorage(x, fname, `argument ${i}`);
    const leaf = x.detach().requiresGrad_(true);
    inputs[i] = leaf;
    return leaf;
  });
  return { inputs, diff };
}

function argnumList(opts: FuncOptions | undefined, nargs: number, fname: string): [number[], boolean] {
  const a = opts?.argnums ?? 0;
  const list = Array.isArray(a) ? a : [a];
  for (const i of list)
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= nargs)
      throw new RangeError(
        `${fname}: option 'argnums' must name arguments 0..${nargs - 1} of the ${nargs} given, got ${formatValue(a)}`,
      );
  return [list, Array.isArray(a)];
}

/** Checks a transform's own arguments when it is created (not when the result is called). */
function checkTransform(f: unknown, opts: unknown, fname: string, allowed: readonly string[]): void {
  if (typeof f !== 'function') throw new TypeError(`${fname}: argument 'f' must be a function, got ${describe(f)}`);
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
    throw new TypeError(`${fname}: options must be an object, got ${describe(opts)}`);
  for (const key of Object.keys(opts))
    if (!allowed.includes(key))
      throw new TypeError(`${fname}: unknown option '${key}' (expected ${allowed.map((k) => `'${k}'`).join(', ')})`);
}

/** Returns f ↦ (...xs) => [f(...xs), ∂f/∂x_argnums]; f must return a tensor with one element. */
export function valueAndGrad<A extends unknown[], O extends FuncOptions = NoOptions>(
  f: TensorFn<A>,
  opts?: O,
): (...args: A) => [Tensor, GradsFor<O>] {
  return valueAndGradNamed(f, opts, 'valueAndGrad');
}

function valueAndGradNamed<A extends unknown[], O extends FuncOptions>(
  f: TensorFn<A>,
  opts: O | undefined,
  fname: string,
): (...args: A) => [Tensor, GradsFor<O>] {
  checkTransform(f, opts, fname, ['argnums']);
  return (...args) =>
    withGradMode(true, () => {
      const [argnums, many] = argnumList(opts, args.length, fname);
      const { inputs, diff } = prepare(args, argnums, fname);
      const out = f(...(inputs as A));
      if (!(out instanceof Tensor) || out.size !== 1)
        throw new TypeError(
          `${fname}: f must return a Tensor with one element, got ${out instanceof Tensor ? `shape ${formatShape(out.shape)}` : describe(out)}`,
        );
      const grads = out.requiresGrad
        ? autogradGrad(out, diff, { allowUnused: true }).map((g, i) => g ?? zerosFor(diff[i]))
        : diff.map(zerosFor);
      // argnumList read `many` from the same options GradsFor<O> reads its answer from.
      return [out.detach(), (many ? grads : grads[0]) as GradsFor<O>];
    });
}

/** Returns f ↦ (...xs) => ∂f/∂x_argnums for a scalar-valued f. */
export function grad<A extends unknown[], O extends FuncOptions = NoOptions>(
  f: TensorFn<A>,
  opts?: O,
): (...args: A) => GradsFor<O> {
  const vg = valueAndGradNamed(f, opts, 'grad');
  return (...args) => vg(...args)[1];
}

/** [f(...xs), vjpFn] where vjpFn(v) gives vᵀ·∂f/∂x for every tensor argument x. */
export function vjp<A extends unknown[]>(f: TensorFn<A>, ...args: A): [Tensor, (v: Tensor) => Tensor[]] {
  checkTransform(f, undefined, 'vjp', []);
  return withGradMode(true, () => {
    const argnums = args.map((a, i) => (a instanceof Tensor ? i : -1)).filter((i) => i >= 0);
    const { inputs, diff } = prepare(args, argnums, 'vjp');
    const out = f(...(inputs as A));
    if (!(out instanceof Tensor)) throw new TypeError(`vjp: f must return a Tensor, got ${describe(out)}`);
    const vjpFn = (v: Tensor): Tensor[] => {
      if (!(v instanceof Tensor)) throw new TypeError(`vjp: argument 'v' must be a Tensor, got ${describe(v)}`);
      if (v.dtype !== out.dtype || v.shape.length !== out.shape.length || v.shape.some((d, i) => d !== out.shape[i]))
        throw new TypeError(
          `vjp: argument 'v' must match f's output (${out.dtype} [${out.shape.join(', ')}]), got ${v.dtype} [${v.shape.join(', ')}]`,
        );
      checkStorage(v, 'vjp', "argument 'v'");
      if (!out.requiresGrad) return diff.map(zerosFor);
      return autogradGrad(out, diff, { gradOutputs: v, retainGraph: true, allowUnused: true }).map(
        (g, i) => g ?? zerosFor(diff[i]),
      );
    };
    return [out.detach(), vjpFn];
  });
}

/** Returns f ↦ (...xs) => J with J.shape = [...f(xs).shape, ...x.shape] for x = xs[argnums]. */
export function jacobian<A extends unknown[], O extends JacobianOptions = NoOptions>(
  f: TensorFn<A>,
  opts?: O,
): (...args: A) => GradsFor<O> {
  return jacobianNamed(f, opts, 'jacobian');
}

/** Options of jacobian. */
export interface JacobianOptions extends FuncOptions {
  /** Record the computation of the Jacobian, so that it can itself be differentiated. */
  createGraph?: boolean;
}

function jacobianNamed<A extends unknown[], O extends JacobianOptions>(
  f: TensorFn<A>,
  opts: O | undefined,
  fname: string,
): (...args: A) => GradsFor<O> {
  checkTransform(f, opts, fname, ['argnums', 'createGraph']);
  if (opts?.createGraph !== undefined && typeof opts.createGraph !== 'boolean')
    throw new TypeError(`${fname}: option 'createGraph' must be a boolean, got ${describe(opts.createGraph)}`);
  return (...args) =>
    withGradMode(true, () => {
      const [argnums, many] = argnumList(opts, args.length, fname);
      const { inputs, diff } = prepare(args, argnums, fname);
      const out = f(...(inputs as A));
      if (!(out instanceof Tensor)) throw new TypeError(`${fname}: f must return a Tensor, got ${describe(out)}`);
      const rows: Tensor[][] = diff.map(() => []);
      for (let e = 0; e < out.size; e++) {
        // Only an output that requires grad is float (so the one-hot's dtype matches its data).
        let gs: (Tensor | null)[] = diff.map(() => null);
        if (out.requiresGrad) {
          const onehot = Tensor._wrap(
            out.dtype === 'float64' ? new Float64Array(out.size) : new Float32Array(out.size),
            out.shape,
            out.dtype,
          );
          onehot.data[e] = 1;
          gs = autogradGrad(out, diff, {
            gradOutputs: onehot,
            retainGraph: true,
            allowUnused: true,
            createGraph: opts?.createGraph === true,
          });
        }
        gs.forEach((g, i) => {
          rows[i].push(g ?? zerosFor(diff[i]));
        });
      }
      const jacs = diff.map((x, i) => stackRows(rows[i], [...out.shape, ...x.shape], x));
      return (many ? jacs : jacs[0]) as GradsFor<O>;
    });
}

/** Returns f ↦ (...xs) => the Hessian of a scalar f with respect to xs[argnums] (shape x.shape ++ x.shape). */
export function hessian<A extends unknown[]>(f: TensorFn<A>, opts?: { argnums?: number }): (...args: A) => Tensor {
  checkTransform(f, opts, 'hessian', ['argnums']);
  const argnum = opts?.argnums ?? 0;
  if (typeof argnum !== 'number' || !Number.isInteger(argnum) || argnum < 0)
    throw new TypeError(
      `hessian: option 'argnums' must be a non-negative integer (one argument), got ${formatValue(argnum)}`,
    );
  const gradF = (...args: A): Tensor =>
    withGradMode(true, () => {
      const x = args[argnum];
      if (!(x instanceof Tensor))
        throw new TypeError(`hessian: argument ${argnum} must be a Tensor, got ${describe(x)}`);
      const out = f(...args);
      if (!(out instanceof Tensor) || out.size !== 1)
        throw new TypeError(
          `hessian: f must return a Tensor with one element, got ${out instanceof Tensor ? `shape ${formatShape(out.shape)}` : describe(out)}`,
        );
      // f constant in x (e.g. it detaches x): the gradient is zero, as valueAndGrad gives, instead
      // of grad's 'the tensor does not require grad' under the wrong name.
      if (!out.requiresGrad) return zerosFor(x);
      const [g] = autogradGrad(out, [x], { createGraph: true, allowUnused: true });
      return g ?? zerosFor(x);
    });
  return (...args) => {
    if (argnum >= args.length)
      throw new RangeError(`hessian: option 'argnums' is ${argnum} but f was given ${args.length} arguments`);
    return jacobianNamed(gradF, { argnums: argnum }, 'hessian')(...args);
  };
}

/**
 * Forward mode: [f(...primals), the Jacobian-vector product J·tangents], as torch.func.jvp.
 * primals and tangents are arrays of float tensors, tangents[i] shaped and typed as primals[i]; f
 * takes the primals and returns one tensor.
 *
 * Computed by the double-vjp trick, with reverse mode only: for a dummy cotangent u (zeros, shaped as
 * the output), g(u) = Jᵀu is linear in u, so the vjp of g with respect to u against the tangents is
 * (Jᵀ)ᵀ·t = J·t. It costs two backward passes (the first with createGraph), so every op on the way
 * needs a differentiable backward, as for hessian.
 */
export function jvp(f: (...primals: Tensor[]) => Tensor, primals: Tensor[], tangents: Tensor[]): [Tensor, Tensor] {
  checkTransform(f, undefined, 'jvp', []);
  if (!Array.isArray(primals))
    throw new TypeError(`jvp: argument 'primals' must be an array of Tensors, got ${describe(primals)}`);
  if (!Array.isArray(tangents))
    throw new TypeError(`jvp: argument 'tangents' must be an array of Tensors, got ${describe(tangents)}`);
  // As torch.func.jvp: with no primal there is no direction to differentiate in.
  if (primals.length === 0) throw new RangeError("jvp: argument 'primals' must hold at least one Tensor, got []");
  if (tangents.length !== primals.length)
    throw new RangeError(
      `jvp: argument 'tangents' must hold one Tensor per primal (${primals.length}), got ${tangents.length}`,
    );
  tangents.forEach((t, i) => {
    const p = primals[i];
    if (!(t instanceof Tensor)) throw new TypeError(`jvp: tangents[${i}] must be a Tensor, got ${describe(t)}`);
    checkStorage(t, 'jvp', `tangents[${i}]`);
    if (
      p instanceof Tensor &&
      (t.dtype !== p.dtype || t.shape.length !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k]))
    )
      throw new TypeError(
        `jvp: tangents[${i}] must match primals[${i}] (${p.dtype} ${formatShape(p.shape)}), got ${t.dtype} ${formatShape(t.shape)}`,
      );
  });
  return withGradMode(true, () => {
    const { inputs, diff } = prepare(
      primals,
      primals.map((_, i) => i),
      'jvp',
    );
    const out = f(...(inputs as Tensor[]));
    if (!(out instanceof Tensor)) throw new TypeError(`jvp: f must return a Tensor, got ${describe(out)}`);
    if (!out.requiresGrad) return [out.detach(), zerosFor(out)];
    const u = zerosFor(out).requiresGrad_(true);
    const g = autogradGrad(out, diff, { gradOutputs: u, createGraph: true, allowUnused: true });
    // Only the primals f depends on contribute; g[i] of the others is null (their J block is zero).
    const used = g.flatMap((gi, i) => (gi?.requiresGrad ? [i] : []));
    if (used.length === 0) return [out.detach(), zerosFor(out)];
    const [jt] = autogradGrad(
      used.map((i) => g[i]!),
      u,
      { gradOutputs: used.map((i) => tangents[i]), allowUnused: true },
    );
    return [out.detach(), jt === null ? zerosFor(out) : jt.detach()];
  });
}

function zerosFor(x: Tensor): Tensor {
  return Tensor._wrap(x.dtype === 'float64' ? new Float64Array(x.size) : new Float32Array(x.size), x.shape, x.dtype);
}

/** Concatenates equally shaped rows into one tensor of `shape` (values only; the result is a constant). */
function stackRows(rows: Tensor[], shape: number[], like: Tensor): Tensor {
  const size = like.size;
  const data = like.dtype === 'float64' ? new Float64Array(rows.length * size) : new Float32Array(rows.length * size);
  rows.forEach((r, i) => {
    data.set(r.data as ArrayLike<number>, i * size);
  });
  return Tensor._wrap(data, shape, like.dtype);
}
