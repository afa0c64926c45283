// The op table's second half: the ops with logic of their own. Each keeps its file (its Function and
// public function); its row here gives README's line and, when `method` is true, Tensor's method
// x.<name>(...rest), made from the function by lib/ops/table.ts and typed as RegisteredMethods (lib/tensor.ts).
// The elementwise ops are rows of lib/ops/elementwise.ts.
import { argmax } from './argmax.js';
import { argmin } from './argmin.js';
import { Cat, cat } from './cat.js';
import { Clone, clone } from './clone.js';
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { Expand, expand } from './expand.js';
import { Flatten, flatten } from './flatten.js';
import { Gather, gather } from './gather.js';
import { IndexSelect, indexSelect } from './index_select.js';
import { logicalNot } from './logical_not.js';
import { LogSumExp, logSumExp } from './log_sum_exp.js';
import { MaskedFill, maskedFill } from './masked_fill.js';
import { MatMul, matmul } from './matmul.js';
import { MaxAll, MaxDim, max } from './max.js';
import { Mean, mean } from './mean.js';
import { MinAll, MinDim, min } from './min.js';
import { Norm, norm } from './norm.js';
import { Permute, permute, t, transpose } from './permute.js';
import { Prod, prod } from './prod.js';
import { Reshape, reshape } from './reshape.js';
import { ScatterAdd, scatterAdd } from './scatter_add.js';
import { Slice, slice } from './slice.js';
import { Softmax, logSoftmax, softmax } from './softmax.js';
import { Split, split } from './split.js';
import { Squeeze, squeeze } from './squeeze.js';
import { Stack, stack } from './stack.js';
import { Std, std } from './std.js';
import { Sum, sum } from './sum.js';
import { registerOps, type DerivedMethods } from './table.js';
import { ToDtype, toDtype } from './to_dtype.js';
import { Unsqueeze, unsqueeze } from './unsqueeze.js';
import { Var, variance } from './var.js';
import { Where, where } from './where.js';

const FLOAT = 'float (int32 and bool → float32)';
const SAME = 'input dtype';
const BOOL = 'bool';
const NONE = 'none (not differentiable)';
/** What the comparisons' rows share. */
const CMP = { section: 'comparison and logic', fns: [], method: true, grad: NONE, dtype: BOOL } as const;
const INDEX = 'int32';
const MATMUL_DTYPE = "the operands' (float32 or float64, the same)";

