// What the storage allocator buys a user's program, measured through the public API with fresh
// outputs (medians over many calls), beside the same work into a preallocated output and beside
// peers measured in the same run:
//   1. a.matmul(b): fresh outputs never disposed, fresh outputs disposed once replaced (the pool),
//      and the kernel into one preallocated output; n = 256 and the W3 MLP's forward shapes.
//      The three are timed in alternating blocks, so that load from elsewhere hits them alike.
//   2. the lecture's linear layer S = W·X, S.backward(G) (W 4096², X 4096×64) against numpy's three
//      products (which allocate their outputs too).
//   3. the W3 training step (784-512-256-10, batch 128, SGD) against JAX's jit of the whole step,
//      and RSS growth from step 100 to step 2,000.
// Each configuration runs in its own child process. Usage: npm run bench -- memory [--quick]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  fmt,
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

function median(times) {
  const s = [...times].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median ms of `calls` calls of fn after `warmup` calls (bench/util's medianMs). */
const timeCalls = (fn, calls, warmup = 20) => medianMs(fn, { repeats: calls, warmup });

// ---- workers ------------------------------------------------------------------------------------
async function matmulWorker(threads, m, k, n) {
  const tg = await import('../dist/esm/index.js');
  const { gemm } = await import('../dist/cjs/kernels/matmul.js');
  tg.setNumThreads(threads);
  tg.manualSeed(0);
  const a = tg.randn([m, k]),
    b = tg.randn([k, n]);
  const calls = QUICK ? 100 : 300;
  // Fresh outputs are timed in the steady state a training loop reaches: the warm-up allocates more
  // than V8 lets external memory grow before it collects (~64 MiB), so collected blocks are back in
  // the pool. The first 64 MiB of a process's outputs land on new pages once; the mean below pays
  // for every collection after that.
  const warmOutputs = Math.max(20, Math.ceil((96 * MB) / (m * n * 4)));
  for (let i = 0; i < warmOutputs; i++) a.matmul(b);
  // The mean over a long run charges the collections that fresh outputs cause (the median skips them).
  const runs = calls * 4;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) a.matmul(b);
  const freshMean = (performance.now() - t0) / runs;
  let previous = null;
  const out = new Float32Array(m * n);
  const views = [a.data, b.data, out].map((data, i) => ({ data, offset: 0, rs: [k, n, n][i], cs: 1 }));
  // Fresh outputs, disposed ones and the kernel into one preallocated output, in alternating blocks.
  const [fresh, pooled, kernel] = interleavedMedianMs(
    [
      () => a.matmul(b),
      () => {
        const c = a.matmul(b);
        previous?.dispose();
        previous = c;
      },
      () => gemm(m, n, k, 1, views[0], views[1], 0, views[2]),
    ],
    { calls, warmup: 20 },
  );
  return { fresh, freshMean, pooled, kernel };
}

async function linearWorker(threads) {
  const tg = await import('../dist/esm/index.js');
  tg.setNumThreads(threads);
  tg.manualSeed(0);
  const W = tg.randn([4096, 4096], { requiresGrad: true });
  const X = tg.randn([4096, 64], { requiresGrad: true });
  const G = tg.randn([4096, 64]);
  const ms = timeCalls(
    () => {
      W.grad = null;
      X.grad = null;
      W.matmul(X).backward(G);
    },
    QUICK ? 5 : 15,
    3,
  );
  return { ms };
}

async function trainWorker(threads, steps) {
  const tg = await import('../dist/esm/index.js');
  tg.setNumThreads(threads);
  const step = mlpTrainingStep(tg);
  const times = [];
  let rss100 = 0,
    rssMax = 0,
    owned100 = 0;
  // Memory the library's own objects hold: the JS heap, ArrayBuffers and the native pool.
  const owned = () => {
    const u = process.memoryUsage();
    const pool = tg.memory().pool;
    return u.heapTotal + u.arrayBuffers + pool.cached + pool.inUse;
  };
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i === 99) {
      rss100 = process.memoryUsage.rss();
      owned100 = owned();
    }
    if (i >= 99) rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }
  const m = tg.memory();
  return {
    ms: median(times.slice(20)),
    growthMB: (rssMax - rss100) / MB,
    ownedGrowthMB: (owned() - owned100) / MB,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    fromPool: m.fromPool,
    fresh: m.fresh,
  };
}

