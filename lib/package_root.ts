// The package's root folder (where package.json, build/ and prebuilds/ live). ES module version;
// the CommonJS build swaps in package_root.cjs.ts (see scripts/build-ts.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageRoot } from './package_root_find.js';

export const packageRoot: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
