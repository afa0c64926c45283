// Compiles lib/ twice: an ES module build (dist/esm) and a CommonJS build (dist/cjs), both with
// type declarations. The CJS build swaps the one file that needs import.meta for a __dirname version.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const esmOnly = process.argv.includes('--esm');

function run(args) {
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

rmSync(path.join(root, 'dist', 'esm'), { recursive: true, force: true });
run(['-p', 'tsconfig.build.json']);
if (esmOnly) process.exit(0);

// CommonJS: compile a copy of lib/ that lives in a "type": "commonjs" folder.
const stage = path.join(root, 'build', 'ts-cjs');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(path.join(root, 'lib'), path.join(stage, 'lib'), { recursive: true });
copyFileSync(path.join(root, 'lib', 'package_root.cjs.ts'), path.join(stage, 'lib', 'package_root.ts'));
rmSync(path.join(stage, 'lib', 'package_root.cjs.ts'));
writeFileSync(path.join(stage, 'package.json'), '{ "type": "commonjs" }\n');
const outDir = path.join(root, 'dist', 'cjs');
rmSync(outDir, { recursive: true, force: true });
writeFileSync(
  path.join(stage, 'tsconfig.json'),
  JSON.stringify({
    extends: path.join(root, 'tsconfig.json'),
    compilerOptions: {
      noEmit: false,
      rootDir: 'lib',
      outDir,
      declaration: true,
      module: 'CommonJS',
      moduleResolution: 'Node10',
      typeRoots: [path.join(root, 'node_modules', '@types')],
    },
    include: ['lib'],
  }),
);
run(['-p', path.join(stage, 'tsconfig.json')]);
writeFileSync(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
rmSync(path.join(outDir, 'package_root.cjs.js'), { force: true });
