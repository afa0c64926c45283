// Shared helpers for the benchmarks: timing with medians, and the machine line.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** Runs fn `repeats` times (after `warmup` runs) and returns the median wall time in ms. */
export function medianMs(fn, { repeats = 7, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Medians (ms) of several variants of one measurement, timed in alternating blocks of `block` calls
 * until each has `calls` samples: a burst of load from elsewhere on the machine lands on every variant
 * alike instead of on whichever ran during it, so their ratios hold still from run to run.
 */
export function interleavedMedianMs(fns, { calls = 300, block = 30, warmup = 2 } = {}) {
  for (const fn of fns) for (let i = 0; i < warmup; i++) fn();
  const times = fns.map(() => []);
  while (times[0].length < calls)
    fns.forEach((fn, v) => {
      for (let i = 0; i < block && times[v].length < calls; i++) {
        const t0 = process.hrtime.bigint();
        fn();
        times[v].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    });
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

export function machineLine(extra = '') {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `# ${cpu}, ${os.cpus().length} cores, Node ${process.version}${extra ? `, ${extra}` : ''}`;
}

export function fmt(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

/** Prints rows (arrays of cells) as an aligned table. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const r of all) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
}

/**
 * The W3 model's training step (784-512-256-10 ReLU MLP, batch 128, mean cross-entropy, SGD lr 0.05)
 * built with the given tapegrad module, seeded: returns step(x?, y?), which runs one step on the given
 * batch (default: its own fixed batch, also at step.batch) and returns the loss, detached. Passing the
 * batch as arguments lets tg.compile(step) treat it as the plan's input, as a training loop would.
 */
export function mlpTrainingStep(tg) {
  tg.manualSeed(0);
  const { nn, optim } = tg;
  const model = new nn.Sequential(
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
  const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
  const x = tg.randn([128, 784]);
  const y = tg.tensor(
    Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10),
    { shape: [128] },
  );
  const step = (xb = x, yb = y) => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(xb), yb);
    loss.backward();
    opt.step();
    return loss.detach();
  };
  step.batch = [x, y];
  return step;
}

/**
 * JAX's jit of the whole W3 step (the same model, labels (i·7) mod 10, SGD lr 0.05): prints
 * {"ms": median} over argv[1] steps after 20 warm-up steps. Run it with python() and jaxEnv().
 */
export const JAX_W3_STEP = String.raw`
import json, sys, time
import jax, jax.numpy as jnp
steps = int(sys.argv[1])
key = jax.random.PRNGKey(0)
sizes = [784, 512, 256, 10]
params = []
for i in range(3):
    key, k1 = jax.random.split(key)
    params.append((jax.random.normal(k1, (sizes[i], sizes[i + 1])) / sizes[i] ** 0.5, jnp.zeros(sizes[i + 1])))
x = jax.random.normal(key, (128, 784)); y = jnp.array([(i * 7) % 10 for i in range(128)])
def loss_fn(params):
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < 2: h = jax.nn.relu(h)
    return -jnp.mean(jax.nn.log_softmax(h)[jnp.arange(128), y])
@jax.jit
def step(params):
    l, g = jax.value_and_grad(loss_fn)(params)
    return jax.tree_util.tree_map(lambda p, d: p - 0.05 * d, params, g), l
for _ in range(20): params, l = step(params); l.block_until_ready()
t = []
for _ in range(steps):
    t0 = time.perf_counter_ns(); params, l = step(params); l.block_until_ready(); t.append((time.perf_counter_ns() - t0) / 1e6)
t.sort(); print(json.dumps({'ms': t[len(t) // 2]}))
`;

/** Whether python3 (the first on PATH, e.g. pyenv's) can import the module. */
export function hasPythonModule(name) {
  return spawnSync('python3', ['-c', `import ${name}`], { encoding: 'utf8' }).status === 0;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/**
 * [command, args] to spawn cmd on one core when threads is 1 (taskset, where it exists): one thread means
 * one core for every process timed against another, ours and the peers alike, so that no runtime's
 * helper threads (V8's collector and compiler, a BLAS or XLA pool) use the second one.
 */
export function onCores(threads, cmd, args) {
  return threads === 1 && hasTaskset ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args];
}

/** Runs node with argv (flags, script, arguments) as a process of `threads` cores (onCores); spawnSync's result. */
export function runNode(threads, argv) {
  const [cmd, args] = onCores(threads, process.execPath, argv);
  return spawnSync(cmd, args, { encoding: 'utf8' });
}

/** Runs a python3 script that prints one JSON line last; returns it parsed, or null when it failed. */
export function python(script, args, threads, extraEnv = {}) {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), ...extraEnv };
  // Forced older OpenBLAS kernels run at about half speed; the peer gets its best kernel.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const [cmd, argv] = onCores(threads, 'python3', ['-c', script, ...args.map(String)]);
  const r = spawnSync(cmd, argv, { env, encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return null;
  }
}

/** XLA's CPU client: one intra-op thread (and the process pinned to one core), or its default pool. */
export function jaxEnv(threads) {
  return threads === 1 ? { XLA_FLAGS: '--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1' } : {};
}
