// Native backend settings visible to users: threads and which kernels run.
import { native } from './native.js';
import { describe } from './shape.js';

/** Threads the native kernels may use (default: physical cores, or TAPEGRAD_NUM_THREADS). */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Sets the number of threads the native kernels may use (n ≥ 1). */
export function setNumThreads(n: number): void {
  if (typeof n !== 'number')
    throw new TypeError(`setNumThreads: argument 'n' must be an integer from 1 to 1024, got ${describe(n)}`);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new RangeError(`setNumThreads: argument 'n' must be an integer from 1 to 1024, got ${n}`);
  native.setNumThreads(n);
}

/** The kernel instruction set in use and the hardware's best. */
export function backendInfo(): { isa: string; hardwareIsa: string; threads: number } {
  return { isa: native.isa(), hardwareIsa: native.hardwareIsa(), threads: native.getNumThreads() };
}
