// safetensors: the tensor file format of Hugging Face and PyTorch, named like Python's package.
//
// Layout: an 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON
//   { "__metadata__": { string: string }?, name: { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ... }
// padded with spaces so that N is a multiple of 8, then the raw little-endian, row-major tensor bytes;
// offsets are relative to the first byte after the header and must tile that region exactly.
//
// Writing follows the reference implementation byte for byte: compact JSON, "__metadata__" first,
// tensors ordered by dtype alignment (widest first: F64, F32, I32, BOOL) and then by name, so every
// tensor starts on a multiple of its element size.
//
// Reading accepts F32/F64/I32/BOOL as they are and widens the other common dtypes to ours (F16 and
// BF16 to float32, exactly; I8/U8/I16/U16 to int32, exactly; I64/U32/U64 to int32 when every value
// fits, else an error naming the tensor and element). FP8 dtypes are rejected. Every tensor is copied
// into fresh, aligned storage, so results never alias the input bytes.
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { basename, dirname, join } from 'node:path';
import { allocate, type DType } from './dtype.js';
import { describe, formatShape } from './shape.js';
import { Tensor, checkStorage } from './tensor.js';

/** A tensor's entry in the header. */
export interface TensorInfo {
  dtype: string;
  shape: number[];
  dataOffsets: [number, number];
}

/** The parsed header: metadata (null when absent) and tensor entries in offset order. */
export interface Header {
  metadata: Record<string, string> | null;
  tensors: Record<string, TensorInfo>;
  /** Byte length of the JSON header (the 8-byte length prefix not included). */
  headerLength: number;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_SIZE = 100_000_000;

const TO_FILE: Record<DType, string> = { float64: 'F64', float32: 'F32', int32: 'I32', bool: 'BOOL' };

/** Element sizes in bytes of every dtype the format defines. */
const ELEMENT_SIZE: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Alignment rank used to order tensors on write (the reference's Dtype enum order). */
const ALIGN_RANK: Record<string, number> = { BOOL: 0, I32: 9, F32: 11, F64: 12 };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function own<T>(obj: object, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? (obj as Record<string, T>)[key] : undefined;
}

/** A record with own, enumerable properties for any name (including "__proto__"). */
function setEntry<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Code-point order, which equals the UTF-8 byte order the reference sorts names by. */
function compareNames(a: string, b: string): number {
  const ia = a[Symbol.iterator](),
    ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next(),
      y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const cx = x.value.codePointAt(0)!,
      cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i < bytes.length; i += width)
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
}

function checkTensors(tensors: unknown, fn: string): [string, Tensor][] {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor)
    throw new TypeError(
      `${fn}: argument 'tensors' must be an object or a Map mapping names to Tensors, got ${describe(tensors)}`,
    );
  // A Map is read as its entries name → tensor (Object.keys of a Map is empty: it was written as a file with no tensors).
  const pairs: [unknown, unknown][] =
    tensors instanceof Map
      ? [...tensors.entries()]
      : Object.keys(tensors).map((k) => [k, (tensors as Record<string, unknown>)[k]]);
  const entries: [string, Tensor][] = [];
  for (const [name, t] of pairs) {
    if (typeof name !== 'string')
      throw new TypeError(`${fn}: argument 'tensors' has a key that is not a string: ${describe(name)}`);
    if (!(t instanceof Tensor))
      throw new TypeError(`${fn}: argument 'tensors' entry '${name}' must be a Tensor, got ${describe(t)}`);
    if (name === '__metadata__')
      throw new RangeError(
        `${fn}: argument 'tensors' may not have an entry named '__metadata__' (reserved for metadata)`,
      );
    // Storage transferred away or disposed: its bytes are gone (it was a raw TypedArray TypeError,
    // or a header promising bytes the file did not hold).
    if (t.data.length === 0) checkStorage(t, fn, `argument 'tensors' entry '${name}'`);
    entries.push([name, t]);
  }
  return entries;
}

