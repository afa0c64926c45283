// The op list: every built-in op. A list, no logic. The op table is lib/ops/elementwise.ts (rows that
// are the op) and lib/ops/registry.ts (rows for the ops with files of their own); importing them
// installs Tensor's derived methods (lib/ops/table.ts). The export lists are the public ops (README's
// API overview): helpers that ops and nn use internally (matmulT, sumTo, softmaxBackward) go into the
// `ops` table or are imported from their own modules, never re-exported here, because lib/index.ts
// re-exports this file into `tg`. test/readme_op_list.test.ts checks every table row is exported.
import { backward } from '../autograd/engine.js';
import { backwardAsync } from '../compile/async_eager.js';
import { ops, type TensorOps } from '../tensor.js';
import { add } from './elementwise.js';
import { fill, inplace } from './inplace.js';
import { max, min, reshape, toDtype, where } from './registry.js';

// The functions the hand-written methods of Tensor (and the engine's gradient sums: add) delegate to;
// typed as TensorOps so that a missing entry fails to compile.
const registered: TensorOps = { add, max, min, where, reshape, toDtype, inplace, fill, backward, backwardAsync };
Object.assign(ops, registered);

export * from './elementwise.js';
export {
  argmax,
  argmin,
  cat,
  clone,
  eq,
  expand,
  flatten,
  gather,
  ge,
  gt,
  indexSelect,
  le,
  logicalNot,
  logSoftmax,
  logSumExp,
  lt,
  maskedFill,
  matmul,
  max,
  mean,
  min,
  ne,
  norm,
  permute,
  prod,
  reshape,
  scatterAdd,
  slice,
  softmax,
  split,
  squeeze,
  stack,
  std,
  sum,
  t,
  toDtype,
  transpose,
  unsqueeze,
  variance as var,
  where,
} from './registry.js';
