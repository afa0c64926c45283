#!/usr/bin/env node
'use strict';
// prebuildify runs `<node-gyp> rebuild --target=V --devdir=D --arch=A --release`; map that onto cmake-js.
// --target and --devdir are ignored on purpose: Node-API is ABI-stable and nothing is downloaded.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const argv = process.argv.slice(2);
const arch = argv.find((a) => a.startsWith('--arch='))?.slice('--arch='.length);
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const args = [cmakeJs, 'rebuild', ...(arch ? ['--arch', arch] : []), ...(argv.includes('--debug') ? ['--debug'] : [])];
process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
