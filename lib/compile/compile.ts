// tg.compile(fn): declarative mode. The first call for a signature runs fn eagerly while recording
// every kernel call (forward, backward, the optimizer's update) and the effects on the tensors fn
// reaches by closure; later calls with the same signature replay the plan (plan.ts) over its arena.
import { isGradEnabled, isInferenceMode } from '../grad_mode.js';
import { describe, formatShape, sizeOf } from '../shape.js';
import { Tensor, lockStorage, unlockStorage } from '../tensor.js';
import { Plan, outputTensors, type PlanSummary } from './plan.js';
import { GraphBreakError, Trace, jsKernelInputs, storageOf } from './trace.js';

export { GraphBreakError };
export type { PlanSummary };

export interface CompileOptions {
  /**
   * What a graph break does (something fn does whose result depends on tensor values in JS, e.g.
   * item()): 'error' (the default) throws it, naming the op; 'eager' runs that signature eagerly
   * from then on.
   */
  fallback?: 'error' | 'eager';
  /** Plans kept per compiled function (signatures, and states of the captured tensors); default 8. */
  maxPlans?: number;
  /**
   * Debugging: fills each arena slot with NaN bytes as soon as its last reader has run, so a value
   * read after its bytes were reused shows up as NaN. Slower (one addon call per kernel).
   */
  poison?: boolean;
}

/** A captured tensor: bound by reference, with what the plan expects of it at the start of a call. */
interface Captured {
  tensor: Tensor;
  data: Tensor['data'];
  requiresGrad: boolean;
  /** Version before the recording, and how much one step moves it. */
  versionDelta: number;
  /** The gradient it had on entry: whether one existed, and its storage when the plan reads it. */
  hadGrad: boolean;
  boundGrad: Tensor['data'] | null;
}

/** What a call's arguments looked like, to recognise the next call with the same signature without a key string. */
type ArgShape =
  | { tensor: true; dtype: string; shape: readonly number[]; grad: 0 | 1 | 2 }
  | { tensor: false; value: unknown }
  | ArgShape[];

interface Entry {
  key: string;
  /** The arguments' description, the grad modes and the aliasing of the call that made the key. */
  args: ArgShape[];
  gradMode: boolean;
  inference: boolean;
  aliased: boolean;
  plan: Plan | null; // null: this signature runs eagerly (graph break with fallback 'eager')
  captured: Captured[];
  /** The argument arrays of the last call found not to share storage (see distinctFeeds). */
  distinctFeedData: Tensor['data'][];
}

/** A compiled function: call it like fn; `async` runs the plan's kernels off the event loop. */
export interface CompiledFunction<A extends unknown[], R> {
  (...args: A): R;
  /** The same step with the plan's native kernels on a worker thread; the tensors it binds are locked meanwhile. */
  async(...args: A): Promise<R>;
  /** The plan the last call ran (null before the first call, or when it ran eagerly). */
  readonly plan: CompiledPlan | null;
  /** Drops every recorded plan. */
  reset(): void;
}

/** What a compiled function exposes of a plan. */
export interface CompiledPlan {
  summary(): PlanSummary;
  toDot(): string;
}

/** Tensors changed in place outside any plan of a compiled function since its last call: version it left them at. */
type VersionMemory = WeakMap<Tensor, number>;

/**
 * Compiles fn (a training step, an inference function) into a recorded plan replayed on later calls.
 * Tensors among fn's arguments (top level, or in a top-level array) are its inputs, copied in on every
 * call; tensors fn reaches by closure (parameters, optimizer state) are bound by reference and updated
 * in place. Returns fresh tensors on every call. See docs/COMPILE.md.
 */
