// The op table's mechanism. An elementwise op is one row in lib/ops/elementwise.ts (its kernel, what it
// computes, which tensor its backward needs and the backward formula, as PyTorch's derivatives.yaml);
// from the row this file makes the op's Function subclass, its public function (tg.<op>), its Tensor
// method, and its line in README's op list (scripts/op-list.mjs). Tensor's method types come from the
// rows' types (ElementwiseMethods in lib/tensor.ts).
import { Function, type FunctionCtx } from '../autograd/function.js';
import {
  applyUnary, binary, binaryResultIsFloat, unaryKernel, type BinaryName, type UnaryName,
} from '../kernels/elementwise.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, checkTensorArg, run1, run2 } from './util.js';

export type UnaryOp = (x: Tensor) => Tensor;
export type BinaryOp = (a: TensorLike, b: TensorLike) => Tensor;

export interface UnaryRow {
  /** What y is, for the doc comment and README: 'eˣ'. */
  doc: string;
  /** dy/dx as README shows it. */
  grad: string;
  /** The tensor backward needs: the input x, the output y, or none. */
  saves: 'x' | 'y' | 'none';
  /** dL/dx from dL/dy = g and the saved tensor, written with ops so that createGraph records it. */
  backward: (g: Tensor, saved: Tensor) => Tensor;
}

/** One input's gradient from g, both operands (tensors, or the numbers given) and, if saved, the output. */
type BinaryFormula = (g: Tensor, a: TensorLike, b: TensorLike, out: Tensor | null) => Tensor;

export interface BinaryRow {
  doc: string;
  /** ∂/∂a and ∂/∂b as README shows them. */
  grad: [string, string];
  /** What backward needs: nothing but the input shapes, the operands, or the operands and (for b) the output. */
  saves: 'none' | 'inputs' | 'inputsAndOutput';
  /** The gradient of each operand before it is summed back to that operand's shape. */
  a: BinaryFormula;
  b: BinaryFormula;
  /** The operands' names in error messages (default 'a', 'b'). */
  args?: [string, string];
  /** Replaces binary(name, a, b) as the forward kernel call. */
  forward?: (a: TensorLike, b: TensorLike) => Tensor;
}

export interface OpTableEntry {
  name: string;
  /** As README shows it: 'pow(a, exponent)'. */
  signature: string;
  arity: 1 | 2;
  doc: string;
  grad: string;
  /** The dtype rule, in words. */
  dtype: string;
  /** The op's Function subclass (what gradFn records). */
  fn: typeof Function;
  /** The public function, tg.<name>. */
  call: UnaryOp | BinaryOp;
}

/** Every row, in declaration order. */
export const opTable: OpTableEntry[] = [];

const pascal = (name: string) => name[0].toUpperCase() + name.slice(1);

/** Declares a unary elementwise op computed by the kernel of the same name. */
export function unaryOp(name: UnaryName, row: UnaryRow): UnaryOp {
  const kernel = unaryKernel(name);
  const { saves, backward } = row;
  class Op extends Function {
    static override forward(x: Tensor): Tensor {
      return applyUnary(kernel, x);
    }
    static override setupContext(ctx: FunctionCtx, [x]: [Tensor], y: Tensor): void {
      if (saves !== 'none') ctx.saveForBackward(saves === 'x' ? x : y);
    }
    static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
      return backward(g, saves === 'none' ? g : ctx.savedTensors[0]);
    }
  }
  Object.defineProperty(Op, 'name', { value: pascal(name) });
  // Function and method bodies call checkTensorArg and run1 directly (no shared call through `call`),
  // so every call site in them keeps a single target whichever op runs.
  const call = {
    [name](x: Tensor): Tensor {
      checkTensorArg(x, name, 'x');
      return run1(Op, x);
    },
  }[name];
  const method = {
    [name](this: Tensor): Tensor {
      checkTensorArg(this, name, 'x');
      return run1(Op, this);
    },
  }[name];
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
  const dtype = kernel.keepsInteger ? 'input dtype (bool → int32)' : 'float (int32 and bool → float32)';
  opTable.push({ name, signature: `${name}(x)`, arity: 1, doc: row.doc, grad: row.grad, dtype, fn: Op, call });
  return call;
}

