// One training step of a 784 → 512 → 256 → 10 ReLU MLP (forward, mean softmax cross-entropy,
// backward, SGD lr 0.05), batch 128, float32, fixed-seed random data: median ms per step, peak RSS
// and RSS growth over the steps, for tapegrad at 1 and 2 threads and, in the same run, whatever peers
// are installed: PyTorch (Debian's python3-torch, in a python3 child), tfjs with its CPU backend and
// tfjs with its WASM backend (devDependencies). Each configuration runs in a fresh child process so
// its peak RSS is its own. Usage: npm run bench -- train   (or node bench/train.mjs [--steps N]).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { fmt, machineLine, onCores, runNode, table } from './util.mjs';

const here = fileURLToPath(import.meta.url);
const BATCH = 128,
  SIZES = [784, 512, 256, 10],
  LR = 0.05,
  WARMUP = 5;
const argSteps = process.argv.indexOf('--steps');
const STEPS = argSteps > 0 ? Number(process.argv[argSteps + 1]) : 60;
const MB = 1024 * 1024;

/** mulberry32, for the labels (and tfjs's data), so every framework sees the same kind of batch. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const labels = () => {
  const r = rng(7);
  return Int32Array.from({ length: BATCH }, () => Math.floor(r() * SIZES[3]));
};

/** Times `step` (which returns the loss as a number or a thunk of it) and reports memory. */
function measure(step, extra = {}) {
  const first = step();
  for (let i = 1; i < WARMUP; i++) step();
  globalThis.gc?.();
  const rss0 = process.memoryUsage.rss();
  let rssMax = rss0;
  const times = [];
  let last = 0;
  for (let i = 0; i < STEPS; i++) {
    const t0 = process.hrtime.bigint();
    last = step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }
  times.sort((a, b) => a - b);
  const rss1 = process.memoryUsage.rss();
  // Garbage not yet collected counts in the growth above; what survives a full GC is retained.
  globalThis.gc?.();
  const rss2 = process.memoryUsage.rss();
  return {
    ms: times[times.length >> 1],
    firstLoss: typeof first === 'function' ? first() : first,
    lastLoss: typeof last === 'function' ? last() : last,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
    growthMB: (Math.max(rss1, rssMax) - rss0) / MB,
    retainedMB: (rss2 - rss0) / MB,
    ...extra,
  };
}

// ---- workers (one per child process) ----------------------------------------------------------
async function tapegradWorker(threads) {
  const tg = await import('../dist/esm/index.js');
  tg.setNumThreads(threads);
  tg.manualSeed(0);
  const { nn, optim } = tg;
  const layers = [];
  for (let i = 0; i + 1 < SIZES.length; i++) {
    layers.push(new nn.Linear(SIZES[i], SIZES[i + 1]));
    if (i + 2 < SIZES.length) layers.push(new nn.ReLU());
  }
  const model = new nn.Sequential(...layers);
  const opt = new optim.SGD(model.parameters(), { lr: LR });
  const x = tg.randn([BATCH, SIZES[0]]);
  const y = tg.tensor(labels(), { shape: [BATCH] });
  const step = () => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return () => loss.item();
  };
  return measure(step, { info: `${tg.backendInfo().isa}, ${tg.getNumThreads()} thread${threads > 1 ? 's' : ''}` });
}

async function tfjsWorker(backend) {
  const tf = await import('@tensorflow/tfjs');
  let info = backend;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm files ship inside the package: point the loader at them (no network fetch).
    const dist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dist + path.sep);
    await tf.setBackend('wasm');
    await tf.ready();
    // tfjs reports no multithread support under Node, so this is one thread (with SIMD when available).
    const n = wasm.getThreadsCount?.() ?? 1;
    info = `wasm${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}, ${n} thread${n > 1 ? 's' : ''}`;
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
    info = 'cpu backend, 1 thread';
  }
  const r = rng(1);
  const normal = (n, std) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = std * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    return a;
  };
  const params = [];
  for (let i = 0; i + 1 < SIZES.length; i++) {
    const [fin, fout] = [SIZES[i], SIZES[i + 1]];
    params.push(
      tf.variable(tf.tensor2d(normal(fin * fout, 1 / Math.sqrt(fin)), [fin, fout])),
      tf.variable(tf.zeros([fout])),
    );
  }
  const x = tf.tensor2d(normal(BATCH * SIZES[0], 1), [BATCH, SIZES[0]]);
  const onehot = tf.oneHot(tf.tensor1d(labels(), 'int32'), SIZES[3]);
  const opt = tf.train.sgd(LR);
  const step = () => {
    const cost = opt.minimize(
      () => {
        let h = x;
        for (let i = 0; i < params.length; i += 2) {
          h = tf.add(tf.matMul(h, params[i]), params[i + 1]);
          if (i + 2 < params.length) h = tf.relu(h);
        }
        return tf.losses.softmaxCrossEntropy(onehot, h);
      },
      true,
      params,
    );
    const v = cost.dataSync()[0];
    cost.dispose();
    return v;
  };
  const res = measure(step, { info });
  res.info += `, ${tf.memory().numTensors} live tensors`;
  return res;
}

