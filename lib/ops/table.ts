// The op table's mechanism. An elementwise op is one row in lib/ops/elementwise.ts (its kernel, what it
// computes, which tensor its backward needs and the backward formula, as PyTorch's derivatives.yaml);
// from the row this file makes the op's Function subclass, its public function (tg.<op>), its Tensor
// method, and its line in README's op list (scripts/op-list.mjs). Tensor's method types come from the
// rows' types (ElementwiseMethods in lib/tensor.ts).
import { Function, type FunctionCtx } from '../autograd/function.js';
import {
  applyUnary,
  binary,
  binaryResultIsFloat,
  unaryKernel,
  type BinaryName,
  type UnaryName,
} from '../kernels/elementwise.js';
import { describe } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { gradForInput } from './sum_to.js';
import { checkOperand, checkTensorArg, keywordArgs, run1, run2, runN } from './util.js';

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

/** README's sections of the op list, in order. */
export const OP_SECTIONS = [
  'elementwise',
  'reductions',
  'linear algebra',
  'shape and indexing',
  'comparison and logic',
  'copy and dtype',
] as const;
export type OpSection = (typeof OP_SECTIONS)[number];

export interface OpTableEntry {
  name: string;
  section: OpSection;
  /** As README shows it: 'pow(a, exponent)', 'sum(x, dim?, keepdim?)'. */
  signature: string;
  doc: string;
  grad: string;
  /** The dtype rule, in words. */
  dtype: string;
  /** The op's Function subclasses (what gradFn records); none for an op that is not differentiable. */
  fns: readonly (typeof Function)[];
  /** The public function, tg.<name>. */
  call: (...args: never[]) => unknown;
  /** The Tensor method as README shows it ('x.sum(dim?, keepdim?)'), or null when there is none. */
  method: string | null;
  /** The method is made from `call` (x.op(...rest) ≡ tg.op(x, ...rest)); false: none, or hand-written in tensor.ts. */
  derived: boolean;
}

/** Every row, in declaration order. */
export const opTable: OpTableEntry[] = [];

/** The arguments of a signature: 'sum(x, dim?, keepdim?)' → ['x', 'dim?', 'keepdim?']. */
function argsOf(signature: string): string[] {
  const inner = signature.slice(signature.indexOf('(') + 1, signature.lastIndexOf(')'));
  return inner === '' ? [] : inner.split(', ');
}

/** Adds an elementwise row's entry (its method was installed by the row's declaration). */
function pushElementwise(
  name: string,
  signature: string,
  doc: string,
  grad: string,
  dtype: string,
  fn: typeof Function,
  call: OpTableEntry['call'],
): void {
  const [self, ...rest] = argsOf(signature);
  const method = `${self}.${name}(${rest.join(', ')})`;
  opTable.push({ name, section: 'elementwise', signature, doc, grad, dtype, fns: [fn], call, method, derived: true });
}

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
      x = checkTensorArg(x, name, 'x');
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
  pushElementwise(name, `${name}(x)`, row.doc, row.grad, dtype, Op, call);
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
      const ta = a instanceof Tensor ? a : null,
        tb = b instanceof Tensor ? b : null;
      if (saves === 'inputs') ctx.saveForBackward(ta, tb);
      else ctx.saveForBackward(ta, tb, ctx.needsInputGrad[1] ? out : null);
      // Numbers only (tensors go through saveForBackward); two tensors allocate nothing here.
      if (typeof a === 'number' || typeof b === 'number')
        ctx.saved = { aValue: typeof a === 'number' ? a : 0, bValue: typeof b === 'number' ? b : 0 };
    }
    static override backward(ctx: BinaryCtx, g: Tensor): [Tensor | null, Tensor | null] {
      let a: TensorLike = 0,
        b: TensorLike = 0,
        out: Tensor | null = null;
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
      a = checkOperand(a, name, argA);
      b = checkOperand(b, name, argB);
      if (typeof a === 'number' && typeof b === 'number')
        throw new TypeError(`${name}: at least one of '${argA}' and '${argB}' must be a Tensor`);
      return run2(Op, a, b);
    },
  }[name];
  const method = {
    [name](this: Tensor, other: TensorLike): Tensor {
      checkOperand(this, name, argA);
      other = checkOperand(other, name, argB);
      return run2(Op, this, other);
    },
  }[name];
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
  const dtype = binaryResultIsFloat(name) ? 'float (int32 and bool → float32)' : 'promoted (bool → int32)';
  const grad = `∂${argA}: ${row.grad[0]}; ∂${argB}: ${row.grad[1]}`;
  pushElementwise(name, `${name}(${argA}, ${argB})`, row.doc, grad, dtype, Op, call);
  return call;
}