/** What a binary op keeps besides saved tensors: an operand given as a number (absent when both are tensors). */
type BinaryCtx = FunctionCtx<{ aValue: number; bValue: number }>;

/** Declares a binary elementwise op (NumPy broadcasting; either operand may be a number). */
export function binaryOp(name: BinaryName, row: BinaryRow): BinaryOp {
  const { saves, a: gradA, b: gradB } = row;
  const [argA, argB] = row.args ?? ['a', 'b'];
  const forward = row.forward ?? ((a: TensorLike, b: TensorLike) => binary(name, a, b));
  class Op extends Function {
    static override forward(a: TensorLike, b: TensorLike): Tensor {
      return forward(a, b);
    }
    static override setupContext(ctx: BinaryCtx, [a, b]: [TensorLike, TensorLike], out: Tensor): void {
      if (saves === 'none') return; // the gradients need only the input shapes, which the node keeps
      const ta = a instanceof Tensor ? a : null, tb = b instanceof Tensor ? b : null;
      if (saves === 'inputs') ctx.saveForBackward(ta, tb);
      else ctx.saveForBackward(ta, tb, ctx.needsInputGrad[1] ? out : null);
      // Numbers only (tensors go through saveForBackward); two tensors allocate nothing here.
      if (typeof a === 'number' || typeof b === 'number')
        ctx.saved = { aValue: typeof a === 'number' ? a : 0, bValue: typeof b === 'number' ? b : 0 };
    }
    static override backward(ctx: BinaryCtx, g: Tensor): [Tensor | null, Tensor | null] {
      let a: TensorLike = 0, b: TensorLike = 0, out: Tensor | null = null;
      if (saves !== 'none') {
        const saved = ctx.savedTensors;
        a = saved[0] ?? ctx.saved.aValue;
        b = saved[1] ?? ctx.saved.bValue;
        out = saved.length > 2 ? saved[2] : null;
      }
      return [
        ctx.needsInputGrad[0] ? gradForInput(ctx, 0, gradA(g, a, b, out)) : null,
        ctx.needsInputGrad[1] ? gradForInput(ctx, 1, gradB(g, a, b, out)) : null,
      ];
    }
  }
  Object.defineProperty(Op, 'name', { value: pascal(name) });
  const call = {
    [name](a: TensorLike, b: TensorLike): Tensor {
      checkOperand(a, name, argA);
      checkOperand(b, name, argB);
      if (typeof a === 'number' && typeof b === 'number')
        throw new TypeError(`${name}: at least one of '${argA}' and '${argB}' must be a Tensor`);
      return run2(Op, a, b);
    },
  }[name];
  const method = {
    [name](this: Tensor, other: TensorLike): Tensor {
      checkOperand(this, name, argA);
      checkOperand(other, name, argB);
      return run2(Op, this, other);
    },
  }[name];
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
  const dtype = binaryResultIsFloat(name) ? 'float (int32 and bool → float32)' : 'promoted (bool → int32)';
  const grad = `∂${argA}: ${row.grad[0]}; ∂${argB}: ${row.grad[1]}`;
  opTable.push({ name, signature: `${name}(${argA}, ${argB})`, arity: 2, doc: row.doc, grad, dtype, fn: Op, call });
  return call;
}

export const OP_LIST_BEGIN = '<!-- op-list:begin (generated by scripts/op-list.mjs from lib/ops/elementwise.ts) -->';
export const OP_LIST_END = '<!-- op-list:end -->';

/** README's elementwise op list, from the table: the text between OP_LIST_BEGIN and OP_LIST_END. */
export function opListMarkdown(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|'); // |x| would end the cell
  const line = (e: OpTableEntry) => `| \`${e.signature}\` | ${cell(e.doc)} | ${cell(e.grad)} | ${e.dtype} |`;
  return [
    '| op | computes | gradient | result dtype |',
    '| --- | --- | --- | --- |',
    ...opTable.filter((e) => e.arity === 2).map(line),
    ...opTable.filter((e) => e.arity === 1).map(line),
  ].join('\n');
}
