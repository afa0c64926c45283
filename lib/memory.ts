// The storage allocator: every tensor's typed array of 16 KiB or more comes from here.
//
// Why a pool: V8 frees an ArrayBuffer only when the garbage collector finds it dead, and hands most
// large fresh ArrayBuffers pages the process has not touched recently; on virtual machines that
// return freed pages to the host, touching such a page stalls for microseconds, so a 256 KiB output
// can cost more than the product that fills it. Storage goes back to a size-classed cache and is
// handed out again while its pages are still warm.
//
// Two levels:
//   - native blocks (binding/memory.cc): storage is lent as external ArrayBuffers over blocks of the
//     addon's pool. When the collector frees such a buffer, a finalizer that Node runs during the
//     collection gives the block back, so even code that never disposes anything reuses warm memory
//     inside a synchronous loop (V8 counts the lent bytes as external memory and collects young
//     buffers in cheap scavenges when they pile up).
//   - the free lists here: storage the library knows is dead is kept as the ArrayBuffer it is, and
//     handed out again with no call into the addon. Plain ArrayBuffers take this path alone where the
//     addon cannot lend (TAPEGRAD_NATIVE_STORAGE=0, a runtime that forbids external buffers).
//
// Where storage comes back at once (deterministic release; nothing waits for a collection):
//   - the autograd engine recycles gradients it created and consumed within one backward pass;
//   - t.dispose() / `using t = ...` recycles a tensor's storage (optional, never required);
// everything else returns when the collector frees it.
// A disposed buffer is detached from every typed array that viewed it, so a stale reference reads
// as empty and every op refuses it with an error instead of seeing reused memory.
// The native pool is one per process (locked); the free lists are per module instance, so each
// worker thread has its own.
import type { DType, TypedArray } from './dtype.js';
import { native } from './native.js';
import { describe } from './shape.js';
import { recording } from './compile/state.js';

/** Storage smaller than this is left to V8 (young-generation allocation is cheap and warm). */
export const POOL_MIN_BYTES = 16 * 1024;

/** Cached (free) bytes kept at most; TAPEGRAD_POOL_CAP_MB overrides. Beyond it, buffers go to V8. */
const DEFAULT_CAP_BYTES = 256 * 1024 * 1024;

/** The most elements one storage may have (the library's creation functions refuse more). */
const MAX_ELEMENTS = 2 ** 31 - 1;

const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

function capFromEnv(): number {
  const v = typeof process !== 'undefined' ? process.env.TAPEGRAD_POOL_CAP_MB : undefined;
  if (v === undefined || v === '') return DEFAULT_CAP_BYTES;
  const mb = Number(v);
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : DEFAULT_CAP_BYTES;
}

let capBytes = capFromEnv();

/** Whether storage comes from the addon's block pool (see the top of this file). */
const nativeBlocks = typeof process === 'undefined' || process.env.TAPEGRAD_NATIVE_STORAGE !== '0';
/** The addon takes a whole number of bytes; beyond 2^50 (a petabyte) a cap is as good as none. */
const wholeBytes = (bytes: number): number => Math.floor(Math.min(bytes, 2 ** 50));
if (nativeBlocks) native.setBlockCacheCap(wholeBytes(capBytes));

/** Buffers lent by the addon: they go back with giveBlock, never by transfer (which would move the block). */
const nativeBacked = new WeakSet<ArrayBuffer>();

/** Free buffers by class size in bytes (classes: 2^k·{1, 1.25, 1.5, 1.75}, so at most 25% slack). */
const freeLists = new Map<number, ArrayBuffer[]>();

const stats = {
  /** Bytes in the free lists here (the addon's cache is counted there). */
  cachedBytes: 0,
  /** Of cachedBytes, those over native blocks (still lent, as the addon sees them). */
  nativeCachedBytes: 0,
  /**
   * Plain ArrayBuffers handed out and not recycled: includes storage the collector freed since (it
   * cannot tell us). Native blocks are counted by the addon, which does see collections.
   */
  inUseBytes: 0,
  /** With tracking on: storage allocated while tracking, neither recycled nor collected. */
  liveBytes: 0,
  liveByDtype: { float32: 0, float64: 0, int32: 0, bool: 0 } as Record<DType, number>,
  peakLiveBytes: 0,
  fromPool: 0,
  fresh: 0,
  recycled: 0,
  graphBytes: 0,
};

interface Lease {
  bytes: number;
  dtype: DType;
  /** Allocation order: which buffers were handed out after a given moment (allocationMark()). */
  serial: number;
  /** The op that asked for it (tg.memory.byOp). */
  op: string;
  /** Allocated while tracking was on: counted in the live numbers. */
  tracked: boolean;
  /** Over a native block. */
  native: boolean;
}