export function compile<A extends unknown[], R>(
  fn: (...args: A) => R,
  options: CompileOptions = {},
): CompiledFunction<A, R> {
  if (typeof fn !== 'function') throw new TypeError(`compile: argument 'fn' must be a function, got ${describe(fn)}`);
  if (options === null || typeof options !== 'object')
    throw new TypeError(`compile: argument 'options' must be an object, got ${describe(options)}`);
  for (const k of Object.keys(options))
    if (!['fallback', 'maxPlans', 'poison'].includes(k))
      throw new TypeError(`compile: unknown option '${k}' (expected fallback, maxPlans, poison)`);
  const fallback = options.fallback ?? 'error';
  if (fallback !== 'error' && fallback !== 'eager')
    throw new TypeError(`compile: option 'fallback' must be 'error' or 'eager', got ${describe(fallback)}`);
  const maxPlans = options.maxPlans ?? 8;
  if (typeof maxPlans !== 'number')
    throw new TypeError(`compile: option 'maxPlans' must be a number, got ${describe(maxPlans)}`);
  if (!Number.isInteger(maxPlans) || maxPlans < 1)
    throw new RangeError(`compile: option 'maxPlans' must be a positive integer, got ${describe(maxPlans)}`);

  if (options.poison !== undefined && typeof options.poison !== 'boolean')
    throw new TypeError(`compile: option 'poison' must be a boolean, got ${describe(options.poison)}`);

  let entries: Entry[] = []; // most recently used last
  let last: Entry | null = null;
  let recordings = 0;
  let warned = false;
  const versions: VersionMemory = new WeakMap();
  let running = false;

  /** The arguments' tensors when args have the signature of entry e and its guards hold; null otherwise. */
  const matches = (e: Entry, args: A): Tensor[] | null => {
    if (e.aliased || e.gradMode !== isGradEnabled() || e.inference !== isInferenceMode()) return null;
    const feeds: Tensor[] = [];
    return sameArgs(args, e.args, feeds) && distinctFeeds(e, feeds) && guardsHold(e, versions) ? feeds : null;
  };

  const choose = (args: A): { entry: Entry | null; key: string; feeds: Tensor[] } => {
    // The common case: the signature of the previous call, recognised without building a key.
    const same = last === null ? null : matches(last, args);
    if (same !== null) return { entry: last, key: last!.key, feeds: same };
    const { key, feeds } = signature(args);
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e.key === key && guardsHold(e, versions)) {
        if (i !== entries.length - 1) entries = [...entries.slice(0, i), ...entries.slice(i + 1), e];
        return { entry: e, key, feeds };
      }
    }
    return { entry: null, key, feeds };
  };

  const record = (args: A, key: string, feeds: Tensor[]): R => {
    const described = describeCall(args, feeds); // before fn changes any gradient
    if (feeds.some((t) => t._peekGrad() !== null)) {
      // backward would accumulate into this call's argument's own gradient, which a plan cannot bind
      // (every call brings another tensor): such a signature runs eagerly.
      const entry: Entry = { key, ...described, plan: null, captured: [], distinctFeedData: [] };
      entries.push(entry);
      last = entry;
      return fn(...args);
    }
    const trace = new Trace(feeds, fallback === 'eager');
    const feedVersions = feeds.map((t) => t._version.version);
    let result = trace.record(() => fn(...args));
    let entry: Entry;
    if (trace.broken !== null)
      entry = { key, ...described, plan: null, captured: [], distinctFeedData: [] }; // fn ran eagerly to its end
    else {
      for (const t of outputTensors(result))
        if (t.requiresGrad)
          throw new GraphBreakError(
            `tg.compile: fn returned a tensor that requires grad (shape ${formatShape(t.shape)}); a compiled step ` +
              'returns values, not graphs: call backward() inside fn, or run it under tg.noGrad.',
          );
      entry = {
        key,
        ...described,
        plan: new Plan(trace, feeds, result, { poison: options.poison }),
        captured: capturedTensors(trace, feeds),
        distinctFeedData: [],
      };
    }
    for (const c of entry.captured) versions.set(c.tensor, c.tensor._version.version);
    recordings++;
    entries.push(entry);
    if (entries.length > maxPlans) {
      entries[0].plan?.dispose();
      entries = entries.slice(1);
      if (!warned) {
        warned = true;
        process.emitWarning(
          `tg.compile: ${recordings} plans recorded for one compiled function (more than maxPlans = ${maxPlans}); ` +
            'its signature (argument shapes and dtypes, grad mode, or the state of the tensors it captures) ' +
            'keeps changing, so most calls record instead of replaying.',
          'TapegradCompileWarning',
        );
      }
    }
    last = entry;
    // Runs of kernels on a few elements replay as eager's JS loops (plan.ts, tinyRun), where the recording
    // ran the addon's: the two may differ in the last bit (sin, exp...). When running the plan once more
    // changes nothing but its arena and outputs (only kernels, no captured tensor, no argument changed in
    // place), the recording call returns a replay as well, so that every call gives eager's bits.
    if (
      entry.plan?.replaysInJs &&
      entry.plan.kernelsOnly &&
      entry.captured.length === 0 &&
      feeds.every((t, i) => t._version.version === feedVersions[i])
    )
      result = entry.plan.run(feeds) as R;
    return result;
  };

  const beforeRun = (e: Entry): number[] => e.captured.map((c) => c.tensor._version.version);
  const afterRun = (e: Entry, before: number[]): void =>
    e.captured.forEach((c, i) => {
      c.tensor._version.version = before[i] + c.versionDelta;
      versions.set(c.tensor, c.tensor._version.version);
    });

  /** The plan to replay for args, or the result when fn ran instead (recorded, or eager by choice). */
  const enter = (args: A): { entry: Entry & { plan: Plan }; feeds: Tensor[] } | { result: R } => {
    if (running) throw new Error('tg.compile: this compiled function is already running (await its async call first)');
    const { entry, key, feeds } = choose(args);
    if (entry === null) return { result: record(args, key, feeds) };
    last = entry;
    if (entry.plan === null) return { result: fn(...args) };
    return { entry: entry as Entry & { plan: Plan }, feeds };
  };

  const replay = (entry: Entry & { plan: Plan }, feeds: Tensor[]): R => {
    if (entry.captured.length === 0) return entry.plan.run(feeds) as R;
    const before = beforeRun(entry);
    const out = entry.plan.run(feeds) as R;
    afterRun(entry, before);
    return out;
  };

  const call = (...args: A): R => {
    // The common case first, without the allocations of enter(): the previous call's plan again.
    const e = last;
    const feeds = e !== null && e.plan !== null && !running ? matches(e, args) : null;
    if (feeds !== null) return replay(e as Entry & { plan: Plan }, feeds);
    const next = enter(args);
    if ('result' in next) return next.result;
    return replay(next.entry, next.feeds);
  };

  const callAsync = async (...args: A): Promise<R> => {
    const next = enter(args);
    if ('result' in next) return next.result;
    const { entry, feeds } = next;
    const before = beforeRun(entry);
    const locked = entry.captured.map((c) => c.tensor);
    running = true;
    for (const t of locked) lockStorage(t);
    try {
      const out = (await entry.plan.runAsync(
        feeds,
        () => locked.forEach(unlockStorage),
        () => locked.forEach(lockStorage),
      )) as R;
      return out;
    } finally {
      for (const t of locked) unlockStorage(t);
      running = false;
      afterRun(entry, before);
    }
  };

  return Object.defineProperties(call, {
    async: { value: callAsync },
    plan: { get: () => (last?.plan ?? null) as CompiledPlan | null },
    reset: {
      value: () => {
        for (const e of entries) e.plan?.dispose();
        entries = [];
        last = null;
      },
    },
  }) as CompiledFunction<A, R>;
}

