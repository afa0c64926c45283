// GEMM benchmark: tapegrad's native GEMM against OpenBLAS (through numpy, in a python3 child process)
// and a plain-JavaScript i-k-j loop, all measured in this run. Run: node bench/matmul.mjs
// (needs `node scripts/build-ts.mjs` and `npm run build:native` first).
//   --quick        fewer sizes and repeats (a smoke test)
//   --sizes 64,256  --threads 1  --dtypes f32  --samples 9  --no-linear   (subsets, for reruns)
// Prints GFLOP/s for square n ∈ {64 … 2048}, float32 and float64, 1 and 2 threads, and the linear
// layer (W 4096×4096 · X 4096×64: forward S = W·X plus dW = dS·Xᵀ and dX = Wᵀ·dS) in ms. Each figure
// is the median of several timed samples after a warm-up call; ratio = ours / OpenBLAS (GFLOP/s, or
// OpenBLAS time / ours for the linear layer, so > 1 means faster in both).
import { spawn } from 'node:child_process';
import os from 'node:os';
import { native } from '../dist/cjs/native.js';

const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const list = (name, fallback) => (opt(name) ? opt(name).split(',') : fallback);
const quick = argv.includes('--quick');
const SIZES = list('--sizes', quick ? [64, 256, 1024] : [64, 128, 256, 512, 1024, 2048]).map(Number);
const SAMPLES = Number(opt('--samples') ?? (quick ? 3 : 7));
const JS_MAX_N = 256;
const THREADS = list('--threads', [1, 2]).map(Number);
const DTYPES = list('--dtypes', ['f32', 'f64']);
const PAUSE_MS = Number(opt('--pause') ?? 500);
const LINEAR = !argv.includes('--no-linear');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Calls per timed sample: about 40 ms of work at ~150 GFLOP/s, at least one.
const repsFor = (flops) => Math.max(1, Math.round(6e9 / flops));

// ---- OpenBLAS through numpy: one persistent python3 child per thread count -----------------------
const PY = String.raw`
import sys, json, time
try:
    import numpy as np
except Exception as e:
    print(json.dumps({"error": "numpy not importable: %s" % e}), flush=True); sys.exit(0)
info = {"numpy": np.__version__}
try:
    import ctypes
    libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'openblas' in l.lower() and l.split()[-1].startswith('/')})
    for path in libs:
        lib = ctypes.CDLL(path)
        for pre in ('scipy_openblas_', 'openblas_'):
            for suf in ('64_', ''):
                f = getattr(lib, pre + 'get_corename' + suf, None)
                g = getattr(lib, pre + 'get_config' + suf, None)
                if f is not None and 'core' not in info:
                    f.restype = ctypes.c_char_p; info['core'] = f().decode()
                if g is not None and 'config' not in info:
                    g.restype = ctypes.c_char_p; info['config'] = g().decode()
except Exception as e:
    info['core_error'] = str(e)
if 'core' not in info:
    try:
        import threadpoolctl
        for d in threadpoolctl.threadpool_info():
            if d.get('internal_api') == 'openblas':
                info['core'] = d.get('architecture'); info['config'] = d.get('version')
    except Exception:
        pass
if 'config' not in info:
    try:
        cfg = np.__config__.CONFIG['Build Dependencies']['blas']
        info['config'] = '%s %s' % (cfg.get('name'), cfg.get('version'))
    except Exception:
        info['config'] = 'unknown (see numpy.show_config())'
print(json.dumps(info), flush=True)
rng = np.random.default_rng(0)
cache = {}
def mats(req):
    key = (req['kind'], req['dtype'], req.get('n'))
    if key in cache:
        return cache[key]
    cache.clear()
    dt = np.float32 if req['dtype'] == 'f32' else np.float64
    if req['kind'] == 'square':
        n = req['n']
        a = rng.random((n, n), dtype=dt) - 0.5; b = rng.random((n, n), dtype=dt) - 0.5; c = np.empty((n, n), dt)
        f = lambda: np.matmul(a, b, out=c)
    else:
        W = rng.random((4096, 4096), dtype=dt) - 0.5; X = rng.random((4096, 64), dtype=dt) - 0.5
        dS = rng.random((4096, 64), dtype=dt) - 0.5
        S = np.empty((4096, 64), dt); dW = np.empty((4096, 4096), dt); dX = np.empty((4096, 64), dt)
        f = lambda: (np.matmul(W, X, out=S), np.matmul(dS, X.T, out=dW), np.matmul(W.T, dS, out=dX))
    f()  # warm-up
    cache[key] = f
    return f
for line in sys.stdin:
    req = json.loads(line)
    f = mats(req)
    times = []
    for _ in range(req['samples']):
        t = time.perf_counter()
        for _ in range(req['reps']):
            f()
        times.append((time.perf_counter() - t) / req['reps'])
    print(json.dumps(times), flush=True)
`;

