// A plan: a recording (trace.ts) turned into instructions over one arena. Every buffer the library
// allocated while recording becomes a slot of the arena, live from its first use to its last (to the
// end for what outlives the step: outputs, gradients left on captured tensors); a greedy best-fit pass
// gives slots whose lifetimes overlap disjoint bytes. Arguments are copied into their slots at the start
// of a run. Everything else (parameters, their gradients from before, optimizer state, constants made
// outside the function) is bound by reference. Runs of addon calls become one native plan each, executed
// in one call (native.planRun) when the addon offers it.
import type { TypedArray } from '../dtype.js';
import { jsLoopsByCode } from '../kernels/elementwise.js';
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { jsKernelInputs, nativeArrays, nativeWrites, storageOf, type Instruction, type Trace } from './trace.js';

/** The addon's plan functions (absent from addons built before them: then calls run one by one). */
interface NativePlanApi {
  planBegin?(): void;
  planEnd?(): unknown;
  planAbort?(): void;
  planRun?(plan: unknown): void;
  planRunAsync?(plan: unknown): Promise<void>;
  planDispose?(plan: unknown): void;
}
const addon = native as unknown as NativePlanApi;

/** Slots start on cache-line boundaries. */
const SLOT_ALIGN = 64;

interface Slot {
  buffer: ArrayBufferLike;
  /** Bytes the recorded views cover (from the buffer's start). */
  bytes: number;
  first: number;
  last: number;
  offset: number;
}

/** What a native segment runs: the addon's plan when it can capture one, else the calls themselves. */
interface NativeSegment {
  kind: 'native';
  calls: { name: string; args: unknown[] }[];
  handle: unknown;
  /** The calls as one JS function, when they are all elementwise kernels on a few elements (tinyRun). */
  js: (() => void) | null;
}
type Step = NativeSegment | Exclude<Instruction, { kind: 'native' }>;

/** What plan.summary() reports. */
export interface PlanSummary {
  /** Recorded instructions: addon kernel calls, JS kernels, gradient assignments and effects, restores. */
  instructions: number;
  nativeCalls: number;
  jsKernels: number;
  effects: number;
  /** Native calls that run together in one call into the addon, and how many such runs there are. */
  nativeSegments: number;
  /** Runs of addon calls on a few elements each that replay as JS instead (eager's loops at that size). */
  jsRuns: number;
  /** Bytes of the arena (intermediates and arguments), and what the recording had allocated for them. */
  arenaBytes: number;
  recordedBytes: number;
  /** Floating-point operations of the products (2·m·n·k each). */
  flops: number;
  /** Kernels folded into a GEMM's epilogue (a ReLU after a product, a ReLU mask after a backward product). */
  fusedKernels: number;
  /** Runs of consecutive elementwise kernels that execute as one blocked pass over their arrays. */
  elementwiseRuns: number;
}

/** Makes fn's output after a run: fresh tensors copied from where the run left their values. */
type OutputMaker = () => unknown;

export interface PlanOptions {
  /** false: keep the recorded kernels as they are (no GEMM epilogues). */
  fuse?: boolean;
  /** false: no arena; every array is bound by reference (a one-shot run of a deferred recording). */
  relocate?: boolean;
  /** Fill every slot with NaN (or 0x55 bytes) once its last reader has run: shows a slot read after reuse. */
  poison?: boolean;
}

export class Plan {
  private readonly steps: Step[] = [];
  private readonly view = new Map<TypedArray, TypedArray>();
  private readonly tensorView = new Map<Tensor, Tensor>();
  private readonly feedViews: (TypedArray | null)[] = [];
  private readonly output: OutputMaker;
  private readonly arena: ArrayBuffer;
  private readonly summaryInfo: PlanSummary;
  private readonly poisonAfter: Map<number, TypedArray[]> | null;
  /** GEMMs that absorbed a ReLU (forward) or a ReLU mask (backward). */
  private readonly fusedGroups: number;
  /** Runs of elementwise kernels executed as one blocked pass (elementwiseProgram). */
  private readonly elementwiseRuns: number;
  /** Instructions as recorded, after substitution (for toDot and poisoning). */
  private readonly program: Instruction[] = [];
  private disposed = false;
  /** Argument tensors by position (a gradient set on one is set on that call's argument). */
  private readonly feedIndex: Map<Tensor, number>;

