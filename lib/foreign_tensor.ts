// Tensors made by another copy of tapegrad in the same process (an application's copy and a
// dependency's own, say), whose class is not ours, so `instanceof Tensor` fails for them. Every
// Tensor carries a brand on its prototype; the ops' argument checks (lib/ops/util.ts) look for it only
// after instanceof failed, and adopt a compatible copy's tensor without copying its storage.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isGradEnabled } from './grad_mode.js';
import { packageRoot } from './package_root.js';
import { Tensor, checkStorage } from './tensor.js';

/**
 * The version of what another copy reads from a tensor it adopts: the fields data, shape, dtype,
 * _version, _base, _disposed and _requiresGrad and what they mean. Bump it when one of them changes,
 * so that copies which would misread each other's tensors refuse them instead.
 */
export const STORAGE_LAYOUT_VERSION = 1;

/** The key of the brand on Tensor.prototype; Symbol.for, so that every copy of tapegrad shares it. */
export const TENSOR_BRAND: unique symbol = Symbol.for('tapegrad.tensor') as never;

/** What a tensor says about the copy of tapegrad that made it. */
export interface TensorBrand {
  readonly packageVersion: string;
  readonly storageLayout: number;
  readonly packageRoot: string;
}

function readPackageVersion(): string {
  try {
    return String(JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version);
  } catch {
    return 'unknown'; // a copy without its package.json still works, but is compatible with nobody
  }
}

export const ownBrand: TensorBrand = Object.freeze({
  packageVersion: readPackageVersion(),
  storageLayout: STORAGE_LAYOUT_VERSION,
  packageRoot,
});
Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: ownBrand });

function majorVersion(version: string): string | null {
  return /^(\d+)\./.exec(version)?.[1] ?? null;
}

function brandOf(x: unknown): TensorBrand | null {
  if (typeof x !== 'object' || x === null) return null;
  const brand: unknown = (x as { [TENSOR_BRAND]?: unknown })[TENSOR_BRAND];
  if (typeof brand !== 'object' || brand === null) return null;
  const b = brand as Partial<TensorBrand>;
  if (typeof b.packageVersion !== 'string' || typeof b.storageLayout !== 'number') return null;
  return { packageVersion: b.packageVersion, storageLayout: b.storageLayout, packageRoot: String(b.packageRoot) };
}

function copies(theirs: TensorBrand): string {
  return (
    `a tensor of tapegrad ${theirs.packageVersion} (${theirs.packageRoot}, storage layout ${theirs.storageLayout}), ` +
    `and this is tapegrad ${ownBrand.packageVersion} (${ownBrand.packageRoot}, storage layout ${ownBrand.storageLayout})`
  );
}

/**
 * x as a Tensor of this copy when it is a tensor of another, compatible copy of tapegrad (same major
 * version and storage layout); null when x carries no brand (the caller throws its usual error).
 * The result shares x's storage and version counter, as detach() does: in-place writes through either
 * are seen by both, nothing is copied, and autograd does not cross copies, so a tensor requiring grad
 * is refused while grad mode is on (its gradient would silently never arrive). An incompatible copy's
 * tensor is a TypeError naming both versions and both package folders.
 */
export function adoptForeignTensor(x: unknown, op: string, arg: string): Tensor | null {
  const theirs = brandOf(x);
  if (theirs === null) return null;
  const mine = majorVersion(ownBrand.packageVersion);
  if (theirs.storageLayout !== STORAGE_LAYOUT_VERSION || mine === null || majorVersion(theirs.packageVersion) !== mine)
    throw new TypeError(
      `${op}: argument '${arg}' is ${copies(theirs)}; tensors pass between copies only with the same major ` +
        'version and storage layout. Install one copy (npm dedupe) or convert with tg.tensor(x.data, { shape: x.shape }).',
    );
  const foreign = x as Tensor; // same layout: its fields mean what ours do
  if (foreign._requiresGrad && isGradEnabled())
    throw new TypeError(
      `${op}: argument '${arg}' is ${copies(theirs)}, and it requires grad: gradients do not flow between ` +
        'copies. Pass x.detach(), compute under noGrad, or install one copy (npm dedupe).',
    );
  if (foreign.data.length === 0) checkStorage(foreign, op, `argument '${arg}'`);
  const adopted = Tensor._wrap(foreign.data, foreign.shape, foreign.dtype, foreign._version);
  // A view of the foreign tensor's storage, so that dispose() of it never hands that storage to our pool.
  adopted._base = foreign._base ?? foreign;
  adopted._detached = true;
  return adopted;
}
