// The package's root folder, CommonJS version (swapped in for package_root.ts by scripts/build-ts.mjs).
import { findPackageRoot } from './package_root_find.js';

export const packageRoot: string = findPackageRoot(__dirname);