/**
 * The op now running, as the ops and the engine announce it: a name, or anything with a `name` (a
 * Function class, a graph node), read only when an allocation is attributed, since reading a
 * function's name is a native accessor call that the hot path should not pay.
 */
let currentOp: string | { readonly name: string } = 'tensor';

/** @internal names the op whose allocations follow (for tg.memory.byOp while tracking). */
export function setCurrentOp(op: string | { readonly name: string }): void {
  currentOp = op;
}

/** Live pooled bytes per op name. */
const bytesByOp = new Map<string, number>();

function countOp(op: string, delta: number): void {
  const n = (bytesByOp.get(op) ?? 0) + delta;
  if (n === 0) bytesByOp.delete(op);
  else bytesByOp.set(op, n);
}

let nextSerial = 0;

/** Pooled buffers handed out, so recycling knows their class and dtype (and ignores foreign arrays). */
const leases = new WeakMap<ArrayBuffer, Lease>();

/**
 * With tracking on, a pooled buffer that V8 collects without being recycled leaves the live counts
 * here. Off by default: V8 clears weak targets only in full collections, so registering every large
 * buffer kept dead ones (and their pages) alive longer and slowed a training step by ~8%.
 */
let tracking = false;
const collected = new FinalizationRegistry<Lease>((lease) => untrack(lease));

function untrack(lease: Lease): void {
  if (!lease.tracked) return;
  lease.tracked = false;
  stats.liveBytes -= lease.bytes;
  stats.liveByDtype[lease.dtype] -= lease.bytes;
  countOp(lease.op, -lease.bytes);
}

/** The class size, in bytes, that serves a request of `bytes`. */
function sizeClass(bytes: number): number {
  if (bytes <= POOL_MIN_BYTES) return POOL_MIN_BYTES;
  const octave = 2 ** Math.floor(Math.log2(bytes));
  const step = octave / 4;
  return Math.ceil(bytes / step) * step;
}

/** A new zero-filled typed array of the dtype's storage kind, from V8 (small storage skips the pool). */
export function newTypedArray(dtype: DType, size: number): TypedArray {
  const data = plainTypedArray(dtype, size);
  if (recording.active !== null) recording.active.noteAllocation(data.buffer, true);
  return data;
}

function plainTypedArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

function view(dtype: DType, buffer: ArrayBuffer, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, size);
    case 'float64':
      return new Float64Array(buffer, 0, size);
    case 'int32':
      return new Int32Array(buffer, 0, size);
    case 'bool':
      return new Uint8Array(buffer, 0, size);
  }
}

/**
 * Storage for `size` elements of dtype: zero-filled unless `zeroed` is false (then its contents are
 * unspecified, for kernels that write every element). Small sizes are plain new typed arrays.
 */
export function allocateStorage(dtype: DType, size: number, zeroed = true): TypedArray {
  const bytes = size * BYTES_PER_ELEMENT[dtype];
  // Sizes no typed array can have take the plain path too, so V8 reports them as it always did.
  if (!(bytes >= POOL_MIN_BYTES && size <= MAX_ELEMENTS)) return newTypedArray(dtype, size);
  const cls = sizeClass(bytes);
  const list = freeLists.get(cls);
  let buffer: ArrayBuffer | undefined;
  let reused = false;
  let lent = false;
  if (list !== undefined && list.length > 0) {
    buffer = list.pop()!;
    stats.cachedBytes -= cls;
    stats.fromPool++;
    reused = true;
    lent = nativeBacked.has(buffer);
    if (lent) stats.nativeCachedBytes -= cls;
  } else if (nativeBlocks) {
    buffer = native.takeBlock(cls, zeroed);
    if (buffer !== undefined) {
      nativeBacked.add(buffer);
      lent = true;
    }
  }
  if (buffer === undefined) {
    buffer = new ArrayBuffer(cls); // zero-filled by V8
    stats.fresh++;
  }
  const op = !tracking ? '' : typeof currentOp === 'string' ? currentOp : currentOp.name;
  const lease: Lease = { bytes: cls, dtype, serial: nextSerial++, op, tracked: tracking, native: lent };
  leases.set(buffer, lease);
  if (scopeDepth > 0) scoped.push(buffer);
  if (!lent) stats.inUseBytes += cls;
  if (tracking) {
    collected.register(buffer, lease, buffer);
    countOp(op, cls);
    stats.liveBytes += cls;
    stats.liveByDtype[dtype] += cls;
    if (stats.liveBytes > stats.peakLiveBytes) stats.peakLiveBytes = stats.liveBytes;
  }
  const data = view(dtype, buffer, size);
  if (reused && zeroed) data.fill(0);
  if (recording.active !== null) recording.active.noteAllocation(buffer, zeroed);
  return data;
}