/** A parameter of a parametric elementwise op, after x (softplus's beta); also accepted by name in options. */
export interface ParamSpec {
  name: string;
  /** Taken when the argument is undefined or absent. */
  default: number | string | null;
  /** Whether a value (after the default) is accepted. */
  valid: (v: unknown) => boolean;
  /** What is accepted, for the TypeError "<op>: argument '<name>' must be <expected>, got <value>". */
  expected: string;
}

/**
 * A unary elementwise op with parameters (softplus(x, beta, threshold)): P are the checked parameter
 * values forward takes, Kept what backward keeps besides the saved tensor (ctx.saved).
 */
export interface ParametricRow<P extends unknown[], Kept extends Record<string, unknown>> {
  doc: string;
  grad: string;
  /** The parameters after x, in order. */
  params: ParamSpec[];
  /** Checks across parameters and the values forward takes, after each was checked (clamp's bounds). */
  resolve?: (x: Tensor, p: unknown[]) => void;
  /** The kernel call. */
  forward: (x: Tensor, ...p: P) => Tensor;
  /** Whether backward needs the input x. */
  saves: 'x' | 'none';
  /** What backward needs besides x, computed when the op is recorded (ctx.saved). */
  keep: (x: Tensor, ...p: P) => Kept;
  /** dL/dx from dL/dy = g, x (when saved) and what keep returned; written with ops, as UnaryRow's. */
  backward: (g: Tensor, x: Tensor, kept: Kept) => Tensor;
  /** The dtype rule in words (default: float, int32 and bool → float32). */
  dtype?: string;
}

/** What the generated function and method of a parametric op share. */
interface ParametricOp {
  name: string;
  fn: typeof Function;
  params: ParamSpec[];
  names: string[];
  resolve: ((x: Tensor, p: unknown[]) => void) | undefined;
}

/** Checks x and the parameters (positional or an options object), fills defaults, and runs the op. */
function runParametric(op: ParametricOp, x: Tensor, values: unknown[]): Tensor {
  const { name, params } = op;
  x = checkTensorArg(x, name, 'x');
  keywordArgs(name, op.names, values);
  for (let i = 0; i < params.length; i++) {
    const spec = params[i];
    const v = values[i] === undefined ? spec.default : values[i];
    if (!spec.valid(v))
      throw new TypeError(`${name}: argument '${spec.name}' must be ${spec.expected}, got ${describe(v)}`);
    values[i] = v;
  }
  if (op.resolve !== undefined) op.resolve(x, values);
  values.unshift(x);
  return runN(op.fn, values) as Tensor;
}

/** Declares a unary elementwise op with parameters (one or two, after x). */
export function parametricOp<P extends unknown[], Kept extends Record<string, unknown>>(
  name: string,
  row: ParametricRow<P, Kept>,
): (x: Tensor, p?: unknown, p1?: unknown) => Tensor {
  const { saves } = row;
  const forward = row.forward as (x: Tensor, ...p: unknown[]) => Tensor;
  const keep = row.keep as (x: Tensor, ...p: unknown[]) => Kept;
  const backward = row.backward;
  const two = row.params.length === 2;
  class Op extends Function {
    static override forward(x: Tensor, p: unknown, p1: unknown): Tensor {
      return forward(x, p, p1);
    }
    static override setupContext(ctx: FunctionCtx, [x, p, p1]: [Tensor, unknown, unknown]): void {
      if (saves === 'x') ctx.saveForBackward(x);
      ctx.saved = keep(x, p, p1);
    }
    static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
      const gx = backward(g, saves === 'x' ? ctx.savedTensors[0] : g, ctx.saved as Kept);
      return two ? [gx, null, null] : [gx, null];
    }
  }
  Object.defineProperty(Op, 'name', { value: pascal(name) });
  const names = row.params.map((p) => p.name);
  const op: ParametricOp = { name, fn: Op, params: row.params, names, resolve: row.resolve };
  const call = two
    ? { [name]: (x: Tensor, p?: unknown, p1?: unknown): Tensor => runParametric(op, x, [p, p1]) }[name]
    : { [name]: (x: Tensor, p?: unknown): Tensor => runParametric(op, x, [p]) }[name];
  const method = two
    ? {
        [name](this: Tensor, p?: unknown, p1?: unknown): Tensor {
          return runParametric(op, this, [p, p1]);
        },
      }[name]
    : {
        [name](this: Tensor, p?: unknown): Tensor {
          return runParametric(op, this, [p]);
        },
      }[name];
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
  const show = (v: ParamSpec['default']) => (typeof v === 'string' ? `'${v}'` : String(v));
  const signature = `${name}(x, ${row.params.map((p) => `${p.name} = ${show(p.default)}`).join(', ')})`;
  const dtype = row.dtype ?? 'float (int32 and bool → float32)';
  pushElementwise(name, signature, row.doc, row.grad, dtype, Op, call);
  return call;
}

