#!/usr/bin/env node
// Long fuzz soak of the public API: the call table of test/fuzz/fuzz_api.ts, run in child processes
// so that a hang or a crash is caught, reported with the call that caused it, and the run goes on.
//
//   node scripts/fuzz-soak.mjs --calls 1000000 --seed 1        calls 0..999999 of seed 1
//   node scripts/fuzz-soak.mjs --calls 200000 --seeds 1,2,3    per seed
//   node scripts/fuzz-soak.mjs --seed 6 --only 1370            replay one call, in this process, verbosely
//   options: --batch N (calls per child, default 25000), --stall MS (a call running longer is a hang,
//   default 30000), --giant (also generate giant shapes and sizes; children run under `ulimit -v`),
//   --dist (load the library from dist/esm, built by `node scripts/build-ts.mjs`, instead of
//   lib/ through the TypeScript loader below), --report FILE (findings as JSON; default in os.tmpdir()).
//
// How hangs and crashes are caught: each child writes the index of the call it is about to run to
// fd 3. A watchdog worker thread inside the child SIGKILLs it when one call runs longer than --stall
// (after writing `FUZZ-HANG {...}` to stderr); any other abnormal exit (signal, fatal V8 error, OOM
// under ulimit) is a crash at the last index written. Either way the parent records the finding,
// replays the call's description, and starts a new child at the next index. The parent also kills
// a child that writes no progress for --stall + 30 s.
//
// The TypeScript loader: lib/ is ES modules whose imports say './x.js' for './x.ts'; the hooks below
// map those to the .ts files and compile each with typescript's transpileModule (no type checking),
// so no build and no shared dist/ is needed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};

const HOOKS = `
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
let ts = null;
export async function initialize(data) { ts = (await import(data.typescript)).default; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier.endsWith('.js') && context.parentURL && context.parentURL.startsWith('file:')) {
      const u = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
      if (fs.existsSync(fileURLToPath(u))) return { url: u.href, shortCircuit: true, format: 'module' };
    }
    throw e;
  }
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true, isolatedModules: true },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
`;

async function loadModules() {
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { typescript: pathToFileURL(path.join(root, 'node_modules', 'typescript', 'lib', 'typescript.js')).href },
  });
  const tg = flag('dist')
    ? await import(pathToFileURL(path.join(root, 'dist', 'esm', 'index.js')).href)
    : await import(pathToFileURL(path.join(root, 'lib', 'index.ts')).href);
  const fz = await import(pathToFileURL(path.join(root, 'test', 'fuzz', 'fuzz_api.ts')).href);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tapegrad-soak-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  fz.setTmpDir(tmp, fs);
  return { tg, fz };
}

// ---- child: run calls [from, to) of one seed ----------------------------------------------------

async function child() {
  const seed = Number(opt('seed'));
  const from = Number(opt('from'));
  const to = Number(opt('to'));
  const { tg, fz } = await loadModules();
  const table = fz.buildTable(tg);
  if (flag('describe')) {
    const { call, spec } = fz.buildCall(tg, table, seed, from, { giant: flag('giant') });
    process.stdout.write(`FUZZ-DESC ${JSON.stringify({ spec: spec.id, desc: call.desc })}\n`);
    return;
  }
  const watchdog = fz.startWatchdog(Worker, Number(opt('stall', 30000)), null);
  let fd3 = null;
  try {
    fd3 = fs.fstatSync(3) && 3;
  } catch {
    fd3 = null;
  }
  const progress = fz.fanOut(watchdog, {
    enter: (_s, index) => {
      if (fd3 !== null) fs.writeSync(fd3, `${index}\n`);
    },
    leave: () => undefined,
  });
  const stats = fz.newStats();
  fz.runCalls(tg, table, seed, from, to, stats, {
    giant: flag('giant'),
    strict: true, // run the known hangs too: this process is watched
    progress,
    onFinding: (f) => process.stdout.write(`FUZZ-FINDING ${JSON.stringify(f)}\n`),
  });
  watchdog.stop();
  stats.findings = [];
  process.stdout.write(`FUZZ-STATS ${JSON.stringify(stats)}\n`);
}

// ---- replay one call ------------------------------------------------------------------------------