/** The description an entry keeps of the call that recorded it (see sameArgs). */
function describeCall(
  args: readonly unknown[],
  feeds: readonly Tensor[],
): Pick<Entry, 'args' | 'gradMode' | 'inference' | 'aliased'> {
  const one = (a: unknown): ArgShape =>
    a instanceof Tensor
      ? {
          tensor: true,
          dtype: a.dtype,
          shape: a.shape.slice(),
          grad: !a.requiresGrad ? 0 : a._peekGrad() === null ? 1 : 2,
        }
      : { tensor: false, value: a };
  return {
    args: args.map((a) => (Array.isArray(a) ? a.map(one) : one(a))),
    gradMode: isGradEnabled(),
    inference: isInferenceMode(),
    aliased: !distinctStorage(feeds),
  };
}

/** Whether args match a description (collecting their tensors into feeds); false at the first difference. */
function sameArgs(args: readonly unknown[], shapes: readonly ArgShape[], feeds: Tensor[]): boolean {
  if (args.length !== shapes.length) return false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const d = shapes[i];
    if (Array.isArray(d)) {
      if (!Array.isArray(a) || !sameArgs(a, d, feeds)) return false;
    } else if (d.tensor) {
      if (!(a instanceof Tensor) || a.dtype !== d.dtype || a.data.length === 0) return false;
      const s = a.shape;
      if (s.length !== d.shape.length) return false;
      for (let j = 0; j < s.length; j++) if (s[j] !== d.shape[j]) return false;
      if ((!a.requiresGrad ? 0 : a._peekGrad() === null ? 1 : 2) !== d.grad) return false;
      feeds.push(a);
    } else if (!Object.is(a, d.value) || Array.isArray(a) || a instanceof Tensor) return false;
  }
  return true;
}

/**
 * No two of the feeds share storage. Arrays seen distinct on the entry's previous call are still so (an
 * array's buffer never changes; a detached one has length 0, which sameArgs refuses), which spares
 * reading every buffer when a loop calls with the same tensors.
 */