/**
 * Returns a pooled storage to the free list. With `detach` (dispose), every typed array viewing it
 * is detached first, so stale views read as empty and ops refuse them; without it (the engine's
 * gradients, which provably nobody else references) the buffer is reused as it is. Returns false,
 * doing nothing, for storage the pool did not hand out (small, user-made, or already recycled).
 */
export function recycleStorage(data: TypedArray, detach = true): boolean {
  // Below the pool's sizes, or detached (byteLength 0: its owner transferred the buffer away).
  if (data.byteLength < POOL_MIN_BYTES) return false;
  return recycleBuffer(data.buffer as ArrayBuffer, detach);
}

function recycleBuffer(buffer: ArrayBuffer, detach: boolean): boolean {
  const lease = leases.get(buffer);
  if (lease === undefined) return false;
  const rec = recording.active;
  if (rec?.deferred) {
    // Kernels recorded but not yet run may still write it: it goes back once they have (releaseHeld).
    rec.heldReleases.push({ buffer, detach });
    return true;
  }
  leases.delete(buffer);
  if (lease.tracked) collected.unregister(buffer);
  untrack(lease);
  stats.recycled++;
  const overCap = stats.cachedBytes + lease.bytes > capBytes;
  if (lease.native) {
    // The addon detaches it and caches the block (under its own cap).
    if (detach || overCap) {
      native.giveBlock(buffer);
      return true;
    }
    stats.nativeCachedBytes += lease.bytes;
  } else {
    stats.inUseBytes -= lease.bytes;
    if (overCap) return true; // let V8 collect it
  }
  // A transfer detaches every existing view and yields a new ArrayBuffer over the same memory.
  const kept = detach ? transfer(buffer) : buffer;
  let list = freeLists.get(lease.bytes);
  if (list === undefined) {
    list = [];
    freeLists.set(lease.bytes, list);
  }
  list.push(kept);
  stats.cachedBytes += lease.bytes;
  return true;
}

/**
 * Pooled buffers handed out while a temporaries scope is open (openTemporaries): the autograd engine
 * opens one around each built-in backward formula, whose intermediates (a mask, a product before its
 * sum) are dead once the formula returns.
 */
const scoped: ArrayBuffer[] = [];
let scopeDepth = 0;

/** @internal Starts recording pooled allocations; returns the mark to pass to releaseTemporaries. */
export function openTemporaries(): number {
  scopeDepth++;
  return scoped.length;
}

/**
 * @internal Ends the scope opened at `mark`: every buffer allocated since, other than the storage of
 * the tensors in `results` (what the formula returned), goes back to the pool as it is; with
 * `release` false (the formula threw) they are left to the collector.
 */
export function releaseTemporaries(mark: number, results: readonly unknown[], release = true): void {
  scopeDepth--;
  if (scoped.length === mark) return; // the common case: nothing pooled was allocated
  if (release)
    for (let i = mark; i < scoped.length; i++) {
      const buffer = scoped[i];
      if (!results.some((r) => (r as { data?: TypedArray } | null)?.data?.buffer === buffer))
        recycleBuffer(buffer, false);
    }
  scoped.length = mark;
}

/** @internal Returns storage held back by a deferred recording (Recorder.heldReleases) to the pool. */
export function releaseHeld(held: readonly { buffer: ArrayBuffer; detach: boolean }[]): void {
  for (const { buffer, detach } of held) recycleBuffer(buffer, detach);
}

/** @internal A mark: storage allocated from now on has allocatedSince(data, mark) true. */
export function allocationMark(): number {
  return nextSerial;
}

/** @internal Whether data is pooled storage handed out at or after mark (and not recycled since). */
export function allocatedSince(data: TypedArray, mark: number): boolean {
  if (data.byteLength < POOL_MIN_BYTES) return false;
  const lease = leases.get(data.buffer as ArrayBuffer);
  return lease !== undefined && lease.serial >= mark;
}

type Transferable = ArrayBuffer & { transfer?: () => ArrayBuffer };

function transfer(buffer: ArrayBuffer): ArrayBuffer {
  const t = buffer as Transferable;
  return typeof t.transfer === 'function' ? t.transfer() : structuredClone(buffer, { transfer: [buffer] });
}

