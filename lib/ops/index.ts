// The op list: every built-in op, and the table Tensor's methods delegate to. A list, no logic.
// The elementwise ops are rows of lib/ops/elementwise.ts, which install their own Tensor methods
// (lib/ops/table.ts); the other ops keep a file each and reach Tensor through `ops` below.
// The export lists are the public ops (README's API overview): helpers that ops and nn use
// internally (matmulT, sumTo, softmaxBackward) go into the `ops` table or are imported from
// their own modules, never re-exported here, because lib/index.ts re-exports this file into `tg`.
import { backward } from '../autograd/engine.js';
import { ops, type TensorOps } from '../tensor.js';
import { argmax } from './argmax.js';
import { argmin } from './argmin.js';
import { cat } from './cat.js';
import { clamp } from './clamp.js';
import { clone } from './clone.js';
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { add } from './elementwise.js';
import { elu } from './elu.js';
import { expand } from './expand.js';
import { flatten } from './flatten.js';
import { gather } from './gather.js';
import { gelu } from './gelu.js';
import { indexSelect } from './index_select.js';
import { fill, inplace } from './inplace.js';
import { leakyRelu } from './leaky_relu.js';
import { logSumExp } from './log_sum_exp.js';
import { logicalNot } from './logical_not.js';
import { maskedFill } from './masked_fill.js';
import { matmul } from './matmul.js';
import { max } from './max.js';
import { mean } from './mean.js';
import { min } from './min.js';
import { norm } from './norm.js';
import { permute, t, transpose } from './permute.js';
import { prod } from './prod.js';
import { reshape } from './reshape.js';
import { scatterAdd } from './scatter_add.js';
import { slice } from './slice.js';
import { logSoftmax, softmax } from './softmax.js';
import { softplus } from './softplus.js';
import { split } from './split.js';
import { squeeze } from './squeeze.js';
import { stack } from './stack.js';
import { std } from './std.js';
import { sum } from './sum.js';
import { sumTo } from './sum_to.js';
import { toDtype } from './to_dtype.js';
import { unsqueeze } from './unsqueeze.js';
import { variance } from './var.js';
import { where } from './where.js';

// The functions Tensor's methods (and the engine's gradient sums: add) delegate to; typed as TensorOps so
// that a missing entry fails to compile.
const registered: TensorOps = {
  add, sum, mean, max, matmul, transpose, t, permute, reshape, expand, sumTo, clone, toDtype, inplace, fill, backward,
  flatten, squeeze, unsqueeze, split, slice, indexSelect, gather, scatterAdd, where, maskedFill,
  gt, lt, ge, le, eq, ne, logicalNot,
  prod, min, argmax, argmin, var: variance, std, logSumExp, norm, clamp,
  softplus, leakyRelu, elu, gelu, softmax, logSoftmax,
};
Object.assign(ops, registered);

export * from './elementwise.js';
export {
  argmax, argmin, cat, clamp, clone, elu, eq, expand, flatten, gather, ge, gelu, gt, indexSelect, le, leakyRelu,
  logicalNot, logSoftmax, logSumExp, lt, maskedFill, matmul, max, mean, min, ne, norm, permute, prod, reshape,
  scatterAdd, slice, softmax, softplus, split, squeeze, stack, std, sum, t, toDtype, transpose, unsqueeze,
  variance as var, where,
};
