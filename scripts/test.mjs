// `npm test`: the whole suite. Builds the TypeScript (ESM + CJS, which the package tests load),
// typechecks lib/, test/ and bench/, lints (Biome) and checks the formatting (Biome, clang-format), runs
// vitest, packs and installs the package the way a dependent project would (scripts/package-test.mjs),
// then the native unit tests (ctest, plain and under AddressSanitizer + UndefinedBehaviorSanitizer), and
// ends with one plain line:
//   N passed, N failed[, N skipped]
// Set TAPEGRAD_SKIP_NATIVE_TESTS=1 to run only the JS side (e.g. for the TAPEGRAD_ISA variants).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tapegrad-test-'));
let passed = 0,
  failed = 0,
  skipped = 0;

function step(label, cmd, args, env = {}) {
  console.log(`\n--- ${label} ---`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

if (
  step('build TypeScript (dist/cjs, and dist/esm re-exporting it)', process.execPath, [
    path.join(root, 'scripts', 'build-ts.mjs'),
  ])
)
  passed++;
else failed++;
if (step('typecheck', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'])) passed++;
else failed++;
// Biome's linter (biome.jsonc), warnings included; `npm run lint` runs the same and also shows information-level notes.
const biome = require.resolve('@biomejs/biome/bin/biome');
const lintArgs = ['ci', '--formatter-enabled=false', '--error-on-warnings', '--diagnostic-level=warn', '.'];
if (step('lint (biome ci, linter)', process.execPath, [biome, ...lintArgs])) passed++;
else failed++;
const formatScript = path.join(root, 'scripts', 'format.mjs');
if (step('format (biome format, clang-format --dry-run --Werror)', process.execPath, [formatScript, '--check']))
  passed++;
else failed++;

const vitestSummary = path.join(tmp, 'vitest.json');
const vitestOk = step(
  'vitest',
  process.execPath,
  [path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs'), 'run'],
  { TAPEGRAD_SUMMARY_FILE: vitestSummary },
);
if (existsSync(vitestSummary)) {
  const s = JSON.parse(readFileSync(vitestSummary, 'utf8'));
  passed += s.passed;
  failed += s.failed;
  skipped += s.skipped;
  if (!vitestOk && s.failed === 0) failed++; // vitest failed for a reason outside the tests
} else failed++;

/** Runs one of our scripts that counts its own checks into a summary file, and adds them up. */
function countedScript(label, script, summaryName) {
  const summary = path.join(tmp, summaryName);
  step(label, process.execPath, [path.join(root, 'scripts', script), '--summary-file', summary]);
  if (existsSync(summary)) {
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    passed += s.passed;
    failed += s.failed;
  } else failed++; // the script died before writing its summary
}

// The package as a dependency sees it: the tarball installed with no compiler (prebuild) and from source.
countedScript(
  'package (pack, install from the prebuild without compilers, install from source)',
  'package-test.mjs',
  'package.json',
);
if (process.env.TAPEGRAD_SKIP_NATIVE_TESTS !== '1')
  countedScript('native unit tests (ctest: plain, then ASan+UBSan)', 'native-tests.mjs', 'native.json');
rmSync(tmp, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
