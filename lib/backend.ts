// Native backend settings visible to users: threads and which kernels run.
import { native } from './native.js';
import { describe } from './shape.js';

/**
 * Threads the native kernels may use (default: physical cores, or TAPEGRAD_NUM_THREADS). One setting for
 * the whole process, read from the addon on every call: the last setNumThreads of any thread.
 */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * Sets the number of threads the native kernels may use (n ≥ 1). Process-wide: the addon has one thread
 * pool, so a call in a worker thread changes the setting for the main thread and every worker.
 */
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