  constructor(trace: Trace, feedTensors: readonly Tensor[], result: unknown, options: PlanOptions = {}) {
    // An output made in JS and written by no instruction (zeros, a constant) is restored at the end of a
    // run: its slot, live at the end only, shares bytes with intermediates that died before.
    for (const t of outputTensors(result)) trace.beforeRead(t.data);
    const escaping = new Set<TypedArray>(outputTensors(result).map((t) => t.data));
    for (const ins of trace.instructions) if (ins.kind === 'grad' && ins.grad !== null) escaping.add(ins.grad.data);
    const recorded = trace.instructions.map(floatRestoreAsCopy);
    const fusedProducts = options.fuse === false ? { instructions: recorded, fused: 0 } : fuse(recorded, escaping);
    const { instructions, runs } =
      options.fuse === false
        ? { instructions: fusedProducts.instructions, runs: 0 }
        : fuseElementwise(fusedProducts.instructions);
    this.fusedGroups = fusedProducts.fused;
    this.elementwiseRuns = runs;
    this.feedIndex = new Map(feedTensors.map((t, i) => [t, i]));
    const end = instructions.length;
    const slotOf = new Map<ArrayBufferLike, Slot>();
    const use = (array: TypedArray, at: number): void => {
      const buffer = array.buffer;
      const feed = trace.feeds.has(buffer);
      if (options.relocate === false || (!feed && !trace.allocated.has(buffer))) return; // bound by reference
      let slot = slotOf.get(buffer);
      if (slot === undefined) {
        slot = { buffer, bytes: 0, first: feed ? 0 : at, last: at, offset: 0 };
        slotOf.set(buffer, slot);
      }
      slot.bytes = Math.max(slot.bytes, array.byteOffset + array.byteLength);
      slot.first = Math.min(slot.first, at);
      slot.last = Math.max(slot.last, at);
    };
    for (let i = 0; i < end; i++) {
      const ins = instructions[i];
      if (ins.kind === 'native') for (const { array } of nativeArrays(ins.name, ins.args)) use(array, i);
      else if (ins.kind === 'js') {
        for (const x of jsKernelInputs(ins.args)) use(storageOf(x), i);
        if (ins.out !== undefined) use(ins.out.data, i);
      } else if (ins.kind === 'restore') use(ins.array, i);
      else if (ins.kind === 'grad' && ins.grad !== null) use(ins.grad.data, end); // outlives the step
    }
    for (const t of outputTensors(result)) use(t.data, end);
    for (const t of feedTensors) use(t.data, 0);

    // Greedy placement, largest first: the lowest offset clear of every placed slot alive at the same time.
    const order = [...slotOf.values()].sort((a, b) => b.bytes - a.bytes);
    const placed: Slot[] = [];
    let arenaBytes = 0;
    for (const slot of order) {
      const clashes = placed
        .filter((p) => p.first <= slot.last && slot.first <= p.last)
        .sort((a, b) => a.offset - b.offset);
      let offset = 0;
      for (const p of clashes) {
        if (offset + slot.bytes <= p.offset) break;
        offset = Math.max(offset, align(p.offset + p.bytes));
      }
      slot.offset = offset;
      placed.push(slot);
      arenaBytes = Math.max(arenaBytes, offset + slot.bytes);
    }
    this.arena = new ArrayBuffer(align(Math.max(arenaBytes, 1)));

    // Substitute arena views for every recorded array and tensor.
    this.program = instructions.map((ins) => this.substitute(ins, slotOf));
    this.feedViews = feedTensors.map((t) => (slotOf.has(t.data.buffer) ? this.arrayIn(t.data, slotOf) : null));
    this.output = outputMaker(result, (a) => this.arrayIn(a, slotOf));

    this.poisonAfter = options.poison ? new Map() : null;
    if (this.poisonAfter !== null)
      for (const slot of order) {
        if (slot.last >= end) continue;
        const bytes = new Uint8Array(this.arena, slot.offset, slot.bytes);
        const list = this.poisonAfter.get(slot.last) ?? [];
        list.push(bytes);
        this.poisonAfter.set(slot.last, list);
      }

    // Group runs of addon calls (all of them, one per instruction, when poisoning).
    let segment: NativeSegment | null = null;
    for (const ins of this.program) {
      if (ins.kind !== 'native') {
        segment = null;
        this.steps.push(ins);
        continue;
      }
      if (segment === null || this.poisonAfter !== null) {
        segment = { kind: 'native', calls: [], handle: null, js: null };
        this.steps.push(segment);
      }
      segment.calls.push({ name: ins.name, args: ins.args });
    }
    for (const step of this.steps)
      if (step.kind === 'native') {
        step.js = this.poisonAfter === null ? tinyRun(step.calls) : null;
        if (step.js === null) step.handle = captureNative(step.calls);
      }

    let recordedBytes = 0;
    for (const slot of order) recordedBytes += slot.buffer.byteLength;
    const count = (kind: Instruction['kind']): number => this.program.filter((i) => i.kind === kind).length;
    this.summaryInfo = {
      instructions: this.program.length,
      nativeCalls: count('native'),
      jsKernels: count('js'),
      effects: count('effect') + count('grad'),
      nativeSegments: this.steps.filter((s) => s.kind === 'native' && s.js === null).length,
      jsRuns: this.steps.filter((s) => s.kind === 'native' && s.js !== null).length,
      arenaBytes: this.arena.byteLength,
      recordedBytes,
      flops: this.program.reduce((f, i) => f + productFlops(i), 0),
      fusedKernels: this.fusedGroups,
      elementwiseRuns: this.elementwiseRuns,
    };
  }