// ---- peers (python3 children) ------------------------------------------------------------------
const NUMPY_LINEAR = String.raw`
import json, sys, time
import numpy as np
rng = np.random.default_rng(0)
W = rng.standard_normal((4096, 4096), dtype=np.float32); X = rng.standard_normal((4096, 64), dtype=np.float32)
G = rng.standard_normal((4096, 64), dtype=np.float32)
def run():
    S = W @ X; dW = G @ X.T; dX = W.T @ G
    return S, dW, dX
for _ in range(3): run()
t = []
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter_ns(); run(); t.append((time.perf_counter_ns() - t0) / 1e6)
t.sort(); print(json.dumps({'ms': t[len(t) // 2]}))
`;

/** Runs a worker; args[0] is its thread count, and 1 pins it to one core, as the peers are (util's runNode). */
function child(kind, args) {
  const r = runNode(args[0], [here, '--worker', kind, ...args.map(String), ...(QUICK ? ['--quick'] : [])]);
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' / ') };
  }
}

if (process.argv[2] === '--worker') {
  const kindName = process.argv[3];
  const a = process.argv
    .slice(4)
    .filter((s) => s !== '--quick')
    .map(Number);
  const res =
    kindName === 'matmul'
      ? await matmulWorker(a[0], a[1], a[2], a[3])
      : kindName === 'linear'
        ? await linearWorker(a[0])
        : await trainWorker(a[0], a[1]);
  console.log(JSON.stringify(res));
  process.exit(0);
}

console.log(machineLine());
const hasJax = spawnSync('python3', ['-c', 'import jax'], { encoding: 'utf8' }).status === 0;
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

console.log('\n# a.matmul(b), float32, median of the calls (and the mean of a long run of fresh outputs, which');
console.log('# includes the collections they cause); "disposed" frees each output once the next one exists');
const mmRows = [];
const mmResults = [];
for (const [m, k, n] of [
  [256, 256, 256],
  [128, 784, 512],
  [128, 512, 256],
])
  for (const threads of [1, 2]) {
    const r = child('matmul', [threads, m, k, n]);
    mmResults.push({ ...r, shape: `${m}×${k}·${k}×${n}`, threads });
    if (r.error) mmRows.push([`${m}×${k}·${k}×${n}`, threads, 'failed', '', '', '', '', '', r.error.slice(0, 80)]);
    else
      mmRows.push([
        `${m}×${k}·${k}×${n}`,
        threads,
        fmt(r.fresh, 3),
        fmt(r.freshMean, 3),
        fmt(r.pooled, 3),
        fmt(r.kernel, 3),
        fmt(r.fresh / r.kernel),
        fmt(r.freshMean / r.kernel),
        fmt(r.pooled / r.kernel),
      ]);
  }
table(
  [
    'product',
    'threads',
    'fresh ms',
    'fresh mean ms',
    'disposed ms',
    'preallocated ms',
    'fresh/prealloc',
    'mean/prealloc',
    'disposed/prealloc',
  ],
  mmRows,
);

console.log('\n# lecture linear layer: S = W·X; S.backward(G), W 4096², X 4096×64 (three products), median ms');
const linRows = [];
for (const threads of [1, 2]) {
  const ours = child('linear', [threads]);
  const np = hasNumpy ? python(NUMPY_LINEAR, [QUICK ? 5 : 15], threads) : null;
  linRows.push([
    'tapegrad',
    threads,
    ours.error ? 'failed' : fmt(ours.ms, 1),
    np ? fmt(np.ms, 1) : 'not available',
    np && !ours.error ? fmt(ours.ms / np.ms) : '-',
  ]);
}
table(['', 'threads', 'ours ms', 'numpy ms', 'ours/numpy'], linRows);