function distinctFeeds(e: Entry, feeds: readonly Tensor[]): boolean {
  const seen = e.distinctFeedData;
  if (seen.length === feeds.length) {
    let same = true;
    for (let i = 0; i < feeds.length && same; i++) same = feeds[i].data === seen[i];
    if (same) return true;
  }
  if (!distinctStorage(feeds)) return false;
  e.distinctFeedData = feeds.map((t) => t.data);
  return true;
}

/** No two of the tensors share storage. */
function distinctStorage(feeds: readonly Tensor[]): boolean {
  for (let i = 1; i < feeds.length; i++)
    for (let j = 0; j < i; j++) if (feeds[i].data.buffer === feeds[j].data.buffer) return false;
  return true;
}

/** The cache key of a call (argument shapes and dtypes, other argument values, grad mode) and its input tensors. */
function signature(args: readonly unknown[]): { key: string; feeds: Tensor[] } {
  const feeds: Tensor[] = [];
  const part = (a: unknown, where: string): string => {
    if (a instanceof Tensor) {
      feeds.push(a);
      if (a.data.length === 0 && sizeOf(a.shape) !== 0)
        throw new Error(`compile: argument ${where} has no storage (disposed or transferred)`);
      // An argument's gradient state decides what backward does with it (create or accumulate).
      return `T${a.dtype}[${a.shape.join(',')}]${a.requiresGrad ? (a._peekGrad() === null ? 'g' : 'G') : ''}`;
    }
    if (a === null || a === undefined || typeof a === 'number' || typeof a === 'boolean' || typeof a === 'string')
      return JSON.stringify(a) ?? 'undefined';
    throw new TypeError(
      `compile: argument ${where} must be a Tensor, an array of Tensors, or a number, boolean, string, null or undefined, got ${describe(a)}`,
    );
  };
  const parts = args.map((a, i) =>
    Array.isArray(a) ? `[${a.map((x, j) => part(x, `${i}[${j}]`)).join(';')}]` : part(a, String(i)),
  );
  // Arguments sharing storage share one slot in the plan: the pattern is part of the signature.
  const buffers = feeds.map((t) => t.data.buffer);
  const firsts = buffers.map((b) => buffers.indexOf(b));
  const alias = firsts.every((first, i) => first === i) ? '' : `@${firsts.join(',')}`;
  return { key: `${isGradEnabled() ? 'G' : 'N'}${isInferenceMode() ? 'I' : ''}(${parts.join(';')})${alias}`, feeds };
}

/** The tensors the recording touched that it neither allocated nor received as arguments. */
function capturedTensors(trace: Trace, feeds: readonly Tensor[]): Captured[] {
  const bound = new Set<Tensor['data']>();
  for (const ins of trace.instructions) {
    if (ins.kind === 'native') for (const a of ins.args) if (ArrayBuffer.isView(a)) bound.add(a as Tensor['data']);
    if (ins.kind === 'js') for (const x of jsKernelInputs(ins.args)) bound.add(storageOf(x));
  }
  const out: Captured[] = [];
  for (const [t, versionBefore] of trace.tensors) {
    const buffer = t.data.buffer;
    if (trace.allocated.has(buffer) || feeds.includes(t) || trace.feeds.has(buffer)) continue;
    const entryGrad = trace.gradsBefore.has(t) ? trace.gradsBefore.get(t)! : t._peekGrad();
    out.push({
      tensor: t,
      data: t.data,
      requiresGrad: t.requiresGrad,
      versionDelta: t._version.version - versionBefore,
      hadGrad: entryGrad !== null,
      boundGrad: entryGrad !== null && bound.has(entryGrad.data) ? entryGrad.data : null,
    });
  }
  return out;
}

/** Whether a plan may run now: its captured tensors are the ones it was recorded with, in the same state. */
function guardsHold(e: Entry, versions: VersionMemory): boolean {
  for (const c of e.captured) {
    const t = c.tensor;
    if (t.data !== c.data || t.data.byteLength === 0 || t.requiresGrad !== c.requiresGrad) return false;
    const known = versions.get(t);
    if (known !== undefined && t._version.version !== known) return false; // changed in place outside the plans
    const g = t._peekGrad();
    if ((g !== null) !== c.hadGrad) return false;
    if (c.boundGrad !== null && g!.data !== c.boundGrad) return false;
  }
  return true;
}