const TORCH_SCRIPT = String.raw`
import ctypes, gc, json, os, resource, sys, time
import torch
threads, steps, warmup = map(int, sys.argv[1:4])
torch.set_num_threads(threads)
torch.manual_seed(0)
sizes = [784, 512, 256, 10]
layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i + 2 < len(sizes):
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
x = torch.randn(128, 784)
y = torch.tensor(json.loads(sys.stdin.read()), dtype=torch.long)
lossf = torch.nn.CrossEntropyLoss()
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
def step():
    opt.zero_grad(set_to_none=True)
    loss = lossf(model(x), y)
    loss.backward()
    opt.step()
    return loss
first = step().item()
for _ in range(warmup - 1):
    step()
rss0 = rss(); rss_max = rss0; times = []
for _ in range(steps):
    t0 = time.perf_counter_ns()
    loss = step()
    times.append((time.perf_counter_ns() - t0) / 1e6)
    rss_max = max(rss_max, rss())
times.sort()
growth = (max(rss(), rss_max) - rss0) / 2**20
gc.collect()
blas = ''
for line in open('/proc/self/maps'):
    if 'openblas' in line or 'libblas' in line:
        path = line.split()[-1]
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            blas = 'OpenBLAS ' + lib.openblas_get_corename().decode()
        except Exception:
            blas = 'BLAS %s (not OpenBLAS: slow reference BLAS?)' % path
        break
print(json.dumps({
    'ms': times[len(times) // 2], 'firstLoss': first, 'lastLoss': loss.item(),
    'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    'growthMB': growth, 'retainedMB': (rss() - rss0) / 2**20,
    'info': 'torch %s, %d thread%s%s' % (torch.__version__, torch.get_num_threads(), 's' if torch.get_num_threads() > 1 else '', ', ' + blas if blas else ''),
}))
`;

// ---- the driver -------------------------------------------------------------------------------
/** Runs a worker; a thread count of 1 (ours, or tfjs's one-threaded backends) pins it to one core (util's runNode). */
function child(kind, arg, threads = kind === 'tapegrad' ? arg : 1) {
  const r = runNode(threads, ['--expose-gc', here, '--worker', kind, String(arg), '--steps', String(STEPS)]);
  const line = r.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' / ') };
  }
}

function findTorchPython() {
  // Debian's python3-torch lives in /usr/lib/python3/dist-packages, seen by /usr/bin/python3 (a
  // python3 earlier on PATH, such as pyenv's, may not see it).
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

function torchRun(py, threads) {
  // Where they are set, OpenBLAS reads these to force an older, slower kernel; unset them for PyTorch
  // alone so it runs its best kernel (docs/NATIVE.md).
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  // Both of PyTorch's pools (OpenMP and OpenBLAS's own) get the thread count, so "1 thread" means
  // one; otherwise OpenBLAS alone starts one thread per core.
  const [cmd, argv] = onCores(threads, py, ['-c', TORCH_SCRIPT, String(threads), String(STEPS), String(WARMUP)]);
  const r = spawnSync(cmd, argv, {
    env,
    input: JSON.stringify(Array.from(labels())),
    encoding: 'utf8',
  });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-2).join(' / ') };
  }
}

if (process.argv[2] === '--worker') {
  const [kind, arg] = [process.argv[3], process.argv[4]];
  const res = kind === 'tapegrad' ? await tapegradWorker(Number(arg)) : await tfjsWorker(arg);
  console.log(JSON.stringify(res));
  process.exit(0);
}

