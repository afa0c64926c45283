// `npm run format`: formats the TypeScript/JavaScript with Biome (biome.jsonc) and the C++ of native/ and
// binding/ with clang-format (.clang-format). `--check` (`npm run format:check`, and a step of `npm test`)
// changes nothing and fails if a file is not formatted.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const check = process.argv.includes('--check');

function cppFiles(dir) {
  const out = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...cppFiles(rel));
    else if (/\.(cc|cpp|h|hpp)$/.test(e.name)) out.push(rel);
  }
  return out.sort();
}

function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status === 0;
}

const biome = require.resolve('@biomejs/biome/bin/biome');
const clangFormat = require.resolve('clang-format/index.js');
const cpp = [...cppFiles('native'), ...cppFiles('binding')];
const tsOk = run(process.execPath, [biome, 'format', ...(check ? [] : ['--write']), '.']);
const cppOk = run(process.execPath, [clangFormat, ...(check ? ['--dry-run', '--Werror'] : ['-i']), ...cpp]);
if (check && !(tsOk && cppOk))
  console.error('format: files are not formatted (biome format / clang-format above); `npm run format` fixes them');
process.exit(tsOk && cppOk ? 0 : 1);
