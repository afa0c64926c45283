// tg.compile (record once, replay the plan) against eager tapegrad and against peers, all measured in
// this run, each configuration in a child process of its own:
//   1. the W3 training step (784-512-256-10 ReLU MLP, batch 128, mean cross-entropy, SGD lr 0.05; the
//      batch passed as the compiled step's arguments, so every replay copies it in) compiled, eager, and
//      JAX's jit of the whole step (python3 on PATH), at 1 and 2 threads, median ms per step; beside them,
//      the step's eight matrix products alone through the GEMM (the floor of our step);
//   2. per-op cost in a plan: bench/ops's chain of 1000 ops on [16] float32 (·a, +b, sin), forward and
//      backward, compiled and eager, µs per op;
//   3. the lecture's f(x, y) = x·y + sin(x) with both gradients (tg.autograd.grad inside the function),
//      float64, x and y scalars and of 1024 elements: evaluations (elements) per second, compiled and eager;
//   4. the event loop while the lecture's linear layer (W 4096², X 4096×64, S = W·X; S.backward(G)) runs
//      in a loop for ~2 s: the worst lag of a 5 ms setInterval with `await step.async()`, beside the
//      compiled step called synchronously (yielding to the event loop between steps);
//   5. RSS of the W3 step (after a full collection) after the first (recording) call, at replayed step 100 and
//      step 10,000, and the allocator's fresh allocations (tg.memory().fresh), compiled and eager.
// Usage: npm run bench -- compile   (or node bench/compile.mjs [--quick])
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { native } from '../dist/cjs/native.js';
import {
  fmt,
  hasPythonModule,
  interleavedMedianMs,
  JAX_W3_STEP,
  jaxEnv,
  machineLine,
  medianMs,
  mlpTrainingStep,
  python,
  runNode,
  table,
} from './util.mjs';

const here = fileURLToPath(import.meta.url);
const QUICK = process.argv.includes('--quick');
const MB = 1024 * 1024;

const W3_STEPS = QUICK ? 100 : 300;
// Rounds of (eager, compiled, JAX) per thread count; each configuration keeps its best round's median, so
// a burst of other work on the machine during one round does not decide a ratio.
const W3_ROUNDS = QUICK ? 1 : 2;
const CHAIN = 1000;
const CHAIN_N = 16;
const LOOP_MS = QUICK ? 1000 : 2000;
const TICK_MS = 5;
const RSS_STEPS = QUICK ? 2000 : 10000;

// The targets, printed with ✓/✗ in the summary.
const TARGET = { w3VsJax: 0.9, usPerOp: 0.05, evalsPerS: 5e6, lagMs: 10, rssGrowthMB: 1 };

// ---- workers ------------------------------------------------------------------------------------
async function w3Worker(mode, threads) {
  const tg = await import('../dist/esm/index.js');
  tg.setNumThreads(threads);
  const eager = mlpTrainingStep(tg);
  const [x, y] = eager.batch;
  const step = mode === 'compiled' ? tg.compile(eager) : eager;
  // The first call records (compiled); the losses of the first steps are compared with eager's.
  const losses = [];
  for (let i = 0; i < 5; i++) losses.push(step(x, y).item());
  const info = `${tg.backendInfo().isa}, ${tg.getNumThreads()} thread${threads > 1 ? 's' : ''}`;
  if (mode !== 'compiled') return { ms: medianMs(() => step(x, y), { repeats: W3_STEPS, warmup: 20 }), losses, info };
  // The compiled step in alternating blocks with its eight products alone (the floor of any step built on
  // this GEMM), so a burst of other load on the machine hits both alike.
  const [ms, productsMs] = interleavedMedianMs([() => step(x, y), w3Products()], { calls: W3_STEPS, warmup: 20 });
  return { ms, productsMs, losses, info };
}

/**
 * The W3 step's eight matrix products (forward 3, backward 5: no gradient for the batch), straight into
 * preallocated outputs at the layouts the step uses (nn.Linear's weight is [out, in]); 308 MFLOP.
 */
