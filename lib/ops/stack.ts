// stack: joins equal-shaped tensors along a new dim. d/dtensors[i] = g's slice i along that dim.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { concatBlocks } from '../kernels/indexing.js';
import { describe, formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { tensorList } from './cat.js';
import { reshape } from './reshape.js';
import { split } from './split.js';
import { runN, keywordArgs } from './util.js';

/** What Stack keeps for backward besides saved tensors. */
type StackCtx = FunctionCtx<{ dim: number }>;

export class Stack extends Function {
  /** forward(dim, ...tensors): the tensors are separate arguments so each gets its own graph edge. */
  static override forward(dim: number, ...tensors: Tensor[]): Tensor {
    const first = tensors[0];
    // Stacking at dim interleaves blocks of prod(shape[dim:]) elements, outer = prod(shape[:dim]) times.
    let outer = 1,
      block = 1;
    for (let d = 0; d < first.ndim; d++) {
      if (d < dim) outer *= first.shape[d];
      else block *= first.shape[d];
    }
    const shape = first.shape.slice();
    shape.splice(dim, 0, tensors.length);
    return concatBlocks(
      tensors.map((t) => t.data),
      tensors.map(() => block),
      outer,
      first.dtype,
      shape,
    );
  }
  static override setupContext(ctx: StackCtx, [dim]: [number, ...Tensor[]]): void {
    ctx.saved = { dim };
  }
  static override backward(ctx: StackCtx, g: Tensor): (Tensor | null)[] {
    const pieces = split(g, 1, ctx.saved.dim);
    return [null, ...pieces.map((p, i) => (ctx.needsInputGrad[i + 1] ? reshape(p, ctx.inputShapes[i + 1]!) : null))];
  }
}

/** Equal-shaped tensors joined along a new dim (-(ndim+1)..ndim): result.shape[dim] = tensors.length. */
export function stack(tensors: Tensor[], dim?: number | { dim?: number }): Tensor {
  [dim = 0] = keywordArgs('stack', ['dim'], [dim]) as [number | undefined];
  const list = tensorList(tensors, 'stack');
  const first = list[0];
  list.forEach((t, i) => {
    if (!shapesEqual(t.shape, first.shape))
      throw new RangeError(
        `stack: argument 'tensors[${i}]' has shape ${formatShape(t.shape)} but all tensors must have the shape of tensors[0], ${formatShape(first.shape)}`,
      );
  });
  if (typeof dim !== 'number') throw new TypeError(`stack: argument 'dim' must be a number, got ${describe(dim)}`);
  const n = first.ndim;
  if (!Number.isInteger(dim)) throw new TypeError(`stack: dim must be an integer, got ${dim}`);
  if (dim < -(n + 1) || dim > n)
    throw new RangeError(`stack: dim ${dim} is out of range for tensors of rank ${n} (expected ${-(n + 1)}..${n})`);
  return runN(Stack, [dim < 0 ? dim + n + 1 : dim, ...list]) as Tensor;
}