function checkMetadata(metadata: unknown, fn: string): Record<string, string> | null {
  if (metadata === undefined || metadata === null) return null;
  if (typeof metadata !== 'object' || Array.isArray(metadata))
    throw new TypeError(`${fn}: argument 'metadata' must be an object of string values, got ${describe(metadata)}`);
  const out: Record<string, string> = {};
  for (const key of Object.keys(metadata)) {
    const v = (metadata as Record<string, unknown>)[key];
    if (typeof v !== 'string')
      throw new TypeError(`${fn}: argument 'metadata' entry '${key}' must be a string, got ${describe(v)}`);
    setEntry(out, key, v);
  }
  return out;
}

function encode(tensors: unknown, metadata: unknown, fn: string): Uint8Array {
  const entries = checkTensors(tensors, fn);
  const meta = checkMetadata(metadata, fn);
  entries.sort(
    ([na, a], [nb, b]) => ALIGN_RANK[TO_FILE[b.dtype]] - ALIGN_RANK[TO_FILE[a.dtype]] || compareNames(na, nb),
  );
  // JSON built by hand so the key order is exactly the reference's (JSON.stringify would hoist
  // integer-like names such as "0" ahead of the others).
  const parts: string[] = [];
  if (meta !== null) parts.push(`"__metadata__":${JSON.stringify(meta)}`);
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${TO_FILE[t.dtype]}","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const [, t] of entries) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(src, at);
    if (!LITTLE_ENDIAN_HOST) swapBytes(out.subarray(at, at + src.length), t.data.BYTES_PER_ELEMENT);
    at += src.length;
  }
  return out;
}

/** Serializes tensors (any shape, dtypes float32/float64/int32/bool) and optional string metadata to safetensors bytes. */
export function serialize(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  return encode(tensors, metadata, 'safetensors.serialize');
}

/** Bytes per write call: a failure mid-way is then a real possibility the tests exercise. */
const WRITE_CHUNK = 1 << 24;

/**
 * Writes tensors and optional string metadata to a safetensors file at path, atomically: the bytes
 * go to a temporary file in the same folder, which is fsync'd and then renamed over path. A failed
 * write (disk full, a signal, an error) leaves any previous file at path intact and removes the
 * temporary file.
 */
