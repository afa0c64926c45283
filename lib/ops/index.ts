// The op list: every built-in op, and the table Tensor's methods delegate to. A list, no logic.
// The export lists are the public ops (README's API overview): helpers that ops and nn use
// internally (matmulT, sumTo, softmaxBackward) go into the `ops` table or are imported from
// their own modules, never re-exported here, because lib/index.ts re-exports this file into `tg`.
import { backward } from '../autograd/engine.js';
import { ops } from '../tensor.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { clone } from './clone.js';
import { cos } from './cos.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { expand } from './expand.js';
import { fill, inplace } from './inplace.js';
import { log } from './log.js';
import { matmul } from './matmul.js';
import { max } from './max.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { permute, t, transpose } from './permute.js';
import { pow } from './pow.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { sigmoid } from './sigmoid.js';
import { sin } from './sin.js';
import { sqrt } from './sqrt.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { sumTo } from './sum_to.js';
import { tanh } from './tanh.js';
import { toDtype } from './to_dtype.js';
// shape and indexing ops
import { cat } from './cat.js';
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { flatten } from './flatten.js';
import { gather } from './gather.js';
import { indexSelect } from './index_select.js';
import { logicalNot } from './logical_not.js';
import { maskedFill } from './masked_fill.js';
import { scatterAdd } from './scatter_add.js';
import { slice } from './slice.js';
import { split } from './split.js';
import { squeeze } from './squeeze.js';
import { stack } from './stack.js';
import { unsqueeze } from './unsqueeze.js';
import { where } from './where.js';

Object.assign(ops, {
  add, sub, mul, div, pow, neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu,
  sum, mean, max, matmul, transpose, t, permute, reshape, expand, sumTo, clone, toDtype, inplace, fill, backward,
});

export {
  abs, add, clone, cos, div, exp, expand, log, matmul, max, mean, mul, neg, permute, pow, relu, reshape,
  sigmoid, sin, sqrt, sub, sum, t, tanh, toDtype, transpose,
};

// shape and indexing ops
Object.assign(ops, {
  flatten, squeeze, unsqueeze, split, slice, indexSelect, gather, scatterAdd, where, maskedFill,
  gt, lt, ge, le, eq, ne, logicalNot,
});
export {
  cat, eq, flatten, gather, ge, gt, indexSelect, le, logicalNot, lt, maskedFill, ne, scatterAdd, slice, split, squeeze,
  stack, unsqueeze, where,
};

// more reductions, elementwise ops, softmax
import { argmax } from './argmax.js';
import { argmin } from './argmin.js';
import { clamp } from './clamp.js';
import { elu } from './elu.js';
import { expm1 } from './expm1.js';
import { gelu } from './gelu.js';
import { leakyRelu } from './leaky_relu.js';
import { log1p } from './log1p.js';
import { logSumExp } from './log_sum_exp.js';
import { maximum } from './maximum.js';
import { min } from './min.js';
import { minimum } from './minimum.js';
import { norm } from './norm.js';
import { prod } from './prod.js';
import { rsqrt } from './rsqrt.js';
import { silu } from './silu.js';
import { logSoftmax, softmax } from './softmax.js';
import { softplus } from './softplus.js';
import { square } from './square.js';
import { std } from './std.js';
import { variance } from './var.js';

Object.assign(ops, {
  prod, min, argmax, argmin, var: variance, std, logSumExp, norm, clamp, maximum, minimum, square, rsqrt, log1p, expm1,
  softplus, leakyRelu, elu, gelu, silu, softmax, logSoftmax,
});
export {
  argmax, argmin, clamp, elu, expm1, gelu, leakyRelu, log1p, logSoftmax, logSumExp, maximum, min, minimum, norm, prod,
  rsqrt, silu, softmax, softplus, square, std, variance as var,
};