function w3Products() {
  const sizes = [784, 512, 256, 10];
  const B = 128;
  const f = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.1);
  const h = sizes.map((n) => f(B * n)); // h[0] the batch, h[l] layer l's activation
  const dz = sizes.map((n) => f(B * n)); // dz[l] the gradient at layer l's pre-activation
  const W = sizes.slice(1).map((n, l) => f(n * sizes[l])); // W[l]: [sizes[l+1], sizes[l]]
  const dW = W.map((w) => new Float32Array(w.length));
  return () => {
    for (let l = 0; l < 3; l++) {
      const [i, o] = [sizes[l], sizes[l + 1]];
      native.gemm(h[l], 0, i, 1, W[l], 0, 1, i, h[l + 1], 0, o, 1, B, o, i, 1, 0); // h·Wᵀ
    }
    for (let l = 2; l >= 0; l--) {
      const [i, o] = [sizes[l], sizes[l + 1]];
      native.gemm(dz[l + 1], 0, 1, o, h[l], 0, i, 1, dW[l], 0, i, 1, o, i, B, 1, 0); // dW = dzᵀ·h
      if (l > 0) native.gemm(dz[l + 1], 0, o, 1, W[l], 0, i, 1, dz[l], 0, i, 1, B, i, o, 1, 0); // dh = dz·W
    }
  };
}

async function opsWorker() {
  const tg = await import('../dist/esm/index.js');
  const res = {};
  // The lecture's function first: it is float64 (bench/ops measures it first for the same reason: the
  // JIT would otherwise time code specialised for the float32 chain).
  for (const n of [1, 1024]) {
    const opts = { dtype: 'float64', requiresGrad: true };
    const make = (v) =>
      n === 1
        ? tg.tensor(v, opts)
        : tg.tensor(
            Float64Array.from({ length: n }, (_, i) => v + i * 1e-3),
            opts,
          );
    const fn = (x, y) => {
      const f = x.mul(y).add(x.sin());
      const [gx, gy] = tg.autograd.grad(n === 1 ? f : f.sum(), [x, y]);
      return [f.detach(), gx, gy];
    };
    const calls = n === 1 ? 2000 : 200;
    const bench = (step) => {
      const x = make(2),
        y = make(3);
      let acc = 0;
      const block = () => {
        for (let i = 0; i < calls; i++) {
          x.data[0] = 2 + (i & 1023) * 1e-6; // new input values on every call
          const [f, gx, gy] = step(x, y);
          acc += f.data[0] + gx.data[n - 1] + gy.data[0];
        }
      };
      // A long warm-up: the timed blocks are short (a few ms), and V8 must have finished optimising the call path.
      const ms = medianMs(block, { repeats: 31, warmup: n === 1 ? 200 : 20 });
      return { evalsPerS: (n * calls * 1000) / ms, acc };
    };
    const compiled = tg.compile(fn);
    const eagerRes = bench(fn);
    const compiledRes = bench(compiled);
    // Same inputs, both ways: the values must agree to the bit.
    const [xs, ys] = [make(2.5), make(-1)];
    const want = fn(xs, ys).map((t) => Array.from(t.data));
    const got = compiled(xs, ys).map((t) => Array.from(t.data));
    let maxRelDiff = 0;
    for (let j = 0; j < want.length; j++)
      for (let i = 0; i < want[j].length; i++)
        maxRelDiff = Math.max(maxRelDiff, Math.abs(want[j][i] - got[j][i]) / Math.max(Math.abs(want[j][i]), 1e-300));
    res[`lecture${n}`] = {
      eager: eagerRes.evalsPerS,
      compiled: compiledRes.evalsPerS,
      identical: JSON.stringify(want) === JSON.stringify(got),
      maxRelDiff,
      summary: compiled.plan?.summary() ?? null,
    };
  }

  // bench/ops's chain: x·a + b, sin, ... 1000 ops on [16], then sum and backward.
  tg.manualSeed(1);
  const x = tg.randn([CHAIN_N], { requiresGrad: true });
  const a = tg.rand([CHAIN_N], { requiresGrad: true });
  const b = tg.randn([CHAIN_N], { requiresGrad: true });
  const chain = () => {
    x.grad = a.grad = b.grad = null;
    let h = x;
    for (let i = 0; i < CHAIN; i++) h = i % 3 === 0 ? h.mul(a) : i % 3 === 1 ? h.add(b) : h.sin();
    h.sum().backward();
    return x.grad;
  };
  const compiledChain = tg.compile(chain);
  const eagerGrad = Array.from(chain().data);
  const compiledGrad = Array.from(compiledChain().data); // records
  const replayGrad = Array.from(compiledChain().data);
  const eagerMs = medianMs(() => chain().data[0], { repeats: 31, warmup: 100 });
  const compiledMs = medianMs(() => compiledChain().data[0], { repeats: 101, warmup: 100 });
  res.chain = {
    eagerUsPerOp: (eagerMs * 1000) / CHAIN,
    compiledUsPerOp: (compiledMs * 1000) / CHAIN,
    identical:
      JSON.stringify(eagerGrad) === JSON.stringify(compiledGrad) &&
      JSON.stringify(eagerGrad) === JSON.stringify(replayGrad),
    summary: compiledChain.plan.summary(),
  };
  return res;
}

