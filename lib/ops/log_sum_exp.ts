// logSumExp over dims: m + log Σ exp(x − m) with m the max over the same dims (so inputs around ±1e4 stay
// finite); an infinite m shifts by 0 instead, so all −inf gives −inf and any +inf gives +inf.
// d/dx = exp(x − y), y the (saved) output broadcast back: the softmax over the reduced dims.
import { Function, type FunctionCtx } from '../autograd/function.js';
import { isFloatDType } from '../dtype.js';
import { binary, unary } from '../kernels/elementwise.js';
import { reduce, reducedShape, zeroInfinities } from '../kernels/reduce.js';
import { normalizeDims } from '../shape.js';
import { Tensor, type Dims } from '../tensor.js';
import { exp, mul, sub } from './elementwise.js';
import { reshape } from './reshape.js';
import { expandReduced } from './sum.js';
import { toDtype } from './to_dtype.js';
import {
  type KeepdimOption,
  REDUCE_KEYWORDS,
  type ReduceOptions,
  checkBool,
  checkTensorArg,
  keywordArgs,
  runN,
} from './util.js';

/** What LogSumExp keeps for backward besides saved tensors. */
type LogSumExpCtx = FunctionCtx<{ dims: number[]; keepdim: boolean }>;

export class LogSumExp extends Function {
  static override forward(x: Tensor, dims: number[], keepdim: boolean): Tensor {
    const m = reduce('max', x, dims, true);
    zeroInfinities(m);
    const s = reduce('sum', unary('exp', binary('sub', x, m)), dims, true);
    const y = binary('add', unary('log', s), m);
    return keepdim ? y : Tensor._wrap(y.data, reducedShape(x.shape, dims, false), y.dtype);
  }
  static override setupContext(ctx: LogSumExpCtx, [x, dims, keepdim]: [Tensor, number[], boolean], y: Tensor): void {
    ctx.saveForBackward(x, y);
    ctx.saved = { dims, keepdim };
  }
  static override backward(ctx: LogSumExpCtx, g: Tensor): [Tensor, null, null] {
    const [x, y] = ctx.savedTensors;
    const dims = ctx.saved.dims;
    const keepdim = ctx.saved.keepdim;
    const yk = keepdim ? y : reshape(y, reducedShape(x.shape, dims, true));
    return [mul(expandReduced(g, x.shape, dims, keepdim), exp(sub(x, yk))), null, null];
  }
}

/** log Σ exp(x) over dim (a number or an array; all dims when omitted or null), computed stably. Integer inputs give float32. */
export function logSumExp(x: Tensor, dim?: Dims | null | ReduceOptions, keepdim?: boolean | KeepdimOption): Tensor {
  [dim, keepdim] = keywordArgs('logSumExp', REDUCE_KEYWORDS, [dim, keepdim]) as [
    Dims | null | undefined,
    boolean | undefined,
  ];
  x = checkTensorArg(x, 'logSumExp', 'x');
  const dims = normalizeDims(dim, x.ndim, 'logSumExp');
  const xf = isFloatDType(x.dtype) ? x : toDtype(x, 'float32');
  return runN(LogSumExp, [xf, dims, checkBool(keepdim, 'logSumExp', 'keepdim')]) as Tensor;
}