export function saveFile(
  tensors: Record<string, Tensor> | Map<string, Tensor>,
  path: string,
  metadata?: Record<string, string>,
): void {
  const fn = 'safetensors.saveFile';
  if (typeof path !== 'string') throw new TypeError(`${fn}: argument 'path' must be a string, got ${describe(path)}`);
  if (path === '') throw new TypeError(`${fn}: argument 'path' must be a non-empty string`);
  const bytes = encode(tensors, metadata, fn); // every argument error comes before the file system is touched
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(WRITE_CHUNK, bytes.length - at));
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null)
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already renamed */
    }
    throw new Error(`${fn}: cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

// ---- reading ------------------------------------------------------------------------------------

/** Throws on a repeated key in any object of the JSON text (JSON.parse keeps the last one silently). */
function checkDuplicateKeys(text: string, fail: (msg: string) => never): void {
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      let k = j + 1;
      while (k < text.length && (text[k] === ' ' || text[k] === '\t' || text[k] === '\n' || text[k] === '\r')) k++;
      if (top && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) fail(`duplicate key '${key}'${stack.length > 1 ? ' inside a nested object' : ''}`);
        top.add(key);
      }
      i = j + 1;
    } else {
      if (c === '{') stack.push(new Set());
      else if (c === '[') stack.push(null);
      else if (c === '}' || c === ']') stack.pop();
      i++;
    }
  }
}

function isOffset(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Parses and validates the header of a file whose total size is fileSize (or only the header when fileSize is null). */
function parseHeader(
  bytes: Uint8Array,
  fileSize: number | null,
  fail: (msg: string) => never,
): Header & { entries: [string, TensorInfo][] } {
  const total = fileSize ?? bytes.length;
  if (bytes.length < 8) fail(`file is ${total} bytes, too short for the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) fail(`header length ${n64} bytes exceeds the limit of ${MAX_HEADER_SIZE} bytes`);
  const n = Number(n64);
  if (8 + n > total)
    fail(`header length ${n} bytes goes beyond the end of the file (${total} bytes, so at most ${total - 8})`);
  if (8 + n > bytes.length) fail(`header length ${n} bytes goes beyond the bytes given (${bytes.length})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(`header (bytes 8..${8 + n}) is not valid UTF-8`);
  }
  if (text.trimStart()[0] !== '{')
    fail(
      `header (bytes 8..${8 + n}) must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(`header (bytes 8..${8 + n}) is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    fail(`header (bytes 8..${8 + n}) must be a JSON object, got ${describe(parsed)}`);
  checkDuplicateKeys(text, (m) => fail(`header: ${m}`));

  let metadata: Record<string, string> | null = null;
  const entries: [string, TensorInfo][] = [];
  for (const name of Object.keys(parsed as object)) {
    const v = own<unknown>(parsed as object, name);
    if (name === '__metadata__') {
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        fail(`header: "__metadata__" must be an object of strings, got ${describe(v)}`);
      metadata = {};
      for (const k of Object.keys(v as object)) {
        const s = own<unknown>(v as object, k);
        if (typeof s !== 'string') fail(`header: "__metadata__" entry '${k}' must be a string, got ${describe(s)}`);
        setEntry(metadata, k, s);
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      fail(`header: ${where} must be an object with dtype, shape and data_offsets, got ${describe(v)}`);
    const dtype = own<unknown>(v as object, 'dtype');
    const shape = own<unknown>(v as object, 'shape');
    const offsets = own<unknown>(v as object, 'data_offsets');
    if (typeof dtype !== 'string') fail(`header: ${where} has no string "dtype", got ${describe(dtype)}`);
    if (!(dtype in ELEMENT_SIZE))
      fail(`header: ${where} has unknown dtype '${dtype}' (known: ${Object.keys(ELEMENT_SIZE).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every(isOffset))
      fail(`header: ${where} "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isOffset))
      fail(
        `header: ${where} "data_offsets" must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`,
      );
    const [begin, end] = offsets as number[];
    if (end < begin) fail(`header: ${where} has data_offsets [${begin}, ${end}] with end before begin`);
    let elements = 1;
    for (const d of shape as number[]) elements *= d;
    const expected = elements * ELEMENT_SIZE[dtype];
    if (!Number.isSafeInteger(expected)) fail(`header: ${where} shape ${formatShape(shape as number[])} is too large`);
    if (expected !== end - begin)
      fail(
        `header: ${where} is ${dtype} ${formatShape(shape as number[])}, which needs ${expected} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    entries.push([name, { dtype, shape: (shape as number[]).slice(), dataOffsets: [begin, end] }]);
  }

  // The data region must be tiled exactly: sorted by offsets, each tensor starts where the last ended.
  entries.sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let at = 0;
  let prev = '';
  for (const [name, info] of entries) {
    const [begin, end] = info.dataOffsets;
    if (begin < at)
      fail(`header: tensor '${name}' data_offsets [${begin}, ${end}] overlap tensor '${prev}' (which ends at ${at})`);
    if (begin > at)
      fail(
        `header: tensor '${name}' data_offsets [${begin}, ${end}] leave a gap: bytes ${at}..${begin} of the data belong to no tensor`,
      );
    at = end;
    prev = name;
  }
  const dataLength = total - 8 - n;
  if (at > dataLength)
    fail(
      `header: tensor '${prev}' data_offsets end at ${at}, beyond the ${dataLength} data bytes in the file (is it truncated?)`,
    );
  if (at < dataLength)
    fail(
      `the tensors cover ${at} data bytes but the file has ${dataLength} after the header (trailing bytes ${at}..${dataLength} belong to no tensor)`,
    );

  const tensors: Record<string, TensorInfo> = {};
  for (const [name, info] of entries) setEntry(tensors, name, info);
  return { metadata, tensors, headerLength: n, entries };
}

/** Copies one tensor's bytes into fresh aligned storage of our dtype, converting where needed. */
function decodeTensor(name: string, info: TensorInfo, raw: Uint8Array, fail: (msg: string) => never): Tensor {
  const size = ELEMENT_SIZE[info.dtype];
  const count = raw.length / size;
  // An aligned copy that never aliases the caller's buffer (Buffer#slice would return a view).
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  if (!LITTLE_ENDIAN_HOST) swapBytes(bytes, size);
  const where = `tensor '${name}' (${info.dtype})`;
  const shape = info.shape;
  switch (info.dtype) {
    case 'F32':
      return new Tensor(new Float32Array(bytes.buffer, 0, count), shape, 'float32');
    case 'F64':
      return new Tensor(new Float64Array(bytes.buffer, 0, count), shape, 'float64');
    case 'I32':
      return new Tensor(new Int32Array(bytes.buffer, 0, count), shape, 'int32');
    case 'BOOL': {
      for (let i = 0; i < count; i++)
        if (bytes[i] > 1) fail(`${where} element ${i} is the byte ${bytes[i]}, but a BOOL must be 0 or 1`);
      return new Tensor(bytes, shape, 'bool');
    }
    case 'F16':
    case 'BF16': {
      const src = new Uint16Array(bytes.buffer, 0, count);
      const out = allocate('float32', count) as Float32Array;
      if (info.dtype === 'BF16') {
        const bits = new Uint32Array(out.buffer);
        for (let i = 0; i < count; i++) bits[i] = src[i] << 16;
      } else {
        for (let i = 0; i < count; i++) out[i] = halfToFloat(src[i]);
      }
      return new Tensor(out, shape, 'float32');
    }
    case 'I8':
    case 'U8':
    case 'I16':
    case 'U16': {
      const src =
        info.dtype === 'I8'
          ? new Int8Array(bytes.buffer, 0, count)
          : info.dtype === 'U8'
            ? bytes
            : info.dtype === 'I16'
              ? new Int16Array(bytes.buffer, 0, count)
              : new Uint16Array(bytes.buffer, 0, count);
      return new Tensor(Int32Array.from(src), shape, 'int32');
    }
    case 'U32':
    case 'I64':
    case 'U64': {
      const out = allocate('int32', count) as Int32Array;
      const words = new Uint32Array(bytes.buffer, 0, count * (size / 4));
      for (let i = 0; i < count; i++) {
        const lo = size === 4 ? words[i] : words[2 * i];
        const hi = size === 4 ? 0 : words[2 * i + 1];
        // Fits in int32 iff the high word is the sign extension of the low word (signed I64) or zero and lo < 2^31.
        const fits =
          info.dtype === 'I64'
            ? (hi === 0 && lo < 0x80000000) || (hi === 0xffffffff && lo >= 0x80000000)
            : hi === 0 && lo < 0x80000000;
        if (!fits) {
          const value =
            info.dtype === 'I64'
              ? new DataView(bytes.buffer).getBigInt64(8 * i, true)
              : size === 8
                ? new DataView(bytes.buffer).getBigUint64(8 * i, true)
                : BigInt(lo);
          fail(`${where} element ${i} is ${value}, outside the int32 range tapegrad reads ${info.dtype} into`);
        }
        out[i] = lo | 0;
      }
      return new Tensor(out, shape, 'int32');
    }
    default:
      fail(
        `${where}: dtype ${info.dtype} is not supported (tapegrad reads F32, F64, I32, BOOL, and converts F16, BF16, I8, U8, I16, U16, U32, I64, U64)`,
      );
  }
}

/** IEEE 754 binary16 bits to a number (exact). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(bytes: Uint8Array, fn: string): Record<string, Tensor> {
  const fail = (msg: string): never => {
    throw new Error(`${fn}: ${msg}`);
  };
  const { entries, headerLength } = parseHeader(bytes, null, fail);
  const base = 8 + headerLength;
  const out: Record<string, Tensor> = {};
  for (const [name, info] of entries) {
    const raw = bytes.subarray(base + info.dataOffsets[0], base + info.dataOffsets[1]);
    setEntry(out, name, decodeTensor(name, info, raw, fail));
  }
  return out;
}

function checkBytes(bytes: unknown, fn: string): Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`${fn}: argument 'bytes' must be a Uint8Array, got ${describe(bytes)}`);
  return bytes;
}

function checkPath(path: unknown, fn: string): string {
  if (typeof path !== 'string') throw new TypeError(`${fn}: argument 'path' must be a string, got ${describe(path)}`);
  return path;
}

/** Parses safetensors bytes into tensors keyed by name (shapes as stored; dtypes as described in this file's header comment). */
export function deserialize(bytes: Uint8Array): Record<string, Tensor> {
  return decode(checkBytes(bytes, 'safetensors.deserialize'), 'safetensors.deserialize');
}

/** The largest file loadFile reads (one Buffer; 4 GiB on Node 20). */
const MAX_FILE_SIZE = bufferConstants.MAX_LENGTH;

/**
 * Opens path for reading without blocking (a FIFO with no writer would otherwise hang the open)
 * and checks with fstat that it is a regular file: a directory, a FIFO or a device (/dev/zero,
 * which never ends) is refused at once with a message naming fn and path.
 */
function openRegularFile(path: string, fn: string): { fd: number; stat: Stats } {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new Error(`${fn}: cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory()
        ? 'a directory'
        : stat.isFIFO()
          ? 'a FIFO'
          : stat.isCharacterDevice()
            ? 'a character device'
            : stat.isBlockDevice()
              ? 'a block device'
              : stat.isSocket()
                ? 'a socket'
                : 'not a regular file';
      throw new Error(`${fn}: ${path} is ${kind}; expected a regular safetensors file`);
    }
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads exactly length bytes at position 0 (fails if the file is shorter than fstat said). */
function readExactly(fd: number, length: number, path: string, fn: string): Uint8Array {
  const bytes = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const n = readSync(fd, bytes, at, Math.min(WRITE_CHUNK, length - at), at);
    if (n === 0)
      throw new Error(`${fn}: ${path} ended after ${at} of its ${length} bytes (was it changed while being read?)`);
    at += n;
  }
  return bytes;
}

/** Reads a safetensors file into tensors keyed by name. */
export function loadFile(path: string): Record<string, Tensor> {
  const fn = `safetensors.loadFile`;
  checkPath(path, fn);
  const { fd, stat } = openRegularFile(path, fn);
  let bytes: Uint8Array;
  try {
    if (stat.size > MAX_FILE_SIZE)
      throw new RangeError(
        `${fn}: ${path} is ${stat.size} bytes, more than the ${MAX_FILE_SIZE} bytes one read can hold`,
      );
    bytes = readExactly(fd, stat.size, path, fn);
  } finally {
    closeSync(fd);
  }
  return decode(bytes, `${fn}: ${path}`);
}

/** Parses and validates the header of safetensors bytes: metadata and tensor entries (no tensor data is read). */
export function readHeader(bytes: Uint8Array): Header {
  const fn = 'safetensors.readHeader';
  const { metadata, tensors, headerLength } = parseHeader(checkBytes(bytes, fn), null, (m) => {
    throw new Error(`${fn}: ${m}`);
  });
  return { metadata, tensors, headerLength };
}

/** Reads only the header of a safetensors file (metadata and tensor entries), validated against the file size. */
export function loadHeader(path: string): Header {
  const fn = `safetensors.loadHeader`;
  checkPath(path, fn);
  const fail = (m: string): never => {
    throw new Error(`${fn}: ${path}: ${m}`);
  };
  const { fd, stat } = openRegularFile(path, fn);
  try {
    const size = stat.size;
    const prefix = readExactly(fd, Math.min(8, size), path, fn);
    if (size < 8) fail(`file is ${size} bytes, too short for the 8-byte header length`);
    const n = new DataView(prefix.buffer).getBigUint64(0, true);
    const want = n > BigInt(MAX_HEADER_SIZE) || Number(n) + 8 > size ? 8 : 8 + Number(n);
    const bytes = readExactly(fd, want, path, fn);
    const { metadata, tensors, headerLength } = parseHeader(bytes, size, fail);
    return { metadata, tensors, headerLength };
  } finally {
    closeSync(fd);
  }
}