function startPython(threads) {
  return new Promise((resolve) => {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
    // Only for this child: where they are set, these force OpenBLAS's older, slower kernel (docs/NATIVE.md).
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    let child;
    try {
      child = spawn('python3', ['-c', PY], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ error: `python3 not available (${e.message})` });
      return;
    }
    let buf = '';
    let stderr = '';
    const waiters = [];
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = waiters.shift();
        if (w) w(JSON.parse(line));
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    const fail = (why) => {
      while (waiters.length) waiters.shift()(null);
      resolve({ error: why });
    };
    child.on('error', (e) => fail(`python3 not available (${e.code ?? e.message})`));
    child.on('exit', (code) => fail(`python3 exited (${code}) ${stderr.trim().split('\n').pop() ?? ''}`));
    const ask = (req) =>
      new Promise((res) => {
        waiters.push(res);
        child.stdin.write(`${JSON.stringify(req)}\n`);
      });
    waiters.push((info) => {
      if (info === null || info.error) {
        child.kill();
        resolve({ error: info?.error ?? `python3 not available ${stderr.trim().split('\n').pop() ?? ''}` });
        return;
      }
      resolve({ info, ask, close: () => child.stdin.end() });
    });
  });
}

// ---- ours and the JS loop -------------------------------------------------------------------------
function rand(Arr, len) {
  const x = new Arr(len);
  for (let i = 0; i < len; i++) x[i] = Math.random() - 0.5;
  return x;
}

// One timed sample: reps calls, seconds per call.
function sample(fn, reps) {
  const t = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) fn();
  return Number(process.hrtime.bigint() - t) / 1e9 / reps;
}

function timeSamples(fn, reps, samples) {
  fn(); // warm-up: packing buffers, page faults, thread start
  const times = [];
  for (let s = 0; s < samples; s++) times.push(sample(fn, reps));
  return times;
}

// Per row: all of our samples, then all of OpenBLAS's, then a pause. Not interleaved sample by
// sample: after each call OpenBLAS's worker threads keep spinning (sched_yield) for up to ~0.1 s, and
// on 2 cores that halves our second thread for whatever runs next (ours sleep, so the reverse does
// not happen). The pause lets them go back to sleep before the next row.
async function measureRow(ours, reps, py, req, threads) {
  ours(); // warm-up: packing buffers, page faults, thread start
  const mine = [];
  for (let s = 0; s < SAMPLES; s++) mine.push(sample(ours, reps));
  let theirs = [];
  if (py && !py.error) {
    theirs = (await py.ask({ ...req, reps, samples: SAMPLES })) ?? [];
    await sleep(threads > 1 ? PAUSE_MS : 20);
  }
  return { mine, theirs };
}

function squareOurs(Arr, n) {
  const a = rand(Arr, n * n),
    b = rand(Arr, n * n),
    c = new Arr(n * n);
  return () => native.gemm(a, 0, n, 1, b, 0, n, 1, c, 0, n, 1, n, n, n, 1, 0);
}

