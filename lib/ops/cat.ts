// cat: joins tensors along an existing dim. d/dtensors[i] = the matching piece of g (split along dim).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { promote, type DType } from '../dtype.js';
import { concatBlocks } from '../kernels/indexing.js';
import { blocksAround, describe, formatShape, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
// biome-ignore lint/suspicious/noImportCycles: op/adjoint pair: cat's backward is split and split's is cat (used only inside calls, never at load)
import { split } from './split.js';
import { toDtype } from './to_dtype.js';
import { checkTensorArg, keywordArgs, runN } from './util.js';

/** What Cat keeps for backward besides saved tensors. */
type CatCtx = FunctionCtx<{ dim: number }>;

export class Cat extends Function {
  /** forward(dim, ...tensors): the tensors are separate arguments so each gets its own graph edge. */
  static override forward(dim: number, ...tensors: Tensor[]): Tensor {
    const first = tensors[0];
    const [outer, , inner] = blocksAround(first.shape, dim);
    const shape = first.shape.slice();
    let total = 0;
    for (const t of tensors) total += t.shape[dim];
    shape[dim] = total;
    return concatBlocks(
      tensors.map((t) => t.data),
      tensors.map((t) => t.shape[dim] * inner),
      outer,
      first.dtype,
      shape,
    );
  }
  static override setupContext(ctx: CatCtx, [dim]: [number, ...Tensor[]]): void {
    ctx.saved = { dim };
  }
  static override backward(ctx: CatCtx, g: Tensor): (Tensor | null)[] {
    const dim = ctx.saved.dim;
    const sizes = ctx.inputShapes.slice(1).map((s) => s![dim]);
    const pieces = split(g, sizes, dim);
    return [null, ...pieces.map((p, i) => (ctx.needsInputGrad[i + 1] ? p : null))];
  }
}

/**
 * Checks a list of tensors for cat/stack and converts them to their common dtype (PyTorch's
 * promotion; the conversion is differentiable).
 */
export function tensorList(tensors: unknown, op: string): Tensor[] {
  if (!Array.isArray(tensors))
    throw new TypeError(`${op}: argument 'tensors' must be an array of Tensors, got ${describe(tensors)}`);
  if (tensors.length === 0)
    throw new RangeError(`${op}: argument 'tensors' must hold at least one Tensor, got an empty array`);
  let dtype: DType | null = null;
  // Each element as any tensor argument: a Tensor (or another copy's, adopted) with readable storage.
  const checked = tensors.map((t, i) => {
    const x = checkTensorArg(t, op, `tensors[${i}]`);
    dtype = dtype === null ? x.dtype : promote(dtype, x.dtype);
    return x;
  });
  return checked.map((t) => (t.dtype === dtype ? t : toDtype(t, dtype!)));
}

/** Tensors of equal shape except along dim, joined along dim: result.shape[dim] = Σ shapes[dim]. */
export function cat(tensors: Tensor[], dim?: number | { dim?: number }): Tensor {
  [dim = 0] = keywordArgs('cat', ['dim'], [dim]) as [number | undefined];
  let list = tensorList(tensors, 'cat');
  // As in PyTorch, a 1-D empty tensor (shape [0]) may join tensors of any shape, so an accumulator
  // started as tg.tensor([]) works; it holds nothing, so it is left out (and gets no gradient).
  const isLegacyEmpty = (t: Tensor) => t.ndim === 1 && t.shape[0] === 0;
  const kept = list.filter((t) => !isLegacyEmpty(t));
  if (kept.length > 0 && kept.length < list.length && kept[0].ndim !== 1) list = kept;
  const first = list[0];
  list.forEach((t, i) => {
    if (t.ndim === 0)
      throw new RangeError(
        `cat: argument 'tensors[${i}]' is 0-d; zero-dimensional tensors cannot be concatenated (use stack)`,
      );
  });
  if (typeof dim !== 'number') throw new TypeError(`cat: argument 'dim' must be a number, got ${describe(dim)}`);
  const d = normalizeDim(dim, first.ndim, 'cat');
  list.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k]))
      throw new RangeError(
        `cat: argument 'tensors[${i}]' has shape ${formatShape(t.shape)} but must match tensors[0] ${formatShape(first.shape)} in every dim except dim ${d}`,
      );
  });
  return runN(Cat, [d, ...list]) as Tensor;
}