async function loopWorker(mode) {
  const tg = await import('../dist/esm/index.js');
  tg.manualSeed(0);
  const W = tg.randn([4096, 4096], { requiresGrad: true });
  const X = tg.randn([4096, 64], { requiresGrad: true });
  const G = tg.randn([4096, 64]);
  // Returns nothing: W.grad is left on W (in the plan's arena), as a training loop would use it.
  const step = tg.compile(() => {
    W.grad = null;
    X.grad = null;
    W.matmul(X).backward(G);
  });
  // The recording and a few replays run before the clock starts: the first replays still pay one-time
  // costs (the first one here took twice a step's time).
  for (let i = 0; i < 4; i++) step();
  const yieldNow = () => new Promise((resolve) => setImmediate(resolve));
  let last = performance.now();
  let worst = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - TICK_MS);
    last = now;
    ticks++;
  }, TICK_MS);
  const times = [];
  const t0 = performance.now();
  while (performance.now() - t0 < LOOP_MS) {
    const s0 = performance.now();
    if (mode === 'async') await step.async();
    else if (mode === 'async-yield') {
      await step.async();
      await yieldNow();
    } else {
      step();
      await yieldNow();
    }
    times.push(performance.now() - s0);
  }
  // One more tick, so that a stall at the very end of the loop counts too.
  await new Promise((resolve) => setTimeout(resolve, 2 * TICK_MS));
  clearInterval(timer);
  times.sort((p, q) => p - q);
  return {
    worstLagMs: worst,
    ticks,
    steps: times.length,
    stepMs: times[times.length >> 1],
    threads: tg.getNumThreads(),
  };
}

async function rssWorker(mode, steps) {
  const tg = await import('../dist/esm/index.js');
  tg.setNumThreads(1);
  const eager = mlpTrainingStep(tg);
  const [x, y] = eager.batch;
  const step = mode === 'compiled' ? tg.compile(eager) : eager;
  const rss = () => process.memoryUsage.rss() / MB;
  // RSS after a full collection (so that garbage not collected yet does not decide the reading), and the
  // allocator's count of fresh allocations.
  const sample = () => {
    globalThis.gc();
    return { rss: rss(), fresh: tg.memory().fresh };
  };
  step(x, y);
  const first = sample();
  let at100 = null;
  for (let i = 2; i <= steps; i++) {
    step(x, y);
    if (i === 100) at100 = sample();
  }
  return { first, at100, end: sample() };
}

// ---- children -----------------------------------------------------------------------------------
function parseLast(stdout, stderr, status) {
  try {
    return JSON.parse(stdout.trim().split('\n').pop());
  } catch {
    return { error: (stderr || stdout || `exit ${status}`).trim().split('\n').slice(-2).join(' / ') };
  }
}

/** Runs a worker; threads 1 pins it to one core, as the peers are (util's runNode). */
function child(kind, args, threads = 2) {
  const r = runNode(threads, [here, '--worker', kind, ...args.map(String), ...(QUICK ? ['--quick'] : [])]);
  return parseLast(r.stdout, r.stderr, r.status);
}