function squareJs(Arr, n, reps) {
  const a = rand(Arr, n * n),
    b = rand(Arr, n * n),
    c = new Arr(n * n);
  const ikj = () => {
    c.fill(0);
    for (let i = 0; i < n; i++) {
      const ci = i * n;
      for (let p = 0; p < n; p++) {
        const aip = a[i * n + p];
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  };
  return timeSamples(ikj, reps, Math.min(SAMPLES, 5));
}

function linearOurs(Arr) {
  const W = rand(Arr, 4096 * 4096),
    X = rand(Arr, 4096 * 64),
    dS = rand(Arr, 4096 * 64);
  const S = new Arr(4096 * 64),
    dW = new Arr(4096 * 4096),
    dX = new Arr(4096 * 64);
  return () => {
    native.gemm(W, 0, 4096, 1, X, 0, 64, 1, S, 0, 64, 1, 4096, 64, 4096, 1, 0); // S = W·X
    native.gemm(dS, 0, 64, 1, X, 0, 1, 64, dW, 0, 4096, 1, 4096, 4096, 64, 1, 0); // dW = dS·Xᵀ
    native.gemm(W, 0, 1, 4096, dS, 0, 64, 1, dX, 0, 64, 1, 4096, 64, 4096, 1, 0); // dX = Wᵀ·dS
  };
}

// ---- run -----------------------------------------------------------------------------------------
const fmt = (x, w, d = 1) => (typeof x === 'number' ? x.toFixed(d) : x).padStart(w);
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`tapegrad GEMM benchmark — ${cpu}, ${os.cpus().length} logical CPUs, Node ${process.version}`);
console.log(
  `tapegrad kernels: ${native.isa()} (hardware ${native.hardwareIsa()}), default threads ${native.getNumThreads()}`,
);

const pythons = {};
for (const t of THREADS) pythons[t] = await startPython(t);
const p1 = pythons[THREADS[0]];
if (p1.error) console.log(`OpenBLAS: not available — ${p1.error}`);
else
  console.log(
    `OpenBLAS: numpy ${p1.info.numpy}, ${p1.info.config}; kernel/coretype in use: ${p1.info.core ?? 'unknown'}` +
      ' (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for that child only; OPENBLAS_NUM_THREADS = threads)',
  );
console.log(
  `medians of ${SAMPLES} samples per row (ours, then OpenBLAS, then a ${PAUSE_MS} ms pause on 2 threads); JS = plain i-k-j loop (single-threaded, n <= ${JS_MAX_N} only)\n`,
);

const defaultThreads = native.getNumThreads();
const jsCache = new Map();
console.log('dtype    threads      n   ours GFLOP/s   OpenBLAS GFLOP/s   JS GFLOP/s   ours/OpenBLAS');
for (const dtype of DTYPES) {
  const Arr = dtype === 'f32' ? Float32Array : Float64Array;
  for (const threads of THREADS) {
    native.setNumThreads(threads);
    for (const n of SIZES) {
      const flops = 2 * n * n * n;
      const reps = repsFor(flops);
      const { mine, theirs } = await measureRow(
        squareOurs(Arr, n),
        reps,
        pythons[threads],
        { kind: 'square', dtype, n },
        threads,
      );
      const ours = flops / median(mine) / 1e9;
      const blas = theirs.length ? flops / median(theirs) / 1e9 : 'not available';
      let js = 'skipped';
      if (n <= JS_MAX_N) {
        const key = `${dtype}${n}`;
        if (!jsCache.has(key))
          jsCache.set(key, flops / median(squareJs(Arr, n, Math.max(1, Math.round(reps / 60)))) / 1e9);
        js = jsCache.get(key);
      }
      const ratio = typeof blas === 'number' ? (ours / blas).toFixed(2) : '-';
      console.log(
        `${dtype.padEnd(8)} ${String(threads).padStart(7)} ${String(n).padStart(6)} ${fmt(ours, 14)} ${fmt(blas, 18)} ${fmt(js, 12, 2)} ${ratio.padStart(15)}`,
      );
    }
  }
}

if (LINEAR) {
  console.log('\nlinear layer, float32: S = W·X (W 4096×4096, X 4096×64), dW = dS·Xᵀ, dX = Wᵀ·dS — total ms');
  console.log('threads   ours ms   OpenBLAS ms   JS ms     OpenBLAS/ours (time ratio ours/OpenBLAS)');
  for (const threads of THREADS) {
    native.setNumThreads(threads);
    const { mine, theirs } = await measureRow(
      linearOurs(Float32Array),
      1,
      pythons[threads],
      { kind: 'linear', dtype: 'f32' },
      threads,
    );
    const ours = median(mine) * 1e3;
    const blas = theirs.length ? median(theirs) * 1e3 : 'not available';
    const ratio = typeof blas === 'number' ? `${(blas / ours).toFixed(2)} (${(ours / blas).toFixed(2)})` : '-';
    console.log(
      `${String(threads).padStart(7)} ${fmt(ours, 9)} ${fmt(blas, 13)} ${'skipped'.padStart(8)}     ${ratio}`,
    );
  }
}
native.setNumThreads(defaultThreads);
for (const t of THREADS) if (!pythons[t].error) pythons[t].close();
