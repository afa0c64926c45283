// split: cuts a tensor into consecutive pieces along dim (copies). d/dx = the pieces' gradients
// joined back with cat (a piece whose gradient is missing contributes zeros).
import { Function, type FunctionCtx } from '../autograd/function.js';
import { splitAlong } from '../kernels/indexing.js';
import { describe, formatValue, normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
// biome-ignore lint/suspicious/noImportCycles: op/adjoint pair: split's backward is cat and cat's is split (used only inside calls, never at load)
import { cat } from './cat.js';
import { checkTensorArg, runN, keywordArgs } from './util.js';

/** What Split keeps for backward besides saved tensors. */
type SplitCtx = FunctionCtx<{ dim: number }>;

export class Split extends Function {
  static override forward(x: Tensor, sizes: number[], dim: number): Tensor[] {
    return splitAlong(x, dim, sizes);
  }
  static override setupContext(ctx: SplitCtx, [, , dim]: [Tensor, number[], number]): void {
    ctx.saved = { dim };
  }
  static override backward(ctx: SplitCtx, ...gs: Tensor[]): [Tensor, null, null] {
    return [cat(gs, ctx.saved.dim), null, null];
  }
}

/**
 * x cut along dim, as torch.split: a number is the size of every piece (the last may be smaller);
 * an array lists the sizes of the pieces, which must add up to x.shape[dim]. Returns copies.
 */
export function split(x: Tensor, splitSizeOrSections: number | number[], dim?: number | { dim?: number }): Tensor[] {
  x = checkTensorArg(x, 'split', 'x');
  [dim = 0] = keywordArgs('split', ['dim'], [dim]) as [number | undefined];
  if (typeof dim !== 'number') throw new TypeError(`split: argument 'dim' must be a number, got ${describe(dim)}`);
  if (x.ndim === 0) throw new RangeError('split: cannot split a 0-d tensor');
  const d = normalizeDim(dim, x.ndim, 'split');
  const n = x.shape[d];
  let sizes: number[];
  const arg = splitSizeOrSections;
  if (typeof arg === 'number') {
    if (!Number.isInteger(arg) || arg < 0)
      throw new TypeError(
        `split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got ${formatValue(arg)}`,
      );
    if (arg === 0 && n > 0)
      throw new RangeError(`split: a split size of 0 cannot cut dim ${d} of size ${n}; give a positive size`);
    sizes = [];
    for (let s = 0; s < n; s += arg) sizes.push(Math.min(arg, n - s));
    if (n === 0) sizes.push(0);
  } else if (Array.isArray(arg)) {
    if (arg.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0))
      throw new TypeError(
        `split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got ${formatValue(arg)}`,
      );
    const total = arg.reduce((a, b) => a + b, 0);
    if (total !== n)
      throw new RangeError(`split: sections ${formatValue(arg)} add up to ${total} but dim ${d} has size ${n}`);
    sizes = arg.slice();
  } else {
    throw new TypeError(
      `split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got ${describe(arg)}`,
    );
  }
  return runN(Split, [x, sizes, d]) as Tensor[];
}