async function replay() {
  const seed = Number(opt('seed', 1));
  const index = Number(opt('only'));
  const { tg, fz } = await loadModules();
  const table = fz.buildTable(tg);
  const { spec, call, gen } = fz.buildCall(tg, table, seed, index, { giant: flag('giant') });
  console.log(
    `seed ${seed}, call ${index}: ${spec.id}\n  ${call.desc}\n  facts: ${JSON.stringify({ ...gen.facts, inputs: gen.facts.inputs.length })}, valid: ${!!call.valid}, invalid: ${!!call.invalid}`,
  );
  const res = { spec, call, facts: gen.facts, outcome: 'ok' };
  const ctx = vm.createContext({ __f: () => call.run() });
  try {
    res.value = new vm.Script('__f()').runInContext(ctx, { timeout: Number(opt('stall', 10000)) });
    console.log('  returned:', res.value);
  } catch (e) {
    if (e?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      console.log(`  HANG: still running after ${opt('stall', 10000)} ms`);
      return;
    }
    res.outcome = 'threw';
    res.error = e;
    console.log(`  threw ${e?.constructor?.name}: ${e?.message}`);
    if (flag('stack')) console.log(e?.stack);
  }
  const fs_ = fz.judge(tg, res, seed, index);
  console.log(fs_.length ? fs_.map(fz.formatFinding).join('\n') : '  no finding');
}

// ---- parent -------------------------------------------------------------------------------------

function runChild(seed, from, to) {
  const args = [
    fileURLToPath(import.meta.url),
    '--child',
    '--seed',
    String(seed),
    '--from',
    String(from),
    '--to',
    String(to),
    '--stall',
    opt('stall', '30000'),
  ];
  if (flag('giant')) args.push('--giant');
  if (flag('dist')) args.push('--dist');
  const node = process.execPath;
  const cmd = flag('giant') ? '/bin/sh' : node;
  // Giant shapes may really be allocated (that is the finding); cap the child's address space.
  const cargs = flag('giant')
    ? ['-c', `ulimit -v ${opt('ulimit-kb', '8000000')}; exec "$0" "$@"`, node, ...args]
    : args;
  return new Promise((resolve) => {
    const p = spawn(cmd, cargs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let out = '',
      err = '',
      last = from - 1,
      lastProgress = Date.now();
    const findings = [];
    let stats = null;
    p.stdout.on('data', (d) => {
      out += d;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('FUZZ-FINDING ')) findings.push(JSON.parse(line.slice(13)));
        else if (line.startsWith('FUZZ-STATS ')) stats = JSON.parse(line.slice(11));
        else if (line.trim()) process.stdout.write(`  [child] ${line}\n`);
      }
    });
    p.stderr.on('data', (d) => {
      err += d;
      if (err.length > 200_000) err = err.slice(-100_000);
    });
    let buf3 = '';
    p.stdio[3].on('data', (d) => {
      buf3 += d;
      const nl = buf3.lastIndexOf('\n');
      if (nl >= 0) {
        const prev = buf3.lastIndexOf('\n', nl - 1);
        last = Number(buf3.slice(prev + 1, nl));
        buf3 = buf3.slice(nl + 1);
        lastProgress = Date.now();
      }
    });
    const stallMs = Number(opt('stall', 30000)) + 30000;
    const timer = setInterval(() => {
      if (Date.now() - lastProgress > stallMs) p.kill('SIGKILL');
    }, 1000);
    p.on('close', (code, signal) => {
      clearInterval(timer);
      const hang = /FUZZ-HANG (.*)/.exec(err);
      resolve({ code, signal, stats, findings, last, hang: hang ? JSON.parse(hang[1]) : null, stderr: err });
    });
  });
}

async function describeCall(seed, index) {
  return new Promise((resolve) => {
    const args = [
      fileURLToPath(import.meta.url),
      '--child',
      '--describe',
      '--seed',
      String(seed),
      '--from',
      String(index),
      '--to',
      String(index + 1),
    ];
    if (flag('giant')) args.push('--giant');
    if (flag('dist')) args.push('--dist');
    const p = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => {
      const m = /FUZZ-DESC (.*)/.exec(out);
      resolve(m ? JSON.parse(m[1]) : { spec: '?', desc: '?' });
    });
  });
}

