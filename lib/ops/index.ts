// The op list: every built-in op, and the table Tensor's methods delegate to. A list, no logic.
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
import { matmul, matmulT } from './matmul.js';
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

Object.assign(ops, {
  add, sub, mul, div, pow, neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu,
  sum, mean, max, matmul, transpose, t, permute, reshape, expand, sumTo, clone, toDtype, inplace, fill, backward,
});

export {
  abs, add, clone, cos, div, exp, expand, log, matmul, matmulT, max, mean, mul, neg, permute, pow, relu, reshape,
  sigmoid, sin, sqrt, sub, sum, sumTo, t, tanh, toDtype, transpose,
};