console.log(machineLine());
console.log(
  `# MLP ${SIZES.join(' → ')} (ReLU), batch ${BATCH}, float32, mean softmax cross-entropy, SGD lr ${LR}; ` +
    `median of ${STEPS} steps after ${WARMUP} warm-up steps, each configuration in its own process`,
);
// Ours and PyTorch back to back per thread count, so drift in the machine's load hits both alike.
const py = findTorchPython();
const ours = {};
const peers = [];
for (const threads of [1, 2]) {
  ours[threads] = child('tapegrad', threads);
  peers.push({
    name: 'PyTorch',
    threads,
    res: py
      ? torchRun(py, threads)
      : { missing: 'not available (no python3 with torch; apt-get install python3-torch)' },
  });
}
let tfInstalled = true;
try {
  createRequire(import.meta.url).resolve('@tensorflow/tfjs');
} catch {
  tfInstalled = false;
}
let wasmInstalled = true;
try {
  createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
} catch {
  wasmInstalled = false;
}
peers.push({
  name: 'tfjs (wasm)',
  threads: 1,
  res: tfInstalled && wasmInstalled ? child('tfjs', 'wasm') : { missing: 'not installed' },
});
peers.push({ name: 'tfjs (cpu)', threads: 1, res: tfInstalled ? child('tfjs', 'cpu') : { missing: 'not installed' } });

const row = (name, threads, r, ratio) =>
  r.error || r.missing
    ? [name, threads, r.missing ?? 'failed', '-', '-', '-', '-', '-', r.error ? r.error.slice(0, 100) : '']
    : [
        name,
        threads,
        fmt(r.ms, 3),
        ratio,
        fmt(r.peakRssMB, 0),
        fmt(r.growthMB, 1),
        fmt(r.retainedMB, 1),
        `${fmt(r.firstLoss, 3)} → ${fmt(r.lastLoss, 3)}`,
        r.info ?? '',
      ];
const rows = [];
for (const t of [1, 2]) rows.push(row('tapegrad', t, ours[t], '-'));
for (const p of peers) {
  const o = ours[p.threads];
  const ratio = !o.error && !p.res.error && !p.res.missing ? fmt(o.ms / p.res.ms) : '-';
  rows.push(row(p.name, p.threads, p.res, ratio));
}
console.log();
table(
  [
    'framework',
    'threads',
    'ms/step',
    'ours/peer',
    'peak RSS MB',
    'RSS growth MB',
    'after GC MB',
    'loss first → last',
    'details',
  ],
  rows,
);
console.log(
  '  (RSS growth: highest RSS during the timed steps minus RSS after warm-up; after GC: what a full collection leaves)',
);

// Issue 4's targets: ≤ 0.7 × PyTorch's step time, and memory growth no larger than PyTorch's.
const torchRows = peers.filter((p) => p.name === 'PyTorch' && !p.res.error && !p.res.missing);
if (torchRows.length === 0) console.log('\n  target (≤ 0.7 × PyTorch): PyTorch not available in this run');
for (const p of torchRows) {
  const o = ours[p.threads];
  if (o.error) continue;
  const ratio = o.ms / p.res.ms;
  console.log(
    `\n  ${p.threads} thread${p.threads > 1 ? 's' : ''}: tapegrad ${fmt(o.ms, 3)} ms vs PyTorch ${fmt(p.res.ms, 3)} ms = ${fmt(ratio)} × ` +
      `(target ≤ 0.70: ${ratio <= 0.7 ? 'met' : 'missed'}); RSS growth ${fmt(o.growthMB, 1)} MB vs ${fmt(p.res.growthMB, 1)} MB ` +
      `(${o.growthMB <= p.res.growthMB ? 'met' : 'missed'})`,
  );
}
// PyTorch's 2-thread step can collapse when its OpenMP pool spins on a busy 2-core machine, so
// also compare the best configuration of each.
const best = (list) =>
  list.filter((e) => e.res && !e.res.error && !e.res.missing).sort((a, b) => a.res.ms - b.res.ms)[0];
const oursBest = best([1, 2].map((t) => ({ threads: t, res: ours[t] })));
const torchBest = best(torchRows);
if (oursBest && torchBest) {
  const ratio = oursBest.res.ms / torchBest.res.ms;
  console.log(
    `\n  best of each: tapegrad ${fmt(oursBest.res.ms, 3)} ms (${oursBest.threads} thread${oursBest.threads > 1 ? 's' : ''}) vs PyTorch ` +
      `${fmt(torchBest.res.ms, 3)} ms (${torchBest.threads} thread${torchBest.threads > 1 ? 's' : ''}) = ${fmt(ratio)} × (target ≤ 0.70: ${ratio <= 0.7 ? 'met' : 'missed'})`,
  );
}
if (ours[1].error || ours[2].error) {
  console.error(`\ntapegrad failed: ${ours[1].error ?? ours[2].error}`);
  process.exitCode = 1;
}
