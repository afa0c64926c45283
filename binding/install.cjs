'use strict';
// npm "install" hook: use a build that loads (build/ or a matching prebuild), else compile with cmake-js.
// TAPEGRAD_BUILD_FROM_SOURCE=1 (or npm_config_build_from_source=true) always compiles.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const forced = process.env.npm_config_build_from_source === 'true' || process.env.TAPEGRAD_BUILD_FROM_SOURCE === '1';
if (!forced) {
  try {
    require('node-gyp-build')(root); // dlopen()s it, so a broken or foreign prebuild falls through
    process.exit(0);
  } catch {
    // no usable binary: build one below
  }
}
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('tapegrad: building the native addon failed. It needs CMake (>= 3.15) and a C++17 compiler;');
  console.error(`tapegrad: install them and run \`npm run build:native\` in ${root}`);
}
process.exit(result.status ?? 1);
