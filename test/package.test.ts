// The built package: `import * as tg from 'tapegrad'` and `require('tapegrad')` both work on Node 20
// (dist/esm and dist/cjs, built by `npm ci` through the prepare script and again by `npm test`), are
// one library (dist/esm re-exports dist/cjs), type-check in strict TypeScript, and pack without tests.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built =
  existsSync(path.join(root, 'dist', 'esm', 'index.js')) && existsSync(path.join(root, 'dist', 'cjs', 'index.js'));
const program = `const x = tg.tensor(2, { dtype: 'float64', requiresGrad: true });
const y = tg.tensor(3, { dtype: 'float64', requiresGrad: true });
const f = x.mul(y).add(x.sin()); f.backward();
console.log(JSON.stringify([f.item(), x.grad.item(), y.grad.item(), typeof tg.autograd.Function]));`;
const expected = [6.909297426825682, 2.5838531634528574, 2, 'function'];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'tapegrad-package-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A consumer project in the scratch folder whose node_modules/tapegrad is `pkg`; returns its folder. */
function consumer(name: string, files: Record<string, string>, pkg = root): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(pkg, path.join(dir, 'node_modules', 'tapegrad'), 'dir');
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

function runNode(dir: string, file: string): unknown {
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' }));
}

describe.skipIf(!built)('the built package (self-referenced by name)', () => {
  it('ES module import', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import * as tg from 'tapegrad';\n${program}`],
      { cwd: root, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual(expected);
  });

  it('CommonJS require', () => {
    const out = execFileSync(process.execPath, ['-e', `const tg = require('tapegrad');\n${program}`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(expected);
  });
});

// What the two entry points must share, run with `esm` (import) and `cjs` (require) in scope.
const mixedChecks = `
const out = {};
out.sameExports = JSON.stringify(Object.keys(esm).sort()) === JSON.stringify(Object.keys(cjs).sort())
  && Object.keys(esm).every((k) => esm[k] === cjs[k]);
const a = esm.tensor([1, 2, 3], { requiresGrad: true });
cjs.add(a, cjs.tensor([1, 1, 1])).mul(a).sum().backward(); // esm's tensor through cjs's ops
out.grad = Array.from(a.grad.data);
out.recordsUnderOtherNoGrad = esm.noGrad(() => cjs.mul(a, 2).gradFn !== null);
out.otherSeesNoGrad = cjs.noGrad(() => esm.isGradEnabled());
esm.manualSeed(7);
const r1 = Array.from(cjs.randn([4]).data);
cjs.manualSeed(7);
const r2 = Array.from(esm.randn([4]).data);
out.seededByOther = r1.length === 4 && r1.every((v, i) => v === r2[i]);
esm.setNumThreads(1);
out.threadsAfterEsmSet = cjs.getNumThreads();
cjs.setNumThreads(2);
out.threadsAfterCjsSet = esm.getNumThreads();
console.log(JSON.stringify(out));`;
const mixedExpected = {
  sameExports: true,
  grad: [3, 5, 7], // d/da sum((a + 1)·a) = 2a + 1
  recordsUnderOtherNoGrad: false,
  otherSeesNoGrad: false,
  seededByOther: true,
  threadsAfterEsmSet: 1,
  threadsAfterCjsSet: 2,
};

describe.skipIf(!built)('import and require in one process are one library', () => {
  it('an ES module that also requires tapegrad', () => {
    const dir = consumer('mixed-esm', {
      'main.mjs': `import * as esm from 'tapegrad';\nimport { createRequire } from 'node:module';\nconst cjs = createRequire(import.meta.url)('tapegrad');\n${mixedChecks}`,
    });
    expect(runNode(dir, 'main.mjs')).toEqual(mixedExpected);
  });

  it('a CommonJS module that also imports tapegrad', () => {
    const dir = consumer('mixed-cjs', {
      'main.cjs': `const cjs = require('tapegrad');\nimport('tapegrad').then((esm) => {\n${mixedChecks}\n});`,
    });
    expect(runNode(dir, 'main.cjs')).toEqual(mixedExpected);
  });

  it('types resolve for ES module and CommonJS consumers in strict TypeScript', () => {
    const dir = consumer('types', {
      'package.json': '{ "type": "module" }\n',
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [path.join(root, 'node_modules', '@types')],
        },
      }),
      'esm.mts': `import * as tg from 'tapegrad';
import { type Tensor, noGrad } from 'tapegrad';
const x: Tensor = tg.tensor([1, 2], { requiresGrad: true });
const y: number = noGrad(() => x.mul(2).sum().item());
const v: Tensor = tg.var(x);
void [y, v];
// @ts-expect-error tapegrad has no such export
tg.notAnExport();
`,
      'cjs.cts': `import tg = require('tapegrad');
const x: tg.Tensor = tg.tensor([1, 2], { requiresGrad: true });
const y: number = tg.noGrad(() => x.mul(2).sum().item());
void y;
// @ts-expect-error tapegrad has no such export
tg.notAnExport();
`,
    });
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // Throws, with tsc's messages, unless both files check.
    execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  });
});

/** A second copy of the built package at `name` in the scratch folder, as package.json `version`. */
function secondCopy(name: string, version: string): string {
  const dir = path.join(scratch, name);
  cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
  copyFileSync(
    path.join(root, 'build', 'Release', 'tapegrad.node'),
    path.join(dir, 'build', 'Release', 'tapegrad.node'),
  );
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...manifest, version }));
  return dir;
}

describe.skipIf(!built)('a tensor of another installed copy of tapegrad', () => {
  it('is adopted, without copying, by a copy with the same major version; refused by another major', () => {
    const ownVersion = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    const compatible = secondCopy(
      'copy-compatible',
      ownVersion.replace(/\d+$/, (p) => String(Number(p) + 7)),
    );
    const incompatible = secondCopy('copy-incompatible', `${Number(ownVersion.split('.')[0]) + 1}.0.0`);
    const dir = consumer('two-copies', {
      'main.cjs': `const own = require('tapegrad');
const other = require(${JSON.stringify(path.join(compatible, 'dist', 'cjs', 'index.js'))});
const newer = require(${JSON.stringify(path.join(incompatible, 'dist', 'cjs', 'index.js'))});
const message = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name + ': ' + e.message; } };
const out = {};
out.distinctClasses = own.Tensor !== other.Tensor;
const a = own.tensor([1, 2, 3]);
out.sum = Array.from(other.add(a, other.tensor([10, 20, 30])).data); // own's tensor in other's op
out.product = Array.from(own.matmul(other.tensor([[1, 2]]), own.tensor([[3], [4]])).data);
const view = other.reshape(a, [3, 1]);
out.sharesStorage = view.data === a.data;
other.Tensor.prototype.mul_.call(a, 2); // the other copy's in-place op writes own's storage
out.afterInPlace = Array.from(a.data);
const w = other.tensor([1, 2], { requiresGrad: true });
out.requiresGrad = message(() => own.mul(w, 2));
out.requiresGradUnderNoGrad = own.noGrad(() => Array.from(own.mul(w, 2).data));
out.incompatible = message(() => own.add(newer.tensor([1]), 1));
console.log(JSON.stringify(out));`,
    });
    const out = runNode(dir, 'main.cjs') as Record<string, unknown>;
    expect(out).toMatchObject({
      distinctClasses: true,
      sum: [11, 22, 33],
      product: [11],
      sharesStorage: true,
      afterInPlace: [2, 4, 6],
      requiresGradUnderNoGrad: [2, 4],
    });
    expect(out.requiresGrad).toMatch(/^TypeError: mul: argument 'a' is a tensor of tapegrad .*requires grad/);
    const refused = out.incompatible as string;
    expect(refused).toMatch(/^TypeError: add: argument 'a' is a tensor of tapegrad /);
    for (const part of [ownVersion, root, `${Number(ownVersion.split('.')[0]) + 1}.0.0`, incompatible])
      expect(refused).toContain(part);
  });
});

it('npm pack ships the builds, the sources for a source build and the license; no tests, build folders or fixtures', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [report] = JSON.parse(
    execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
  ) as [{ files: { path: string }[] }];
  const files = report.files.map((f) => f.path);
  for (const needed of [
    'LICENSE',
    'package.json',
    'CMakeLists.txt',
    'binding/install.cjs',
    'binding/addon.cc',
    'native/src/threads.cc',
    'dist/esm/index.js',
    'dist/esm/index.d.ts',
    'dist/cjs/index.js',
    'dist/cjs/index.d.ts',
  ])
    expect(files).toContain(needed);
  const unwanted = files.filter((f) => /^(test|build|bench|demo|native\/test|node_modules)\/|fixtures?\//.test(f));
  expect(unwanted).toEqual([]);
});

it('the package build exists after npm ci / npm test', () => {
  expect(built).toBe(true);
});