/** What tg.memory() reports. */
export interface MemoryInfo {
  /**
   * Bytes of live tensor storage of 16 KiB or more, in all and by dtype, counted while tracking is
   * on (tg.memory.track(true)); null when it is off. Storage the collector frees leaves the count
   * when V8 reports it, after the current synchronous job.
   */
  liveBytes: number | null;
  byDtype: Record<DType, number> | null;
  /** Bytes of storage (16 KiB or more) that recorded graphs hold for backward (saved tensors). */
  graphBytes: number;
  /**
   * The pool: free bytes cached for reuse; bytes handed out and not returned; the cap on cached
   * bytes (the addon's block cache and the free lists each keep at most that much). Native blocks
   * leave inUse when the collector frees their buffer; plain ArrayBuffers (where the addon cannot
   * lend) stay counted until released, as nothing reports their collection.
   */
  pool: { cached: number; inUse: number; cap: number };
  /** Allocations served from the pool, and from fresh memory. */
  fromPool: number;
  fresh: number;
  /** Storages returned to the pool by the library (the engine, dispose). */
  recycled: number;
  /** Native blocks returned to the pool because the collector freed the tensor that held them. */
  collected: number;
  // The addon's pool serves every thread of the process, so its blocks' figures (part of cached,
  // inUse, fromPool and fresh; all of collected) are the process's.
  /** With tracking on: the most live bytes at once since tracking started (or resetPeak()); else null. */
  peak: number | null;
}

/** A snapshot of the allocator's counters. */
function memoryInfo(): MemoryInfo {
  const blocks = native.blockPoolStats();
  return {
    liveBytes: tracking ? stats.liveBytes : null,
    byDtype: tracking ? { ...stats.liveByDtype } : null,
    graphBytes: stats.graphBytes,
    pool: {
      cached: stats.cachedBytes + blocks.cachedBytes,
      inUse: stats.inUseBytes + blocks.lentBytes - stats.nativeCachedBytes,
      cap: capBytes,
    },
    fromPool: stats.fromPool + blocks.fromCache,
    fresh: stats.fresh + blocks.fresh,
    recycled: stats.recycled,
    collected: blocks.collected,
    peak: tracking ? stats.peakLiveBytes : null,
  };
}

/**
 * With tracking on: live bytes of storage of 16 KiB or more by the op that allocated them, largest
 * first, for leak hunts (empty while tracking is off).
 */
export function byOp(): { op: string; bytes: number }[] {
  return [...bytesByOp].map(([op, bytes]) => ({ op, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Releases every cached buffer: native blocks are freed now, plain ArrayBuffers at V8's next collection. */
export function emptyCache(): void {
  for (const list of freeLists.values())
    for (const buffer of list) if (nativeBacked.has(buffer)) native.giveBlock(buffer);
  freeLists.clear();
  stats.cachedBytes = 0;
  stats.nativeCachedBytes = 0;
  native.emptyBlockCache();
}

/** Sets the most bytes the pool caches (0 disables caching); returns the previous cap. */
export function setPoolCap(bytes: number): number {
  if (typeof bytes !== 'number')
    throw new TypeError(`memory.setPoolCap: argument 'bytes' must be a number, got ${describe(bytes)}`);
  if (!(bytes >= 0))
    throw new RangeError(`memory.setPoolCap: argument 'bytes' must be non-negative, got ${describe(bytes)}`);
  native.setBlockCacheCap(wholeBytes(bytes));
  const previous = capBytes;
  capBytes = bytes;
  // The cap bounds what memory() reports as cached: the free lists and the addon's cache together.
  if (stats.cachedBytes + native.blockPoolStats().cachedBytes > bytes) emptyCache();
  return previous;
}

/** Resets the peak to the bytes live now. */
export function resetPeak(): void {
  stats.peakLiveBytes = stats.liveBytes;
}

/**
 * Turns live accounting on or off (off by default): while on, every storage of 16 KiB or more is
 * counted until it is released or collected, by dtype and by the op that made it (byOp). It costs
 * the collector extra work, so leave it off when timing. Returns the previous setting.
 */
export function track(on: boolean): boolean {
  if (typeof on !== 'boolean')
    throw new TypeError(`memory.track: argument 'on' must be a boolean, got ${describe(on)}`);
  const previous = tracking;
  tracking = on;
  return previous;
}

/** @internal recorded graphs' saved storage, counted by FunctionCtx (bytes ≥ POOL_MIN_BYTES only). */
export function adjustGraphBytes(delta: number): void {
  stats.graphBytes += delta;
}

/**
 * tg.memory(): the allocator's counters (see MemoryInfo), with tg.memory.emptyCache(),
 * tg.memory.track(on), tg.memory.byOp(), tg.memory.setPoolCap(bytes) and tg.memory.resetPeak().
 */
export const memory = Object.assign((): MemoryInfo => memoryInfo(), { emptyCache, byOp, setPoolCap, resetPeak, track });
