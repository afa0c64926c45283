// What the storage allocator buys a user's program, measured through the public API with fresh
// outputs (medians over many calls), beside the same work into a preallocated output and beside
// peers measured in the same run:
//   1. a.matmul(b): fresh outputs never disposed, fresh outputs disposed once replaced (the pool),
//      and the kernel into one preallocated output; n = 256 and the W3 MLP's forward shapes.
//   2. the lecture's linear layer S = W·X, S.backward(G) (W 4096², X 4096×64) against numpy's three
//      products (which allocate their outputs too).
//   3. the W3 training step (784-512-256-10, batch 128, SGD) against JAX's jit of the whole step,
//      and RSS growth from step 100 to step 2,000.
// Each configuration runs in its own child process. Usage: npm run bench -- memory [--quick]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, JAX_W3_STEP, jaxEnv, machineLine, medianMs, mlpTrainingStep, python, table } from './util.mjs';

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
  const fresh = timeCalls(() => a.matmul(b), calls, warmOutputs);
  // The mean over a long run charges the collections that fresh outputs cause (the median skips them).
  const runs = calls * 4;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) a.matmul(b);
  const freshMean = (performance.now() - t0) / runs;
  let previous = null;
  const pooled = timeCalls(() => {
    const c = a.matmul(b);
    previous?.dispose();
    previous = c;
  }, calls);
  const out = new Float32Array(m * n);
  const kernel = timeCalls(
    () =>
      gemm(m, n, k, 1, { data: a.data, offset: 0, rs: k, cs: 1 }, { data: b.data, offset: 0, rs: n, cs: 1 }, 0, {
        data: out,
        offset: 0,
        rs: n,
        cs: 1,
      }),
    calls,
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
    rssMax = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i === 99) rss100 = process.memoryUsage.rss();
    if (i >= 99) rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }
  const m = tg.memory();
  return {
    ms: median(times.slice(20)),
    growthMB: (rssMax - rss100) / MB,
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

function child(kind, args) {
  const r = spawnSync(process.execPath, [here, '--worker', kind, ...args.map(String), ...(QUICK ? ['--quick'] : [])], {
    encoding: 'utf8',
  });
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
for (const [m, k, n] of [
  [256, 256, 256],
  [128, 784, 512],
  [128, 512, 256],
])
  for (const threads of [1, 2]) {
    const r = child('matmul', [threads, m, k, n]);
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
for (const threads of [1, 2]) {
  const ours = child('train', [threads, steps]);
  const jax = hasJax ? python(JAX_W3_STEP, [QUICK ? 100 : 500], threads, jaxEnv(threads)) : null;
  trainRows.push([
    threads,
    ours.error ? 'failed' : fmt(ours.ms, 3),
    jax ? fmt(jax.ms, 3) : 'not available',
    jax && !ours.error ? fmt(ours.ms / jax.ms) : '-',
    fmt(ours.growthMB, 1),
    fmt(ours.peakRssMB, 0),
    ours.error ? ours.error.slice(0, 60) : `${ours.fromPool} from pool, ${ours.fresh} fresh`,
  ]);
}
table(
  ['threads', 'ours ms', 'JAX jit ms', 'ours/JAX', `RSS growth MB (steps 100–${steps})`, 'peak RSS MB', 'allocations'],
  trainRows,
);