/**
 * An op with logic of its own (lib/ops/<op>.ts holds its Function and public function), registered in
 * lib/ops/registry.ts: README's line, and its Tensor method unless that cannot be derived.
 */
export interface OpRow {
  section: OpSection;
  /** The public function, tg.<name>. */
  call: (...args: never[]) => unknown;
  /** As README shows it; '?' marks an optional argument. For a derived method, also its arity. */
  signature: string;
  doc: string;
  grad: string;
  dtype: string;
  fns: readonly (typeof Function)[];
  /**
   * true: Tensor's method x.<name>(...rest) is made from call (x.op(...rest) ≡ tg.op(x, ...rest)); a string:
   * a method hand-written in lib/tensor.ts, as README shows it; false: no method.
   */
  method: boolean | string;
}

/** The methods registerOps derives, typed from the registered functions: x.sum(dim) for tg.sum(x, dim). */
export type DerivedMethods<R> = {
  [K in keyof R as R[K] extends { method: true } ? K : never]: R[K] extends {
    call: (x: Tensor, ...rest: infer Rest) => infer Result;
  }
    ? (...rest: Rest) => Result
    : never;
};

type Call = (...args: unknown[]) => unknown;

/**
 * Tensor's method for tg.<name>: a plain function on the prototype that passes `this` and its arguments
 * on, one per arity so that a call allocates nothing (a rest parameter would).
 */
function derivedMethod(name: string, call: Call, arity: number): (this: Tensor, ...args: unknown[]) => unknown {
  let method: (this: Tensor, ...args: unknown[]) => unknown;
  switch (arity) {
    case 0:
      method = function (this: Tensor) {
        return call(this);
      };
      break;
    case 1:
      method = function (this: Tensor, a: unknown) {
        return call(this, a);
      };
      break;
    case 2:
      method = function (this: Tensor, a: unknown, b: unknown) {
        return call(this, a, b);
      };
      break;
    case 3:
      method = function (this: Tensor, a: unknown, b: unknown, c: unknown) {
        return call(this, a, b, c);
      };
      break;
    case 4:
      method = function (this: Tensor, a: unknown, b: unknown, c: unknown, d: unknown) {
        return call(this, a, b, c, d);
      };
      break;
    default:
      throw new Error(`registerOps: ${name} takes ${arity} arguments after x; derived methods take at most 4`);
  }
  Object.defineProperty(method, 'name', { value: name });
  return method;
}

/** Registers ops with files of their own (lib/ops/registry.ts): their entries, and their derived methods. */
export function registerOps(rows: Record<string, OpRow>): void {
  for (const name of Object.keys(rows)) {
    const { section, call, signature, doc, grad, dtype, fns, method } = rows[name];
    const [self, ...rest] = argsOf(signature);
    if (method === true) {
      const value = derivedMethod(name, call as Call, rest.length);
      Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true });
    }
    const shown = method === true ? `${self}.${name}(${rest.join(', ')})` : method === false ? null : method;
    opTable.push({ name, section, signature, doc, grad, dtype, fns, call, method: shown, derived: method === true });
  }
}

export const OP_LIST_BEGIN = '<!-- op-list:begin (generated by scripts/op-list.mjs from the op table, lib/ops) -->';
export const OP_LIST_END = '<!-- op-list:end -->';

/** README's op list, from the table, a table per section: the text between OP_LIST_BEGIN and OP_LIST_END. */
export function opListMarkdown(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|'); // |x| would end the cell
  const code = (text: string | null) => (text === null ? '—' : `\`${text}\``);
  const line = (e: OpTableEntry) =>
    `| ${code(e.signature)} | ${code(e.method)} | ${cell(e.doc)} | ${cell(e.grad)} | ${e.dtype} |`;
  const lines: string[] = [];
  for (const section of OP_SECTIONS) {
    const entries = opTable.filter((e) => e.section === section);
    if (entries.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`#### ${section[0].toUpperCase()}${section.slice(1)}`, '');
    lines.push('| function | method | computes | gradient | result dtype |', '| --- | --- | --- | --- | --- |');
    lines.push(...entries.map(line));
  }
  return lines.join('\n');
}