  /** The arena view that stands for a recorded array (the array itself when it is bound by reference). */
  private arrayIn(array: TypedArray, slotOf: Map<ArrayBufferLike, Slot>): TypedArray {
    const slot = slotOf.get(array.buffer);
    if (slot === undefined) return array;
    let v = this.view.get(array);
    if (v === undefined) {
      const Ctor = array.constructor as new (b: ArrayBuffer, offset: number, length: number) => TypedArray;
      v = new Ctor(this.arena, slot.offset + array.byteOffset, array.length);
      this.view.set(array, v);
    }
    return v;
  }

  private tensorIn(t: Tensor, slotOf: Map<ArrayBufferLike, Slot>): Tensor {
    if (!slotOf.has(t.data.buffer)) return t;
    let v = this.tensorView.get(t);
    if (v === undefined) {
      v = Tensor._wrap(this.arrayIn(t.data, slotOf), t.shape, t.dtype);
      this.tensorView.set(t, v);
    }
    return v;
  }

  private valueIn(x: unknown, slotOf: Map<ArrayBufferLike, Slot>, depth = 0): unknown {
    if (x instanceof Tensor) return this.tensorIn(x, slotOf);
    if (ArrayBuffer.isView(x)) return this.arrayIn(x as TypedArray, slotOf);
    if (depth > 0 || x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map((v) => this.valueIn(v, slotOf, depth + 1));
    return x;
  }

  private substitute(ins: Instruction, slotOf: Map<ArrayBufferLike, Slot>): Instruction {
    switch (ins.kind) {
      case 'native':
        return { kind: 'native', name: ins.name, args: ins.args.map((a) => this.valueIn(a, slotOf)) };
      case 'js':
        return {
          kind: 'js',
          name: ins.name,
          impl: ins.impl,
          args: ins.args.map((a) => this.valueIn(a, slotOf)),
          out: ins.out === undefined ? undefined : this.tensorIn(ins.out, slotOf),
        };
      case 'grad': {
        const feed = this.feedIndex.get(ins.tensor);
        return {
          kind: 'grad',
          tensor: ins.tensor,
          grad: ins.grad === null ? null : this.tensorIn(ins.grad, slotOf),
          feed,
        };
      }
      case 'restore':
        return { kind: 'restore', array: this.arrayIn(ins.array, slotOf), contents: ins.contents };
      case 'effect':
        return ins;
    }
  }

  /** Copies this call's arguments into their slots (an argument no instruction reads has none). */
  private copyIn(feeds: readonly Tensor[]): void {
    for (let i = 0; i < feeds.length; i++) {
      const v = this.feedViews[i];
      if (v !== null) copyInto(v, feeds[i].data);
    }
  }

  /** Some runs replay as JS (tinyRun): a replay may then differ from the recording in the last bit. */
  get replaysInJs(): boolean {
    return this.steps.some((s) => s.kind === 'native' && s.js !== null);
  }

  /** No effects and no JS kernels: running the plan writes only the arrays its kernels name. */
  get kernelsOnly(): boolean {
    return this.steps.every((s) => s.kind !== 'effect' && s.kind !== 'js');
  }

  /** One step: copies the arguments in, runs every instruction, returns fresh copies of the outputs. */
  run(feeds: readonly Tensor[]): unknown {
    if (this.disposed) throw new Error('tg.compile: this plan was disposed');
    this.copyIn(feeds);
    if (this.poisonAfter !== null) this.runPoisoned(feeds);
    else for (const step of this.steps) runStep(step, feeds);
    return this.output();
  }

  /** Runs the plan's steps off the main thread where they are native (JS steps run here in between). */
  async runAsync(feeds: readonly Tensor[], beforeJs: () => void, afterJs: () => void): Promise<unknown> {
    if (this.disposed) throw new Error('tg.compile: this plan was disposed');
    this.copyIn(feeds);
    for (const step of this.steps) {
      if (step.kind === 'native' && step.handle !== null && addon.planRunAsync !== undefined)
        await addon.planRunAsync(step.handle);
      else {
        // JS steps (effects, JS kernels) run here, on the main thread, with the bound tensors unlocked.
        beforeJs();
        try {
          runStep(step, feeds);
        } finally {
          afterJs();
        }
      }
    }
    return this.output();
  }

  private runPoisoned(feeds: readonly Tensor[]): void {
    const poison = this.poisonAfter!;
    this.program.forEach((ins, i) => {
      runStep(ins.kind === 'native' ? { kind: 'native', calls: [ins], handle: null, js: null } : ins, feeds);
      for (const bytes of poison.get(i) ?? []) bytes.fill(0x7f); // 0x7f7f7f7f is a NaN as float32 and float64
    });
  }

  summary(): PlanSummary {
    return { ...this.summaryInfo };
  }

  /** Graphviz DOT: one node per instruction (kernel, arrays with their arena offsets), in run order. */
  toDot(): string {
    const lines = ['digraph plan {', '  rankdir=TB;', '  node [shape=box, fontname="monospace", fontsize=10];'];
    const where = (a: TypedArray): string => {
      const inArena = a.buffer === this.arena;
      const kind =
        a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : 'u8';
      return `${kind}[${a.length}]${inArena ? `@${a.byteOffset}` : ' (bound)'}`;
    };
    let previous: string | null = null;
    let segment = 0;
    this.program.forEach((ins, i) => {
      let label: string;
      if (ins.kind === 'native')
        label = `${ins.name}\\n${nativeArrays(ins.name, ins.args)
          .map((x) => where(x.array))
          .join('\\n')}`;
      else if (ins.kind === 'js')
        label = `${ins.name} (JS)\\n${[...jsKernelInputs(ins.args), ...(ins.out ? [ins.out] : [])].map((x) => (x instanceof Tensor ? `[${x.shape.join(', ')}] ${x.dtype} ${where(x.data)}` : where(x))).join('\\n')}`;
      else if (ins.kind === 'grad')
        label = `set .grad\\n${ins.grad === null ? 'null' : `[${ins.grad.shape.join(', ')}] ${where(ins.grad.data)}`}`;
      else if (ins.kind === 'restore') label = `restore\\n${where(ins.array)}`;
      else label = `${ins.name} (effect)`;
      const id = `i${i}`;
      if (ins.kind === 'native' && (i === 0 || this.program[i - 1].kind !== 'native')) segment++;
      const fill = ins.kind === 'native' ? `, style=filled, fillcolor="/pastel19/${(segment % 9) + 1}"` : '';
      lines.push(`  ${id} [label="${label}"${fill}];`);
      if (previous !== null) lines.push(`  ${previous} -> ${id};`);
      previous = id;
    });
    lines.push(`  label="arena ${this.arena.byteLength} bytes; colours: runs of addon calls executed in one call";`);
    lines.push('}');
    return lines.join('\n');
  }

  /** Frees the native plans now (the arena goes with the plan object). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const step of this.steps)
      if (step.kind === 'native' && step.handle !== null && addon.planDispose !== undefined)
        addon.planDispose(step.handle);
  }
}

const RELU = native.unaryOps.indexOf('relu');
const RELU_MASK = native.unaryOps.indexOf('reluMask');
const MUL = native.binaryOps.indexOf('mul');

/** A plain product writing all of a contiguous C (β = 0, no epilogue yet): what an epilogue may join. */
function plainProductInto(ins: Instruction | undefined): TypedArray | null {
  if (ins?.kind !== 'native' || ins.name !== 'gemm') return null;
  const a = ins.args;
  const c = a[8] as TypedArray;
  const [m, n] = [a[12] as number, a[13] as number];
  const whole = a[9] === 0 && a[10] === n && a[11] === 1 && c.length === m * n;
  return whole && a[16] === 0 && !a[19] ? c : null;
}

/**
 * Folds elementwise kernels into the GEMM before them, where the result is bit-identical and the
 * GEMM's own output is read by nothing else:
 *   gemm → C; relu(C) → Y                          becomes gemm → Y with the ReLU epilogue;
 *   gemm → G; reluMask(y) → M; mul(G, M) → D       becomes gemm → D with epilogue C·(y > 0)
 * (a ReLU layer's forward and backward: the activation and the gradient never make a separate pass).
 */
function fuse(
  recorded: readonly Instruction[],
  escaping: Set<TypedArray>,
): { instructions: Instruction[]; fused: number } {
  const list = recorded.slice();
  const referenced = (ins: Instruction): TypedArray[] =>
    ins.kind === 'native'
      ? (ins.args.filter((a) => ArrayBuffer.isView(a)) as TypedArray[])
      : ins.kind === 'js'
        ? [...jsKernelInputs(ins.args).map(storageOf), ...(ins.out ? [ins.out.data] : [])]
        : ins.kind === 'restore'
          ? [ins.array]
          : ins.kind === 'grad' && ins.grad !== null
            ? [ins.grad.data]
            : [];
  // Fusing keeps every other array's count: each fused kernel's arrays move to the new product.
  const uses = new Map<TypedArray, number>();
  for (const ins of list) for (const a of referenced(ins)) uses.set(a, (uses.get(a) ?? 0) + 1);
  const privateTo = (a: TypedArray, n: number): boolean => uses.get(a) === n && !escaping.has(a);
  const fusedProduct = (ins: Instruction, c: TypedArray, epilogue: 1 | 2, mask: TypedArray | null): Instruction => {
    const args = (ins as { args: unknown[] }).args.slice();
    args[8] = c;
    args[17] = args[17] ?? null;
    args[18] = args[18] ?? 0;
    args[19] = epilogue;
    args[20] = mask;
    args[21] = 0;
    return { kind: 'native', name: 'gemm', args };
  };
  let fused = 0;
  for (let i = 0; i < list.length; i++) {
    const c = plainProductInto(list[i]);
    if (c === null || !privateTo(c, 2)) continue;
    const next = list[i + 1];
    if (next?.kind === 'native' && next.name === 'unary' && next.args[0] === RELU && next.args[1] === c) {
      const y = next.args[2] as TypedArray;
      if (y !== c && y.constructor === c.constructor && y.length === c.length) {
        list.splice(i, 2, fusedProduct(list[i], y, 1, null));
        fused++;
      }
      continue;
    }
    // relu's backward: reluMask(y) → M, then mul(C, M) → D, the mask kernel right before the product.
    const k = list.findIndex((x, j) => j > i && x.kind === 'native' && x.name === 'binary' && x.args[1] === c);
    if (k < 2) continue;
    const mul = list[k] as Extract<Instruction, { kind: 'native' }>;
    const maskIns = list[k - 1];
    if (mul.args[0] !== MUL || maskIns.kind !== 'native' || maskIns.name !== 'unary' || maskIns.args[0] !== RELU_MASK)
      continue;
    const m = maskIns.args[2] as TypedArray;
    const y = maskIns.args[1] as TypedArray;
    const d = mul.args[5] as TypedArray;
    const shape = mul.args[6] as number[];
    const contiguous = (strides: unknown) => {
      let s = 1;
      for (let j = shape.length - 1; j >= 0; j--) {
        if ((strides as number[])[j] !== s && shape[j] !== 1) return false;
        s *= shape[j];
      }
      return true;
    };
    // y holds its final values when the product runs: nothing after the product writes it (JS kernels
    // and effects may write what they reference, so they count as writers).
    const yReady = list.every(
      (x, j) =>
        j <= i ||
        (x.kind === 'native'
          ? !nativeWrites(x.name, x.args).includes(y)
          : x.kind !== 'js' || !referenced(x).includes(y)),
    );
    if (
      mul.args[3] === m &&
      privateTo(m, 2) &&
      y.length === c.length &&
      d.length === c.length &&
      y.constructor === c.constructor &&
      d.constructor === c.constructor &&
      d !== y &&
      contiguous(mul.args[2]) &&
      contiguous(mul.args[4]) &&
      yReady
    ) {
      list[i] = fusedProduct(list[i], d, 2, y);
      list.splice(k - 1, 2);
      fused += 2;
    }
  }
  return { instructions: list, fused };
}

/** An elementwise kernel call as one step of a blocked run: its arrays, n, and how it reads them. */
interface ElementwiseCall {
  n: number;
  binary: boolean;
  code: number;
  inputs: TypedArray[];
  /** Inputs read at element 0 for every element (broadcast numbers). */
  scalar: boolean[];
  out: TypedArray;
  p0: number;
  p1: number;
}

/** The instruction as a step of a blocked elementwise run, or null when it cannot be one. */
function elementwiseCall(ins: Instruction): ElementwiseCall | null {
  if (ins.kind !== 'native') return null;
  const a = ins.args;
  if (ins.name === 'unary') {
    const x = a[1] as TypedArray;
    const out = a[2] as TypedArray;
    if (x.length !== out.length || x.constructor !== out.constructor) return null;
    return {
      n: out.length,
      binary: false,
      code: a[0] as number,
      inputs: [x],
      scalar: [false],
      out,
      p0: a[3] as number,
      p1: a[4] as number,
    };
  }
  if (ins.name !== 'binary') return null;
  const out = a[5] as TypedArray;
  const shape = a[6] as number[];
  const n = out.length;
  const inputs = [a[1] as TypedArray, a[3] as TypedArray];
  const scalar: boolean[] = [];
  for (const [k, strides] of [a[2], a[4]].entries()) {
    const s = strides as number[];
    const x = inputs[k];
    if (x.constructor !== out.constructor) return null;
    // A one-element operand of a one-element result is read elementwise: same value, and it can then be
    // written by another step of the run (a scalar operand cannot).
    if (x.length === n && s.every((v, d) => shape[d] === 1 || v === shape.slice(d + 1).reduce((p, q) => p * q, 1)))
      scalar.push(false);
    else if (s.every((v) => v === 0)) scalar.push(true);
    else return null;
  }
  return { n, binary: true, code: a[0] as number, inputs, scalar, out, p0: 0, p1: 0 };
}

/**
 * Runs of two or more consecutive elementwise kernels over arrays of one length and kind become one
 * elementwiseProgram call: each block of 1024 elements goes through every step while it is in L1 (one
 * pass over memory instead of one per kernel, and one call instead of many for small tensors). The
 * steps are the same row kernels in the same order, so the values are the same bits.
 */
function fuseElementwise(list: readonly Instruction[]): { instructions: Instruction[]; runs: number } {
  const out: Instruction[] = [];
  let runs = 0;
  for (let i = 0; i < list.length; ) {
    const group: ElementwiseCall[] = [];
    const first = elementwiseCall(list[i]);
    if (first !== null) {
      group.push(first);
      // Kept as the run grows, so that extending it is linear in its length.
      const arrays = new Map<ArrayBufferLike, TypedArray>();
      const written = new Set<TypedArray>();
      const readAsScalar = new Set<TypedArray>();
      const add = (c: ElementwiseCall): void => {
        for (const x of [...c.inputs, c.out]) arrays.set(x.buffer, x);
        written.add(c.out);
        c.inputs.forEach((x, k) => {
          if (c.scalar[k]) readAsScalar.add(x);
        });
      };
      const fits = (c: ElementwiseCall): boolean => {
        if (c.n !== first.n || c.out.constructor !== first.out.constructor) return false;
        // One view per buffer (distinct views of one buffer may overlap partially); no broadcast input
        // that a step of the run writes, nor an output that a step reads as a broadcast number.
        for (const x of [...c.inputs, c.out]) {
          const seen = arrays.get(x.buffer);
          if (seen !== undefined && seen !== x) return false;
        }
        if (
          readAsScalar.has(c.out) ||
          (c.scalar.some((s) => s) && c.inputs.some((x, k) => c.scalar[k] && (written.has(x) || x === c.out)))
        )
          return false;
        return true;
      };
      add(first);
      while (i + group.length < list.length) {
        const next = elementwiseCall(list[i + group.length]);
        if (next === null || !fits(next)) break;
        group.push(next);
        add(next);
      }
    }
    if (group.length < 2) {
      out.push(list[i]);
      i++;
      continue;
    }
    const arrays: TypedArray[] = [];
    const indexOf = new Map<TypedArray, number>();
    const index = (x: TypedArray): number => {
      let k = indexOf.get(x);
      if (k === undefined) {
        k = arrays.push(x) - 1;
        indexOf.set(x, k);
      }
      return k;
    };
    const program = new Int32Array(group.length * 5);
    const scalars = new Float64Array(group.length * 2);
    group.forEach((g, s) => {
      program.set(
        [g.binary ? 1 : 0, g.code, index(g.inputs[0]), g.binary ? index(g.inputs[1]) : -1, index(g.out)],
        s * 5,
      );
      scalars[s * 2] = g.p0;
      scalars[s * 2 + 1] = g.p1;
    });
    out.push({ kind: 'native', name: 'elementwiseProgram', args: [first!.n, program, scalars, arrays] });
    runs++;
    i += group.length;
  }
  return { instructions: out, runs };
}

/**
 * A float restore as the addon's x·1 from the kept contents (a bit-exact copy): it then runs inside the
 * native run around it, and joins an elementwise run, instead of splitting them.
 */
function floatRestoreAsCopy(ins: Instruction): Instruction {
  if (ins.kind !== 'restore' || !(ins.array instanceof Float32Array || ins.array instanceof Float64Array)) return ins;
  const one = ins.array instanceof Float32Array ? Float32Array.of(1) : Float64Array.of(1);
  return { kind: 'native', name: 'binary', args: [MUL, ins.contents, [1], one, [0], ins.array, [ins.array.length]] };
}

function align(n: number): number {
  return Math.ceil(n / SLOT_ALIGN) * SLOT_ALIGN;
}

function productFlops(ins: Instruction): number {
  if (ins.kind !== 'native') return 0;
  const a = ins.args as number[];
  if (ins.name === 'gemm') return 2 * a[12] * a[13] * a[14];
  if (ins.name === 'gemmBatched') return 2 * a[12] * a[13] * a[14] * (ins.args[9] as Float64Array).length;
  return 0;
}

/** Arrays of at most this many elements are few enough that an addon call costs more than the arithmetic. */
const TINY_ELEMENTS = 4;
/** Kernel calls in a generated run at most: a longer run amortises the addon call, and V8 optimises short functions. */
const TINY_RUN_MAX_STEPS = 256;

/**
 * A run of addon calls that are all elementwise kernels on at most TINY_ELEMENTS elements (a scalar
 * function and its gradients), as one generated JS function calling the kernels' JS loops: null for any
 * other run. The loops are those eager runs at that size, so a replay gives eager's values bit for bit;
 * and crossing into the addon (~30 ns, plus its checks) would cost more than the arithmetic. The
 * function is generated, not interpreted, so that each call site sees one loop and V8 can inline it. Its
 * source holds only generated names and integers: the arrays, loops and parameters are its arguments.
 */
function tinyRun(calls: readonly { name: string; args: unknown[] }[]): (() => void) | null {
  const values: unknown[] = [];
  const ref = (v: unknown): string => {
    let i = values.findIndex((x) => Object.is(x, v)); // Object.is: a parameter −0 is not +0
    if (i < 0) i = values.push(v) - 1;
    return `v${i}`;
  };
  const lines: string[] = [];
  const unaryStep = (code: number, x: TypedArray, out: TypedArray, n: number, p0: number, p1: number): boolean => {
    const loop = jsLoopsByCode.unary[code];
    if (loop === undefined || x.length !== n) return false;
    lines.push(`${ref(loop)}(${ref(x)}, ${ref(out)}, ${n}, ${ref(p0)}, ${ref(p1)});`);
    return true;
  };
  const binaryStep = (code: number, a: TypedArray, b: TypedArray, out: TypedArray, n: number): boolean => {
    const loop = jsLoopsByCode.binary[code];
    // An operand of another length is a broadcast number (read at element 0 for every element).
    const stride = (x: TypedArray) => (x.length === n ? 1 : x.length === 1 ? 0 : -1);
    if (loop === undefined || stride(a) < 0 || stride(b) < 0) return false;
    lines.push(`${ref(loop)}(${ref(a)}, 0, ${stride(a)}, ${ref(b)}, 0, ${stride(b)}, ${ref(out)}, 0, ${n});`);
    return true;
  };
  const isFloat = (x: unknown): x is Float32Array | Float64Array =>
    x instanceof Float32Array || x instanceof Float64Array;
  for (const { name, args } of calls) {
    if (name === 'elementwiseProgram') {
      const [n, program, scalars, arrays] = args as [number, Int32Array, Float64Array, TypedArray[]];
      if (n > TINY_ELEMENTS || !arrays.every(isFloat)) return null;
      for (let s = 0; s < program.length / 5; s++) {
        const [binary, code, in0, in1, out] = program.subarray(s * 5, s * 5 + 5);
        const ok =
          binary === 1
            ? binaryStep(code, arrays[in0], arrays[in1], arrays[out], n)
            : unaryStep(code, arrays[in0], arrays[out], n, scalars[s * 2], scalars[s * 2 + 1]);
        if (!ok) return null;
      }
      continue;
    }
    const ins: Instruction = { kind: 'native', name, args };
    const call = elementwiseCall(ins);
    if (call === null || call.n > TINY_ELEMENTS || !isFloat(call.out)) return null;
    const ok = call.binary
      ? binaryStep(call.code, call.inputs[0], call.inputs[1], call.out, call.n)
      : unaryStep(call.code, call.inputs[0], call.out, call.n, call.p0, call.p1);
    if (!ok) return null;
  }
  if (lines.length === 0 || lines.length > TINY_RUN_MAX_STEPS) return null;
  const names = values.map((_, i) => `v${i}`);
  try {
    return new Function(...names, `return function tinyRun() {\n${lines.join('\n')}\n};`)(...values) as () => void;
  } catch {
    return null; // code generation disallowed (node --disallow-code-generation-from-strings): the addon runs it
  }
}

/** Captures a run of addon calls as one native plan, when the addon can. */
function captureNative(calls: { name: string; args: unknown[] }[]): unknown {
  if (addon.planBegin === undefined) return null;
  addon.planBegin();
  try {
    for (const c of calls) (native as unknown as Record<string, (...a: unknown[]) => void>)[c.name](...c.args);
  } catch (err) {
    addon.planAbort!();
    throw err;
  }
  return addon.planEnd!();
}

function runStep(step: Step, feeds: readonly Tensor[]): void {
  switch (step.kind) {
    case 'native':
      if (step.js !== null) step.js();
      else if (step.handle !== null) addon.planRun!(step.handle);
      else
        for (const c of step.calls) (native as unknown as Record<string, (...a: unknown[]) => void>)[c.name](...c.args);
      return;
    case 'js': {
      const r = (step.impl as (...a: unknown[]) => unknown)(...step.args);
      if (step.out !== undefined && r instanceof Tensor && r.data !== step.out.data) step.out.data.set(r.data);
      return;
    }
    case 'grad':
      if (step.feed === undefined) step.tensor._setGradUnchecked(step.grad, false);
      else {
        // An argument's gradient is the caller's to keep: a copy, not a view of the arena.
        const g = step.grad;
        feeds[step.feed]._setGradUnchecked(
          g === null ? null : Tensor._wrap(g.data.slice(), g.shape.slice(), g.dtype),
          false,
        );
      }
      return;
    case 'effect':
      step.run();
      return;
    case 'restore':
      step.array.set(step.contents);
      return;
  }
}

/** The tensors in fn's result (a tensor, or arrays and plain objects of them). */
export function outputTensors(result: unknown): Tensor[] {
  const found: Tensor[] = [];
  const walk = (x: unknown): void => {
    if (x instanceof Tensor) found.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype)
      Object.values(x).forEach(walk);
  };
  walk(result);
  return found;
}

/**
 * The maker of fn's output: each tensor becomes a fresh copy of the array its values are in after a run
 * (arrayIn maps the recording's array there). Built once per plan as closures, so that a run does no
 * dispatch on the output's structure: for a scalar function, making the outputs is much of a call.
 */
function outputMaker(x: unknown, arrayIn: (a: TypedArray) => TypedArray): OutputMaker {
  if (x instanceof Tensor) {
    const array = arrayIn(x.data);
    const Make = array.constructor as new (n: number) => TypedArray;
    const n = array.length;
    // The plan's own shape, never mutated (no tensor's shape is): results share it.
    const shape = x.shape.slice();
    const dtype = x.dtype;
    return () => {
      const copy = new Make(n);
      copyInto(copy, array);
      return Tensor._wrap(copy, shape, dtype);
    };
  }
  if (Array.isArray(x)) {
    const items = x.map((v) => outputMaker(v, arrayIn));
    return () => {
      const out = new Array(items.length);
      for (let i = 0; i < items.length; i++) out[i] = items[i]();
      return out;
    };
  }
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    const entries = Object.entries(x).map(([k, v]) => [k, outputMaker(v, arrayIn)] as const);
    return () => Object.fromEntries(entries.map(([k, make]) => [k, make()]));
  }
  return () => x;
}

/** dst.set(src) for arrays of one length; an element loop for short ones, where set()'s checks cost more than the copy. */
function copyInto(dst: TypedArray, src: TypedArray): void {
  const n = src.length;
  if (n > 16) dst.set(src);
  else for (let i = 0; i < n; i++) dst[i] = src[i];
}