const rows = {
  // ---- reductions -------------------------------------------------------------------------------------
  sum: {
    section: 'reductions',
    call: sum,
    fns: [Sum],
    method: true,
    signature: 'sum(x, dim?, keepdim?)',
    doc: 'Σ over dim (a number, an array, or all)',
    grad: 'g broadcast back',
    dtype: 'input dtype (bool → int32)',
  },
  mean: {
    section: 'reductions',
    call: mean,
    fns: [Mean],
    method: true,
    signature: 'mean(x, dim?, keepdim?)',
    doc: 'the mean over dim',
    grad: 'g/N broadcast back',
    dtype: FLOAT,
  },
  prod: {
    section: 'reductions',
    call: prod,
    fns: [Prod],
    method: true,
    signature: 'prod(x, dim?, keepdim?)',
    doc: 'Π over dim',
    grad: 'Π of the other elements (exact with zeros)',
    dtype: 'input dtype (bool → int32)',
  },
  max: {
    section: 'reductions',
    call: max,
    fns: [MaxAll, MaxDim],
    method: 'x.max(dim?, keepdim?)',
    signature: 'max(x, dim?, keepdim?)',
    doc: 'max() the 0-d maximum; max(dim) { values, indices }',
    grad: 'g to the maximum (shared among ties without dim)',
    dtype: SAME,
  },
  min: {
    section: 'reductions',
    call: min,
    fns: [MinAll, MinDim],
    method: 'x.min(dim?, keepdim?)',
    signature: 'min(x, dim?, keepdim?)',
    doc: 'min() the 0-d minimum; min(dim) { values, indices }',
    grad: 'g to the minimum (shared among ties without dim)',
    dtype: SAME,
  },
  argmax: {
    section: 'reductions',
    call: argmax,
    fns: [],
    method: true,
    signature: 'argmax(x, dim?, keepdim?)',
    doc: 'the index of the first maximum (NaN counts as the maximum)',
    grad: NONE,
    dtype: INDEX,
  },
  argmin: {
    section: 'reductions',
    call: argmin,
    fns: [],
    method: true,
    signature: 'argmin(x, dim?, keepdim?)',
    doc: 'the index of the first minimum (NaN counts as the minimum)',
    grad: NONE,
    dtype: INDEX,
  },
  var: {
    section: 'reductions',
    call: variance,
    fns: [Var],
    method: true,
    signature: 'var(x, dim?, options?)',
    doc: 'Σ(x − mean)²/(N − correction); options: keepdim or { correction = 1, keepdim }',
    grad: '2(x − mean)/(N − correction)',
    dtype: FLOAT,
  },
  std: {
    section: 'reductions',
    call: std,
    fns: [Std],
    method: true,
    signature: 'std(x, dim?, options?)',
    doc: '√var (options as var)',
    grad: '(x − mean)/((N − correction)·y) (0 where y = 0)',
    dtype: FLOAT,
  },
  logSumExp: {
    section: 'reductions',
    call: logSumExp,
    fns: [LogSumExp],
    method: true,
    signature: 'logSumExp(x, dim?, keepdim?)',
    doc: 'log Σ eˣ over dim, max-shifted',
    grad: 'e^(x − y)',
    dtype: FLOAT,
  },
  norm: {
    section: 'reductions',
    call: norm,
    fns: [Norm],
    method: true,
    signature: 'norm(x, p?, dim?, keepdim?)',
    doc: '(Σ|x|ᵖ)^(1/p), p = 2 by default (1, any p > 0, ±Infinity)',
    grad: 'x/y for p = 2 (0 where y = 0)',
    dtype: FLOAT,
  },
  softmax: {
    section: 'reductions',
    call: softmax,
    fns: [Softmax],
    method: true,
    signature: 'softmax(x, dim)',
    doc: 'e^(x − max)/Σ e^(x − max) along dim (same shape)',
    grad: 'y·(g − Σ g·y)',
    dtype: FLOAT,
  },
  logSoftmax: {
    section: 'reductions',
    call: logSoftmax,
    fns: [Softmax],
    method: true,
    signature: 'logSoftmax(x, dim)',
    doc: 'x − max − log Σ e^(x − max) along dim',
    grad: 'g − eʸ·Σ g',
    dtype: FLOAT,
  },
  // ---- linear algebra ---------------------------------------------------------------------------------
  matmul: {
    section: 'linear algebra',
    call: matmul,
    fns: [MatMul],
    method: true,
    signature: 'matmul(a, b)',
    doc: 'a·b with torch.matmul rules (1-D operands, broadcast batch dims)',
    grad: '∂a: g·bᵀ; ∂b: aᵀ·g',
    dtype: MATMUL_DTYPE,
  },
  // ---- shape and indexing ------------------------------------------------------------------------------
  reshape: {
    section: 'shape and indexing',
    call: reshape,
    fns: [Reshape],
    method: true,
    signature: 'reshape(x, shape)',
    doc: 'the same elements in shape (one entry may be −1); shares storage; also x.view(shape)',
    grad: 'g reshaped back',
    dtype: SAME,
  },
  flatten: {
    section: 'shape and indexing',
    call: flatten,
    fns: [Flatten],
    method: true,
    signature: 'flatten(x, startDim?, endDim?)',
    doc: 'dims startDim..endDim merged; shares storage',
    grad: 'g reshaped back',
    dtype: SAME,
  },
  squeeze: {
    section: 'shape and indexing',
    call: squeeze,
    fns: [Squeeze],
    method: true,
    signature: 'squeeze(x, dim?)',
    doc: 'without size-1 dims (all, or those among dim); shares storage',
    grad: 'g reshaped back',
    dtype: SAME,
  },
  unsqueeze: {
    section: 'shape and indexing',
    call: unsqueeze,
    fns: [Unsqueeze],
    method: true,
    signature: 'unsqueeze(x, dim)',
    doc: 'a size-1 dim inserted at dim; shares storage',
    grad: 'g reshaped back',
    dtype: SAME,
  },
  t: {
    section: 'shape and indexing',
    call: t,
    fns: [Permute],
    method: true,
    signature: 't(x)',
    doc: 'the transpose of a tensor of rank ≤ 2',
    grad: 'gᵀ',
    dtype: SAME,
  },
  transpose: {
    section: 'shape and indexing',
    call: transpose,
    fns: [Permute],
    method: true,
    signature: 'transpose(x, dim0, dim1)',
    doc: 'dims dim0 and dim1 swapped (a copy)',
    grad: 'g transposed back',
    dtype: SAME,
  },
  permute: {
    section: 'shape and indexing',
    call: permute,
    fns: [Permute],
    method: true,
    signature: 'permute(x, dims)',
    doc: 'dims reordered: y.shape[i] = x.shape[dims[i]] (a copy)',
    grad: 'g permuted back',
    dtype: SAME,
  },
  expand: {
    section: 'shape and indexing',
    call: expand,
    fns: [Expand],
    method: true,
    signature: 'expand(x, shape)',
    doc: 'x broadcast to shape (−1 keeps a dim)',
    grad: "g summed back to x's shape",
    dtype: SAME,
  },
  cat: {
    section: 'shape and indexing',
    call: cat,
    fns: [Cat],
    method: false,
    signature: 'cat(tensors, dim?)',
    doc: 'tensors joined along an existing dim',
    grad: 'the matching piece of g',
    dtype: 'promoted',
  },
  stack: {
    section: 'shape and indexing',
    call: stack,
    fns: [Stack],
    method: false,
    signature: 'stack(tensors, dim?)',
    doc: 'equal-shaped tensors joined along a new dim',
    grad: "g's slice i along dim",
    dtype: 'promoted',
  },
  split: {
    section: 'shape and indexing',
    call: split,
    fns: [Split],
    method: true,
    signature: 'split(x, splitSizeOrSections, dim?)',
    doc: 'pieces along dim (a size each, or a list of sizes)',
    grad: "the pieces' gradients joined (zeros where missing)",
    dtype: SAME,
  },
  slice: {
    section: 'shape and indexing',
    call: slice,
    fns: [Slice],
    method: true,
    signature: 'slice(x, dim, start?, end?, step?)',
    doc: 'x[start:end:step] along dim, Python-style (a copy)',
    grad: 'g written into zeros at the sliced positions',
    dtype: SAME,
  },
  indexSelect: {
    section: 'shape and indexing',
    call: indexSelect,
    fns: [IndexSelect],
    method: true,
    signature: 'indexSelect(x, dim, index)',
    doc: 'entries at index (1-D int32 or an array) along dim',
    grad: 'g added into zeros at index',
    dtype: SAME,
  },
  gather: {
    section: 'shape and indexing',
    call: gather,
    fns: [Gather],
    method: true,
    signature: 'gather(x, dim, index)',
    doc: "entries picked along dim by index (int32, x's rank); index's shape",
    grad: 'scatterAdd of g at index',
    dtype: SAME,
  },
  scatterAdd: {
    section: 'shape and indexing',
    call: scatterAdd,
    fns: [ScatterAdd],
    method: true,
    signature: 'scatterAdd(x, dim, index, src)',
    doc: 'a copy of x with src added at index along dim',
    grad: '∂x: g; ∂src: gather(g, dim, index)',
    dtype: SAME,
  },
  where: {
    section: 'shape and indexing',
    call: where,
    fns: [Where],
    method: 'x.where(condition, other)',
    signature: 'where(condition, a, b)',
    doc: 'condition ? a : b elementwise (broadcasting; a or b may be a number)',
    grad: '∂a: g where condition; ∂b: g elsewhere',
    dtype: 'promoted',
  },
  maskedFill: {
    section: 'shape and indexing',
    call: maskedFill,
    fns: [MaskedFill],
    method: true,
    signature: 'maskedFill(x, mask, value)',
    doc: 'a copy of x holding value where mask (broadcast) is true',
    grad: 'g, 0 where filled',
    dtype: SAME,
  },
  // ---- comparison and logic (broadcasting; either operand may be a number) -----------------------------
  gt: { ...CMP, call: gt, signature: 'gt(a, b)', doc: 'a > b' },
  lt: { ...CMP, call: lt, signature: 'lt(a, b)', doc: 'a < b' },
  ge: { ...CMP, call: ge, signature: 'ge(a, b)', doc: 'a ≥ b' },
  le: { ...CMP, call: le, signature: 'le(a, b)', doc: 'a ≤ b' },
  eq: {
    section: 'comparison and logic',
    call: eq,
    fns: [],
    method: true,
    signature: 'eq(a, b)',
    doc: 'a = b (NaN equals nothing)',
    grad: NONE,
    dtype: BOOL,
  },
  ne: {
    section: 'comparison and logic',
    call: ne,
    fns: [],
    method: true,
    signature: 'ne(a, b)',
    doc: 'a ≠ b (NaN differs from everything)',
    grad: NONE,
    dtype: BOOL,
  },
  logicalNot: {
    section: 'comparison and logic',
    call: logicalNot,
    fns: [],
    method: true,
    signature: 'logicalNot(x)',
    doc: 'true where x is 0 (NaN counts as nonzero)',
    grad: NONE,
    dtype: BOOL,
  },
  // ---- copy and dtype -------------------------------------------------------------------------------------
  clone: {
    section: 'copy and dtype',
    call: clone,
    fns: [Clone],
    method: true,
    signature: 'clone(x)',
    doc: 'a copy with its own storage',
    grad: 'g',
    dtype: SAME,
  },
  toDtype: {
    section: 'copy and dtype',
    call: toDtype,
    fns: [ToDtype],
    method: 'x.to(dtype), x.double(), x.float()',
    signature: 'toDtype(x, dtype)',
    doc: 'x converted to dtype (x itself if it has it)',
    grad: 'g converted back (between float dtypes)',
    dtype: 'dtype',
  },
} as const;
// Checked here, not where rows is declared: Tensor's type is made from rows' (a check there would be circular).
registerOps(rows);

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
  variance,
  where,
};

/** The methods registerOps made for the rows above (method: true), typed from their functions. */
export type RegisteredMethods = DerivedMethods<typeof rows>;
