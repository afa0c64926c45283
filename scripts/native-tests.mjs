// Builds native/ on its own (no Node headers) and runs its unit tests with ctest, twice: a plain
// optimised build and one under AddressSanitizer + UndefinedBehaviorSanitizer.
// Usage: node scripts/native-tests.mjs [--plain-only | --sanitize-only] [--summary-file F]
// Prints ctest's output and, with --summary-file, writes {"passed":N,"failed":N} there.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const summaryFile = args.includes('--summary-file') ? args[args.indexOf('--summary-file') + 1] : null;
const configs = [
  { name: 'plain', dir: 'build/native-tests', flags: ['-DCMAKE_BUILD_TYPE=Release'] },
  {
    name: 'asan+ubsan',
    dir: 'build/native-asan',
    flags: ['-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DTAPEGRAD_SANITIZE=ON'],
  },
].filter(
  (c) =>
    !(args.includes('--plain-only') && c.name !== 'plain') && !(args.includes('--sanitize-only') && c.name === 'plain'),
);

const generator = spawnSync('ninja', ['--version']).status === 0 ? ['-G', 'Ninja'] : [];
let passed = 0;
let failed = 0;
for (const config of configs) {
  const dir = path.join(root, config.dir);
  const step = (cmd, argv, env = process.env) => {
    const r = spawnSync(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env });
    return { ok: r.status === 0, out: (r.stdout ?? '') + (r.stderr ?? '') };
  };
  const configure = step('cmake', [
    '-S',
    '.',
    '-B',
    dir,
    ...generator,
    '-DTAPEGRAD_BUILD_TESTS=ON',
    '-DTAPEGRAD_BUILD_ADDON=OFF',
    ...config.flags,
  ]);
  const build = configure.ok ? step('cmake', ['--build', dir, '-j', '2']) : configure;
  if (!build.ok) {
    process.stdout.write(build.out);
    console.log(`native tests (${config.name}): build failed`);
    failed += 1;
    continue;
  }
  const env = {
    ...process.env,
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  };
  const test = step('ctest', ['--test-dir', dir, '--output-on-failure', '--timeout', '900'], env);
  process.stdout.write(
    `${test.out
      .split('\n')
      .map((l) => `[${config.name}] ${l}`)
      .join('\n')}\n`,
  );
  const m = /(\d+)% tests passed, (\d+) tests failed out of (\d+)/.exec(test.out);
  if (m) {
    failed += Number(m[2]);
    passed += Number(m[3]) - Number(m[2]);
  } else {
    failed += 1;
  }
}
if (summaryFile) writeFileSync(summaryFile, JSON.stringify({ passed, failed }));
console.log(`native: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
