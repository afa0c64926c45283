// The package as a dependency sees it: pack the tarball (with a prebuild for this platform), install it
// into a fresh project with no compiler or CMake on PATH and run an example, then install it again
// building the addon from source. Prints how long each install took and the tarball's size.
//   node scripts/package-test.mjs [--summary-file F]   (a step of `npm test`; needs the built addon)
// Dependencies come from npm's cache (`npm ci` filled it) or the registry.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const summaryAt = process.argv.indexOf('--summary-file');
const summaryFile = summaryAt > 0 ? process.argv[summaryAt + 1] : null;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tapegrad-package-'));
// npm's own script: the one running us (npm test), else the one installed beside node.
const npmCli =
  process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
    ? process.env.npm_execpath
    : path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
let passed = 0;
let failed = 0;

function run(cmd, args, opts = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status ?? r.error}):\n${out}`);
  }
  return { stdout: r.stdout, seconds };
}

const npm = (args, opts) => run(process.execPath, [npmCli, ...args], opts);

function check(label, fn) {
  try {
    const detail = fn();
    console.log(`ok    ${label}${detail ? `: ${detail}` : ''}`);
    passed++;
  } catch (err) {
    console.log(`FAIL  ${label}\n${err instanceof Error ? err.message : err}`);
    failed++;
  }
}

/** A PATH with node, npm and a shell but no compiler, CMake or make: what a user without a toolchain has. */
function pathWithoutCompilers() {
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
  for (const tool of ['sh', 'env', 'uname']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

/** A fresh project depending on nothing yet. */
function project(name) {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

// The example a new user runs, from ESM and CJS, and which binary the package loaded.
const example = `
  const tg = require('tapegrad');
  const x = tg.tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  const grad = Array.from(x.grad.data).join(',');
  if (grad !== '2,4,6') throw new Error('wrong gradient ' + grad);
  const a = tg.randn([64, 64]);
  if (a.matmul(a).shape.join('x') !== '64x64') throw new Error('matmul');
  console.log(require('node-gyp-build').path(require('node:path').dirname(require.resolve('tapegrad/package.json'))));
`;
const esmExample = `import * as tg from 'tapegrad'; if (tg.ones([2]).sum().item() !== 2) throw new Error('esm');`;

let tarball = '';
try {
  check('pack the tarball with a prebuild for this platform', () => {
    // The packed files, copied to a staging folder with the built addon as this platform's prebuild.
    const listing = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root }).stdout);
    const stage = path.join(tmp, 'stage');
    for (const { path: file } of listing[0].files) {
      mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
      copyFileSync(path.join(root, file), path.join(stage, file));
    }
    const built = require('node-gyp-build').path(root);
    const libc = process.platform === 'linux' ? '.glibc' : '';
    const prebuildDir = path.join(stage, 'prebuilds', `${process.platform}-${process.arch}`);
    mkdirSync(prebuildDir, { recursive: true });
    copyFileSync(built, path.join(prebuildDir, `tapegrad.napi${libc}.node`));
    // --ignore-scripts: `prepare` would rebuild dist/, which the staging folder already holds.
    const packed = JSON.parse(
      npm(['pack', stage, '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: tmp }).stdout,
    );
    tarball = path.join(tmp, packed[0].filename);
    return `${(statSync(tarball).size / 1024).toFixed(0)} KiB packed, ${packed[0].entryCount} files`;
  });

  check('install without a compiler: the prebuild loads', () => {
    if (!tarball) throw new Error('no tarball (packing failed)');
    const dir = project('with-prebuild');
    const env = { ...process.env, PATH: pathWithoutCompilers() };
    for (const key of ['CC', 'CXX', 'npm_config_build_from_source', 'TAPEGRAD_BUILD_FROM_SOURCE']) delete env[key];
    const { seconds } = npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env });
    const loaded = run(process.execPath, ['-e', example], { cwd: dir, env }).stdout.trim();
    if (!loaded.includes(`${path.sep}prebuilds${path.sep}`)) throw new Error(`loaded ${loaded}, not the prebuild`);
    writeFileSync(path.join(dir, 'example.mjs'), esmExample);
    run(process.execPath, ['example.mjs'], { cwd: dir, env });
    return `installed in ${seconds.toFixed(1)} s`;
  });

  check('install building from source (TAPEGRAD_BUILD_FROM_SOURCE=1)', () => {
    if (!tarball) throw new Error('no tarball (packing failed)');
    const dir = project('from-source');
    const env = { ...process.env, TAPEGRAD_BUILD_FROM_SOURCE: '1' };
    const { seconds } = npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env });
    const loaded = run(process.execPath, ['-e', example], { cwd: dir }).stdout.trim();
    if (!loaded.includes(`${path.sep}build${path.sep}Release${path.sep}`))
      throw new Error(`loaded ${loaded}, not a source build`);
    return `installed and built in ${seconds.toFixed(1)} s`;
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`package: ${passed} passed, ${failed} failed`);
if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed, failed }));
process.exit(failed === 0 ? 0 : 1);