/** The RSS runs: not pinned (they measure memory, not time), with the collector exposed. */
function childAsync(kind, args) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [
      '--expose-gc',
      here,
      '--worker',
      kind,
      ...args.map(String),
      ...(QUICK ? ['--quick'] : []),
    ]);
    let out = '',
      err = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('close', (status) => resolve(parseLast(out, err, status)));
  });
}

if (process.argv[2] === '--worker') {
  const [kind, ...a] = process.argv.slice(3).filter((s) => s !== '--quick');
  const res =
    kind === 'w3'
      ? await w3Worker(a[0], Number(a[1]))
      : kind === 'ops'
        ? await opsWorker()
        : kind === 'loop'
          ? await loopWorker(a[0])
          : await rssWorker(a[0], Number(a[1]));
  console.log(JSON.stringify(res));
  process.exit(0);
}

// ---- the driver ---------------------------------------------------------------------------------
const mark = (ok) => (ok ? '✓' : '✗');
const signed = (x) => `${x >= 0 ? '+' : ''}${fmt(x, 1)}`;
const summary = []; // [what, measured, target, ✓/✗]
const failed = (r) => r === null || r === undefined || r.error !== undefined;
const errorText = (r) => (r?.error ?? 'failed').slice(0, 90);

console.log(machineLine());
const hasJax = hasPythonModule('jax');

// 1. W3 step
console.log(
  `\n# W3 training step (MLP 784-512-256-10, batch 128, mean cross-entropy, SGD lr 0.05), median ms of ${W3_STEPS} steps,` +
    `\n# best of ${W3_ROUNDS} round${W3_ROUNDS > 1 ? 's' : ''} (eager, compiled, JAX in turn); compiled: tg.compile(step), the batch passed` +
    '\n# as its arguments; JAX: jax.jit of the whole step',
);
const w3Rows = [];
const w3 = {};
for (const threads of [1, 2]) {
  const best = (a, b) => (failed(a) ? a : failed(b) || b === null || a.ms <= b.ms ? a : b);
  let eager = null,
    compiled = null,
    jax = null;
  for (let round = 0; round < W3_ROUNDS; round++) {
    const e = child('w3', ['eager', threads], threads);
    eager = eager === null ? e : best(eager, e);
    const c = child('w3', ['compiled', threads], threads);
    compiled = compiled === null ? c : best(compiled, c);
    const j = hasJax ? python(JAX_W3_STEP, [W3_STEPS], threads, jaxEnv(threads)) : null;
    if (j !== null) jax = jax === null || j.ms < jax.ms ? j : jax;
  }
  w3[threads] = { eager, compiled, jax };
  const ok = !failed(eager) && !failed(compiled);
  w3Rows.push([
    threads,
    failed(eager) ? 'failed' : fmt(eager.ms, 3),
    failed(compiled) ? 'failed' : fmt(compiled.ms, 3),
    jax ? fmt(jax.ms, 3) : 'not available',
    ok ? fmt(compiled.ms / eager.ms) : '-',
    ok && jax ? fmt(compiled.ms / jax.ms) : '-',
    ok && jax ? fmt(eager.ms / jax.ms) : '-',
    ok ? fmt(compiled.productsMs, 3) : '-',
    ok && jax ? fmt(compiled.productsMs / jax.ms) : '-',
    ok
      ? JSON.stringify(eager.losses) === JSON.stringify(compiled.losses)
        ? 'yes'
        : 'NO'
      : errorText(failed(eager) ? eager : compiled),
  ]);
  const target = `≤ ${TARGET.w3VsJax.toFixed(2)}× JAX`;
  if (!ok) summary.push([`W3 step compiled, ${threads} thr`, 'failed', target, '✗']);
  else if (!jax) summary.push([`W3 step compiled, ${threads} thr`, 'JAX not available', target, '-']);
  else {
    const r = compiled.ms / jax.ms;
    summary.push([
      `W3 step compiled vs JAX jit, ${threads} thread${threads > 1 ? 's' : ''}`,
      `${fmt(compiled.ms, 3)} vs ${fmt(jax.ms, 3)} ms = ${fmt(r)}×`,
      target,
      mark(r <= TARGET.w3VsJax),
    ]);
  }
}
table(
  [
    'threads',
    'eager ms',
    'compiled ms',
    'JAX jit ms',
    'compiled/eager',
    'compiled/JAX',
    'eager/JAX',
    'products ms',
    'products/JAX',
    'first 5 losses identical',
  ],
  w3Rows,
);
console.log(
  "# products: the step's eight matrix products alone (308 MFLOP) into preallocated outputs, timed in alternating\n" +
    '# blocks with the compiled step: the floor of any step built on this GEMM. compiled − products is everything\n' +
    '# else (packing is inside the products; the optimizer, epilogues, loss, JS are not).',
);
if (!hasJax) console.log('  JAX: not available (python3 -c "import jax" failed)');