async function parent() {
  const calls = Number(opt('calls', 100000));
  const seeds = (opt('seeds', null) ?? opt('seed', '1')).split(',').map(Number);
  const batch = Number(opt('batch', 25000));
  const report = opt('report', path.join(os.tmpdir(), `tapegrad-fuzz-soak-${seeds.join('-')}.json`));
  const total = { calls: 0, ok: 0, threw: {}, skipped: 0, perSpec: {}, children: 0, hangs: 0, crashes: 0 };
  const findings = [];
  const t0 = Date.now();
  for (const seed of seeds) {
    let i = 0;
    while (i < calls) {
      const to = Math.min(calls, i + batch);
      const r = await runChild(seed, i, to);
      total.children++;
      findings.push(...r.findings);
      if (r.stats) {
        total.calls += r.stats.calls;
        total.ok += r.stats.ok;
        total.skipped += r.stats.skipped;
        for (const [k, v] of Object.entries(r.stats.threw)) total.threw[k] = (total.threw[k] ?? 0) + v;
        for (const [k, v] of Object.entries(r.stats.perSpec)) {
          total.perSpec[k] ??= { calls: 0, ok: 0, threw: 0 };
          const t = total.perSpec[k];
          t.calls += v.calls;
          t.ok += v.ok;
          t.threw += v.threw;
        }
        i = to;
      } else {
        // The child died: a hang (the watchdog killed it) or a crash at the last call it announced.
        const at = r.hang ? r.hang.index : r.last;
        const { spec, desc } = r.hang ? { spec: '?', desc: r.hang.desc } : await describeCall(seed, at);
        const kind = r.hang ? 'hang' : 'crash';
        const tail = r.stderr
          .split('\n')
          .filter((l) => l.trim() && !l.startsWith('FUZZ-HANG'))
          .slice(-6)
          .join(' | ');
        const f = {
          seed,
          index: at,
          spec,
          desc,
          kind,
          detail: r.hang
            ? `no return after ${r.hang.ms} ms (child killed)`
            : `child exited with ${r.signal ?? `code ${r.code}`}: ${tail.slice(0, 600)}`,
        };
        findings.push(...fz0.classify([f], null));
        if (kind === 'hang') total.hangs++;
        else total.crashes++;
        total.calls += Math.max(0, at - i + 1);
        i = at + 1;
      }
      const secs = (Date.now() - t0) / 1000;
      process.stdout.write(`seed ${seed}: ${i}/${calls} calls, ${findings.length} findings, ${secs.toFixed(0)} s\n`);
    }
  }
  const fresh = findings.filter((f) => !f.known);
  const groups = new Map();
  for (const f of findings) {
    const key = `${f.known ? `known:${f.known}` : 'NEW'} ${f.kind} ${f.spec}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  console.log(
    `\nsoak: ${total.calls} calls in ${total.children} child process(es), ${((Date.now() - t0) / 1000).toFixed(0)} s; ${total.ok} returned, throws by class ${JSON.stringify(total.threw)}, ${total.skipped} skipped, ${total.hangs} hang(s), ${total.crashes} crash(es)`,
  );
  console.log(`findings: ${findings.length} (${fresh.length} not in KNOWN_OPEN), in ${groups.size} group(s):`);
  for (const [k, list] of [...groups.entries()].sort())
    console.log(`${k} ×${list.length}\n  e.g. ${fz0.formatFinding(list[0]).replace(/\n/g, '\n  ')}`);
  fs.writeFileSync(report, JSON.stringify({ total, findings }, null, 1));
  console.log(`report: ${report}`);
  process.exit(fresh.length === 0 ? 0 : 1);
}

let fz0 = null;
if (flag('child')) await child();
else if (opt('only', null) !== null) await replay();
else {
  // The parent needs only the pure helpers (classify, formatFinding), not the library.
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { typescript: pathToFileURL(path.join(root, 'node_modules', 'typescript', 'lib', 'typescript.js')).href },
  });
  fz0 = await import(pathToFileURL(path.join(root, 'test', 'fuzz', 'fuzz_api.ts')).href);
  await parent();
}