console.log('\n# W3 training step (784-512-256-10, batch 128, SGD), median ms; RSS growth from step 100 on');
const steps = QUICK ? 300 : 2000;
const trainRows = [];
const train = [];
for (const threads of [1, 2]) {
  const ours = child('train', [threads, steps]);
  const jax = hasJax ? python(JAX_W3_STEP, [QUICK ? 100 : 500], threads, jaxEnv(threads)) : null;
  train.push({ threads, ours, jax });
  trainRows.push([
    threads,
    ours.error ? 'failed' : fmt(ours.ms, 3),
    jax ? fmt(jax.ms, 3) : 'not available',
    jax && !ours.error ? fmt(ours.ms / jax.ms) : '-',
    fmt(ours.growthMB, 1),
    fmt(ours.ownedGrowthMB, 1),
    fmt(ours.peakRssMB, 0),
    ours.error ? ours.error.slice(0, 60) : `${ours.fromPool} from pool, ${ours.fresh} fresh`,
  ]);
}
table(
  [
    'threads',
    'ours ms',
    'JAX jit ms',
    'ours/JAX',
    `RSS growth MB (steps 100–${steps})`,
    'of it heap, buffers, pool',
    'peak RSS MB',
    'allocations',
  ],
  trainRows,
);
console.log(
  '# RSS growth: the highest RSS after step 100 minus RSS at step 100. "of it heap, buffers, pool": the change in\n' +
    "# the JS heap, ArrayBuffers and the native pool over the same steps; the rest is memory the library's objects\n" +
    "# do not hold (the allocator's arenas of V8's compiler and collector threads, JIT code).",
);

// ---- targets --------------------------------------------------------------------------------------
const mark = (ok) => (ok === null ? '-' : ok ? '✓' : '✗');
const targets = [];
for (const r of mmResults)
  targets.push([
    `a.matmul(b) ${r.shape}, ${r.threads} thread${r.threads > 1 ? 's' : ''}: fresh / preallocated`,
    r.error ? 'failed' : `${fmt(r.fresh / r.kernel)}×`,
    '≤ 1.15×',
    mark(r.error ? false : r.fresh / r.kernel <= 1.15),
  ]);
for (const [i, r] of linRows.entries())
  targets.push([
    `linear layer, ${i + 1} thread${i > 0 ? 's' : ''}: ours / numpy`,
    r[4] === '-' ? r[2] : `${r[4]}×`,
    '≤ 1.0×',
    mark(r[4] === '-' ? null : Number(r[4]) <= 1.0),
  ]);
for (const { threads, ours, jax } of train)
  targets.push([
    `W3 step, ${threads} thread${threads > 1 ? 's' : ''}: ours / JAX jit`,
    jax && !ours.error ? `${fmt(ours.ms / jax.ms)}×` : 'JAX not available',
    '≤ 1.1×',
    mark(jax && !ours.error ? ours.ms / jax.ms <= 1.1 : null),
  ]);
if (!train[0].ours.error && !train[1].ours.error) {
  const speedup = train[0].ours.ms / train[1].ours.ms;
  targets.push(['W3 step, 2 threads vs 1: speed-up', `${fmt(speedup)}×`, '≥ 1.5×', mark(speedup >= 1.5)]);
}
for (const { threads, ours } of train)
  targets.push([
    `W3 step, ${threads} thread${threads > 1 ? 's' : ''}: RSS growth, steps 100–${steps}`,
    ours.error ? 'failed' : `${fmt(ours.growthMB, 1)} MB`,
    '≤ 5 MB',
    mark(ours.error ? false : ours.growthMB <= 5),
  ]);
console.log('\n# targets');
table(['measure', 'measured', 'target', ''], targets);