// 2 and 3. chain of ops, and the lecture's function
const ops = child('ops', []);
if (failed(ops)) {
  console.log(`\n# ops: failed: ${errorText(ops)}`);
  summary.push(['chain, compiled µs/op', 'failed', `≤ ${TARGET.usPerOp}`, '✗']);
} else {
  const c = ops.chain;
  console.log(
    `\n# chain of ${CHAIN} ops on [${CHAIN_N}] float32 (·a, +b, sin), forward + backward, µs per op (median);` +
      `\n# plan: ${c.summary.nativeCalls} addon calls in ${c.summary.nativeSegments} run(s), ${c.summary.effects} effects`,
  );
  table(
    ['', 'µs/op', 'ratio vs eager', 'gradient identical to eager'],
    [
      ['eager', fmt(c.eagerUsPerOp, 3), '1.00', '-'],
      ['compiled', fmt(c.compiledUsPerOp, 3), fmt(c.compiledUsPerOp / c.eagerUsPerOp), c.identical ? 'yes' : 'NO'],
    ],
  );
  summary.push([
    'chain of 1000 ops, compiled (eager beside)',
    `${fmt(c.compiledUsPerOp, 3)} µs/op (eager ${fmt(c.eagerUsPerOp, 3)})`,
    `≤ ${TARGET.usPerOp} µs/op`,
    mark(c.compiledUsPerOp <= TARGET.usPerOp),
  ]);

  console.log(
    '\n# f(x, y) = x·y + sin(x), float64, f and both gradients (tg.autograd.grad inside the function),' +
      '\n# evaluations per second (one per element), median',
  );
  const lrows = [];
  for (const n of [1, 1024]) {
    const l = ops[`lecture${n}`];
    const label = n === 1 ? 'scalar x, y' : `x, y of ${n} elements`;
    lrows.push([
      label,
      fmt(l.eager, 0),
      fmt(l.compiled, 0),
      fmt(l.compiled / l.eager),
      l.identical ? 'yes' : `no (max rel. diff ${l.maxRelDiff.toExponential(1)})`,
    ]);
    summary.push([
      `f(x, y) with gradients, compiled, ${label}`,
      `${fmt(l.compiled, 0)}/s (eager ${fmt(l.eager, 0)}/s)`,
      `≥ ${(TARGET.evalsPerS / 1e6).toFixed(0)} 000 000/s`,
      mark(l.compiled >= TARGET.evalsPerS),
    ]);
  }
  table(['inputs', 'eager evals/s', 'compiled evals/s', 'compiled/eager', 'values identical to eager'], lrows);
  if (!ops.lecture1.identical || !ops.lecture1024.identical)
    console.log(
      '  (eager runs elementwise kernels on fewer than 16 384 elements in JS; a plan calls the addon for every kernel)',
    );
}

// 4. the event loop
console.log(
  `\n# event loop while the linear layer S = W·X; S.backward(G) (W 4096², X 4096×64) runs compiled for ~${LOOP_MS / 1000} s:` +
    `\n# worst lag of a ${TICK_MS} ms setInterval (how much later than due a tick ran)`,
);
const loops = {};
const loopRows = [];
for (const [mode, label] of [
  ['async', 'await step.async() in a loop'],
  ['async-yield', 'await step.async(), then setImmediate'],
  ['sync', 'step() (sync), then setImmediate'],
]) {
  const r = child('loop', [mode]);
  loops[mode] = r;
  loopRows.push(
    failed(r)
      ? [label, 'failed', '', '', '', errorText(r)]
      : [label, fmt(r.worstLagMs, 1), r.ticks, r.steps, fmt(r.stepMs, 1), r.threads],
  );
}
table(['loop', 'worst lag ms', 'ticks', 'steps', 'ms/step', 'threads'], loopRows);
{
  const { native } = await import('../dist/cjs/native.js');
  if (typeof native.planRunAsync !== 'function')
    console.log(
      '  (this addon has no native plan functions (planRunAsync): step.async() runs the kernels on the main thread,\n' +
        '   and a loop of awaits on it never gives the event loop a turn until the loop ends)',
    );
}
{
  const a = loops.async,
    s = loops.sync;
  summary.push(
    failed(a)
      ? ['event loop, worst lag with step.async()', 'failed', `≤ ${TARGET.lagMs} ms`, '✗']
      : [
          'event loop, worst lag with step.async() (sync beside)',
          `${fmt(a.worstLagMs, 1)} ms (sync ${failed(s) ? 'failed' : `${fmt(s.worstLagMs, 1)} ms`})`,
          `≤ ${TARGET.lagMs} ms`,
          mark(a.worstLagMs <= TARGET.lagMs),
        ],
  );
}

// 5. RSS over many replays. One run after the other: run side by side, V8's compiler threads of the
// two processes competed, and the same compiled run read anywhere from −6.6 to +4.1 MB.
console.log(
  `\n# RSS (MB, each after a full collection) of the W3 step (1 thread) after the first call, at step 100 and at step` +
    `\n# ${RSS_STEPS}; growth: step 100 → the end; fresh: the allocator's fresh allocations (tg.memory().fresh).` +
    '\n# Compiled, then eager.',
);
const rssC = await childAsync('rss', ['compiled', RSS_STEPS]);
const rssE = await childAsync('rss', ['eager', RSS_STEPS]);
const rssRow = (name, r) =>
  failed(r)
    ? [name, 'failed', '', '', '', '', errorText(r)]
    : [
        name,
        fmt(r.first.rss, 1),
        fmt(r.at100.rss, 1),
        fmt(r.end.rss, 1),
        signed(r.end.rss - r.at100.rss),
        `${r.first.fresh} / ${r.at100.fresh} / ${r.end.fresh}`,
        r.end.fresh - r.at100.fresh,
      ];
table(
  ['', 'RSS call 1', 'step 100', `step ${RSS_STEPS}`, 'growth', `fresh: call 1 / 100 / ${RSS_STEPS}`, 'fresh growth'],
  [rssRow('compiled', rssC), rssRow('eager', rssE)],
);
if (failed(rssC)) summary.push(['RSS of the compiled W3 step', 'failed', 'flat', '✗']);
else {
  const growth = rssC.end.rss - rssC.at100.rss;
  const freshGrowth = rssC.end.fresh - rssC.at100.fresh;
  const eagerGrowth = failed(rssE) ? null : rssE.end.rss - rssE.at100.rss;
  summary.push([
    `RSS of the compiled W3 step, step 100 → ${RSS_STEPS} (eager beside)`,
    `${signed(growth)} MB, ${freshGrowth} fresh (eager ${eagerGrowth === null ? 'failed' : `${signed(eagerGrowth)} MB`})`,
    `flat: ≤ ${TARGET.rssGrowthMB} MB, 0 fresh`,
    mark(growth <= TARGET.rssGrowthMB && freshGrowth === 0),
  ]);
}

console.log('\n# targets');
table(['measure', 'measured', 'target', ''], summary);
for (const t of [1, 2])
  if (failed(w3[t].eager) || failed(w3[t].compiled)) {
    console.error(`\ntapegrad failed: ${errorText(failed(w3[t].eager) ? w3[t].eager : w3[t].compiled)}`);
    process.exitCode = 1;
  }
