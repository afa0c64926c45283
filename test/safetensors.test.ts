// safetensors: byte-exact writing in the reference layout, round trips of every dtype and shape,
// reading a file written by an independent writer (test/fixtures/make_safetensors_fixture.py), and
// an error naming the problem for every kind of bad file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';

const { serialize, deserialize, saveFile, loadFile, readHeader, loadHeader } = tg.safetensors;
const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'tapegrad-st-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const enc = (s: string) => new TextEncoder().encode(s);

/** A file from a header (object or raw text), data bytes, and optionally a forged length prefix. */
function file(
  header: object | string,
  data: ArrayLike<number> = [],
  opts: { pad?: boolean; length?: bigint } = {},
): Uint8Array {
  let text = enc(typeof header === 'string' ? header : JSON.stringify(header));
  if (opts.pad !== false) {
    const padded = new Uint8Array(Math.ceil(text.length / 8) * 8).fill(0x20);
    padded.set(text);
    text = padded;
  }
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.length ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function same(a: tg.Tensor, b: tg.Tensor): void {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  // Bitwise, so NaN payloads and -0 count.
  expect(Array.from(new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength))).toEqual(
    Array.from(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)),
  );
}

describe('safetensors: writing matches the reference layout byte for byte', () => {
  it('one F32 tensor: compact JSON, no padding needed (64 bytes)', () => {
    const t = tg.tensor([0, 1, 2, 3, 4, 5], { dtype: 'float32' }).reshape([1, 2, 3]);
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(Array.from(serialize({ 'attn.0': t }))).toEqual(Array.from(file(header, f32Bytes([0, 1, 2, 3, 4, 5]))));
  });

  it('pads the header with spaces to a multiple of 8, so data starts aligned', () => {
    const t = tg.tensor([0, 1, 2, 3, 4, 5], { dtype: 'float32' }).reshape([1, 1, 2, 3]);
    const bytes = serialize({ attn0: t });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ';
    expect(header.length).toBe(72);
    expect(Array.from(bytes)).toEqual(Array.from(file(header, f32Bytes([0, 1, 2, 3, 4, 5]), { pad: false })));
  });

  it('no tensors: "{}" padded to 8; metadata comes first', () => {
    expect(Array.from(serialize({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const withMeta = serialize({}, { framework: 'pt' });
    expect(Array.from(withMeta)).toEqual(Array.from(file('{"__metadata__":{"framework":"pt"}}')));
    expect(withMeta.length).toBe(48);
  });

  it('orders tensors by dtype alignment (F64, F32, I32, BOOL), then by name in code-point order', () => {
    const bytes = serialize({
      b: tg.tensor([true], { dtype: 'bool' }),
      z32: tg.tensor([1], { dtype: 'float32' }),
      a32: tg.tensor([2], { dtype: 'float32' }),
      i: tg.tensor([3], { dtype: 'int32' }),
      d: tg.tensor([4], { dtype: 'float64' }),
      '10': tg.tensor([5], { dtype: 'float32' }),
      '9': tg.tensor([6], { dtype: 'float32' }),
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const names = [...text.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
    expect(names).toEqual(['d', '10', '9', 'a32', 'z32', 'i', 'b']);
    const header = readHeader(bytes);
    expect(header.tensors.d.dataOffsets).toEqual([0, 8]);
    expect(header.tensors.b.dataOffsets).toEqual([28, 29]);
  });
});

describe('safetensors: round trips', () => {
  const tensors: Record<string, tg.Tensor> = {
    f32: tg.tensor(
      [
        [1.5, -2.25, NaN],
        [Infinity, -0, 3.4028234663852886e38],
      ],
      { dtype: 'float32' },
    ),
    f64: tg.tensor([0.1, -1e-300, -Infinity, 5e-324], { dtype: 'float64' }),
    i32: tg.tensor([[[-2147483648, 2147483647]], [[0, -1]]], { dtype: 'int32' }),
    bool: tg.tensor([true, false, true], { dtype: 'bool' }),
    scalarF32: tg.tensor(42, { dtype: 'float32' }),
    scalarF64: tg.tensor(-1 / 3, { dtype: 'float64' }),
    scalarI32: tg.tensor(7, { dtype: 'int32' }),
    scalarBool: tg.tensor(false, { dtype: 'bool' } as never),
    emptyF32: tg.zeros([0], { dtype: 'float32' }),
    emptyF64: tg.zeros([2, 0, 3], { dtype: 'float64' }),
    emptyI32: tg.zeros([0, 1], { dtype: 'int32' }),
    emptyBool: tg.zeros([0], { dtype: 'bool' }),
    'unicode ∑ 名前 😀': tg.tensor([1, 2], { dtype: 'float32' }),
    '0': tg.tensor([9], { dtype: 'float64' }),
  };
  // A "__proto__" key in an object literal would set the prototype; make it a real entry.
  Object.defineProperty(tensors, '__proto__', { value: tg.tensor([3], { dtype: 'int32' }), enumerable: true });

  it('serialize/deserialize keeps every dtype, 0-d and empty shape, and value bit for bit', () => {
    const back = deserialize(serialize(tensors));
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const name of Object.keys(tensors)) same(tensors[name], back[name]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('saveFile/loadFile with metadata; loadHeader reads only the header', () => {
    const p = path.join(tmp, 'all.safetensors');
    const metadata = { format: 'pt', note: 'ünïcode "quoted" \n newline' };
    saveFile(tensors, p, metadata);
    const back = loadFile(p);
    for (const name of Object.keys(tensors)) same(tensors[name], back[name]);
    const h = loadHeader(p);
    expect(h.metadata).toEqual(metadata);
    expect(h.tensors.f32).toEqual({ dtype: 'F32', shape: [2, 3], dataOffsets: h.tensors.f32.dataOffsets });
    expect(h.tensors.emptyF64).toMatchObject({ dtype: 'F64', shape: [2, 0, 3] });
    expect(h.headerLength % 8).toBe(0);
    expect(readHeader(readFileSync(p)).metadata).toEqual(metadata);
    expect(readHeader(serialize({})).metadata).toBeNull();
  });

  it('a tensor that is a view into a larger buffer writes only its own bytes', () => {
    const big = new Float32Array([9, 1, 2, 3, 9]);
    const view = new tg.Tensor(big.subarray(1, 4), [3], 'float32');
    same(view, deserialize(serialize({ view })).view);
  });

  it('results never alias the input bytes, and unaligned input is copied into aligned storage', () => {
    const src = serialize({ x: tg.tensor([1, 2, 3], { dtype: 'float64' }) });
    const shifted = new Uint8Array(src.length + 1);
    shifted.set(src, 1);
    const x = deserialize(shifted.subarray(1)).x;
    expect(x.data.byteOffset % 8).toBe(0);
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
    shifted.fill(0);
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
  });

  it('round trips model weights: stateDict-like records of float32 parameters', () => {
    tg.manualSeed(5);
    const w = { 'layers.0.weight': tg.randn([16, 8]), 'layers.0.bias': tg.randn([16]) };
    const back = deserialize(serialize(w));
    for (const k of Object.keys(w)) same(w[k as keyof typeof w], back[k]);
  });
});

describe('safetensors: a file written by another tool', () => {
  // test/fixtures/make_safetensors_fixture.py: struct + json only, insertion order, unaligned offsets,
  // Python's default JSON separators, "__metadata__" last.
  const fixture = path.join(here, 'fixtures', 'reference.safetensors');

  it('reads every tensor with the right dtype, shape and values', () => {
    const t = loadFile(fixture);
    expect(Object.keys(t)).toEqual([
      'mask',
      'weight',
      'bias',
      'labels',
      'counts',
      'half',
      'bhalf',
      'bytes',
      'scalar',
      'empty',
    ]);
    expect(t.mask.dtype).toBe('bool');
    expect(t.mask.toArray()).toEqual([true, false, true]);
    expect(t.weight.dtype).toBe('float32');
    expect(t.weight.shape).toEqual([2, 3]);
    expect(Array.from(t.weight.data)).toEqual([1.5, -2.25, 3, Math.fround(0.1), Math.fround(1e-8), -0]);
    expect(Object.is(t.weight.data[5], -0)).toBe(true);
    expect(t.bias.dtype).toBe('float64');
    expect(Array.from(t.bias.data)).toEqual([0.1, -1e300, 2.5]);
    // I64 is read into int32 (every value fits).
    expect(t.labels.dtype).toBe('int32');
    expect(Array.from(t.labels.data)).toEqual([0, 9, -3, 2147483647]);
    expect(t.counts.toArray()).toEqual([
      [1, -2],
      [3, -2147483648],
    ]);
    // F16 and BF16 are widened to float32 exactly.
    expect(t.half.dtype).toBe('float32');
    expect(Array.from(t.half.data)).toEqual([0.5, -65504, 2 ** -24, Infinity]);
    expect(t.bhalf.dtype).toBe('float32');
    expect(Array.from(t.bhalf.data)).toEqual([1, -3.140625]);
    expect(t.bytes.dtype).toBe('int32');
    expect(Array.from(t.bytes.data)).toEqual([0, 255, 7]);
    expect(t.scalar.shape).toEqual([]);
    expect(t.scalar.item()).toBe(42);
    expect(t.empty.shape).toEqual([0, 3]);
    expect(t.empty.size).toBe(0);
    for (const x of Object.values(t)) expect(x.data.byteOffset % x.data.BYTES_PER_ELEMENT).toBe(0);
  });

  it('reads its metadata', () => {
    expect(loadHeader(fixture).metadata).toEqual({ format: 'pt', writer: 'make_safetensors_fixture.py' });
  });

  it('what we write from the loaded tensors reads back the same', () => {
    const t = loadFile(fixture);
    const back = deserialize(serialize(t));
    for (const k of Object.keys(t)) same(t[k], back[k]);
  });
});

describe('safetensors: other dtypes', () => {
  const one = (dtype: string, shape: number[], bytes: number[]) =>
    file({ x: { dtype, shape, data_offsets: [0, bytes.length] } }, bytes);

  it('I8, I16, U16 widen to int32; U32, U64 and I64 read when they fit', () => {
    expect(Array.from(deserialize(one('I8', [2], [0x80, 0x7f])).x.data)).toEqual([-128, 127]);
    expect(Array.from(deserialize(one('I16', [1], [0x00, 0x80])).x.data)).toEqual([-32768]);
    expect(Array.from(deserialize(one('U16', [1], [0xff, 0xff])).x.data)).toEqual([65535]);
    expect(Array.from(deserialize(one('U32', [1], [0xff, 0xff, 0xff, 0x7f])).x.data)).toEqual([2147483647]);
    expect(Array.from(deserialize(one('U64', [1], [5, 0, 0, 0, 0, 0, 0, 0])).x.data)).toEqual([5]);
    expect(Array.from(deserialize(one('I64', [1], [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff])).x.data)).toEqual([
      -2147483648,
    ]);
  });

  it('values outside int32 are an error naming the tensor and element', () => {
    expect(() => deserialize(one('I64', [2], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0]))).toThrow(
      "safetensors.deserialize: tensor 'x' (I64) element 1 is 2147483648, outside the int32 range tapegrad reads I64 into",
    );
    expect(() => deserialize(one('I64', [1], [0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff]))).toThrow(
      "safetensors.deserialize: tensor 'x' (I64) element 0 is -2147483649, outside the int32 range tapegrad reads I64 into",
    );
    expect(() => deserialize(one('U32', [1], [0, 0, 0, 0x80]))).toThrow(
      "tensor 'x' (U32) element 0 is 2147483648, outside the int32 range",
    );
    expect(() => deserialize(one('U64', [1], [0, 0, 0, 0, 1, 0, 0, 0]))).toThrow(
      "tensor 'x' (U64) element 0 is 4294967296, outside the int32 range",
    );
  });

  it('FP8 is not supported; a BOOL byte other than 0/1 is an error', () => {
    expect(() => deserialize(one('F8_E4M3', [1], [0]))).toThrow(
      "safetensors.deserialize: tensor 'x' (F8_E4M3): dtype F8_E4M3 is not supported (tapegrad reads F32, F64, I32, BOOL, and converts F16, BF16, I8, U8, I16, U16, U32, I64, U64)",
    );
    expect(() => deserialize(one('BOOL', [2], [1, 2]))).toThrow(
      "safetensors.deserialize: tensor 'x' (BOOL) element 1 is the byte 2, but a BOOL must be 0 or 1",
    );
  });

  it('F16 subnormals, NaN and signed zero', () => {
    const t = deserialize(one('F16', [4], [0x01, 0x00, 0x00, 0x80, 0x00, 0x7e, 0xff, 0x3b])).x;
    expect(t.data[0]).toBe(2 ** -24);
    expect(Object.is(t.data[1], -0)).toBe(true);
    expect(t.data[2]).toBeNaN();
    expect(t.data[3]).toBe(0.99951171875);
  });
});

describe('safetensors: bad files', () => {
  const P = 'safetensors.deserialize: ';
  const good = {
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
  };
  const data12 = new Array(12).fill(0);

  it('the good file parses (the cases below each break one thing)', () => {
    expect(Object.keys(deserialize(file(good, data12)))).toEqual(['a', 'b']);
  });

  const cases: [string, () => Uint8Array, string][] = [
    ['shorter than 8 bytes', () => new Uint8Array(5), 'file is 5 bytes, too short for the 8-byte header length'],
    [
      'header length beyond the file',
      () => file(good, data12, { length: 1000n }),
      'header length 1000 bytes goes beyond the end of the file (132 bytes, so at most 124)',
    ],
    [
      'header length absurdly large',
      () => file(good, data12, { length: 1n << 60n }),
      'header length 1152921504606846976 bytes exceeds the limit of 100000000 bytes',
    ],
    [
      'header not UTF-8',
      () => {
        const f = file('{"a":1}');
        f[10] = 0xff;
        return f;
      },
      'header (bytes 8..16) is not valid UTF-8',
    ],
    [
      'header not an object',
      () => file('[1, 2]'),
      'header (bytes 8..16) must be a JSON object starting with \'{\', got "[1, 2]  "',
    ],
    ['header not JSON', () => file('{"a": '), 'header (bytes 8..16) is not valid JSON: '],
    [
      'duplicate tensor names',
      () =>
        file(
          '{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}',
          [0, 0, 0, 0],
        ),
      "header: duplicate key 'a'",
    ],
    [
      'duplicate field inside an entry',
      () => file('{"a":{"dtype":"F32","dtype":"F64","shape":[],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      "header: duplicate key 'dtype' inside a nested object",
    ],
    [
      'duplicate key with an escaped spelling',
      () => file('{"__metadata__":{"k":"1","\\u006b":"2"}}'),
      "header: duplicate key 'k' inside a nested object",
    ],
    [
      'metadata not an object',
      () => file({ __metadata__: ['x'] }),
      'header: "__metadata__" must be an object of strings, got an array',
    ],
    [
      'metadata value not a string',
      () => file({ __metadata__: { epochs: 3 } }),
      'header: "__metadata__" entry \'epochs\' must be a string, got a number (3)',
    ],
    [
      'entry not an object',
      () => file({ a: 3 }),
      "header: tensor 'a' must be an object with dtype, shape and data_offsets, got a number (3)",
    ],
    [
      'missing dtype',
      () => file({ a: { shape: [], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      'header: tensor \'a\' has no string "dtype", got undefined',
    ],
    [
      'unknown dtype',
      () => file({ a: { dtype: 'F128', shape: [], data_offsets: [0, 16] } }, new Array(16).fill(0)),
      "header: tensor 'a' has unknown dtype 'F128' (known: BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)",
    ],
    [
      'negative dim',
      () => file({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      'header: tensor \'a\' "shape" must be an array of non-negative integers, got [-1]',
    ],
    [
      'fractional dim',
      () => file({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      'header: tensor \'a\' "shape" must be an array of non-negative integers, got [1.5]',
    ],
    [
      'offsets not a pair',
      () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, [0, 0, 0, 0]),
      'header: tensor \'a\' "data_offsets" must be [begin, end] with non-negative integers, got [0,4,8]',
    ],
    [
      'negative offset',
      () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }),
      'header: tensor \'a\' "data_offsets" must be [begin, end] with non-negative integers, got [-4,0]',
    ],
    [
      'end before begin',
      () => file({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, [0, 0, 0, 0]),
      "header: tensor 'a' has data_offsets [4, 0] with end before begin",
    ],
    [
      'shape × dtype size ≠ byte span',
      () => file({ a: { dtype: 'F64', shape: [2, 3], data_offsets: [0, 24] } }, new Array(24).fill(0)),
      "header: tensor 'a' is F64 [2, 3], which needs 48 bytes, but data_offsets [0, 24] span 24",
    ],
    [
      'overlapping tensors',
      () =>
        file(
          {
            a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          },
          new Array(8).fill(0),
        ),
      "header: tensor 'b' data_offsets [4, 8] overlap tensor 'a' (which ends at 8)",
    ],
    [
      'gap between tensors',
      () =>
        file(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
          },
          data12,
        ),
      "header: tensor 'b' data_offsets [8, 12] leave a gap: bytes 4..8 of the data belong to no tensor",
    ],
    [
      'first tensor not at 0',
      () => file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0)),
      "header: tensor 'a' data_offsets [4, 8] leave a gap: bytes 0..4 of the data belong to no tensor",
    ],
    [
      'truncated data',
      () => file(good, new Array(10).fill(0)),
      "header: tensor 'b' data_offsets end at 12, beyond the 10 data bytes in the file (is it truncated?)",
    ],
    [
      'trailing bytes',
      () => file(good, new Array(15).fill(0)),
      'the tensors cover 12 data bytes but the file has 15 after the header (trailing bytes 12..15 belong to no tensor)',
    ],
    [
      'shape too large',
      () => file({ a: { dtype: 'F64', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Array(8).fill(0)),
      "header: tensor 'a' shape [1099511627776, 1099511627776] is too large",
    ],
  ];
  for (const [what, make, message] of cases)
    it(what, () => {
      expect(() => deserialize(make())).toThrow(P + message);
    });

  it('loadFile and loadHeader name the file', () => {
    const p = path.join(tmp, 'truncated.safetensors');
    writeFileSync(p, file(good, new Array(10).fill(0)));
    expect(() => loadFile(p)).toThrow(
      `safetensors.loadFile: ${p}: header: tensor 'b' data_offsets end at 12, beyond the 10 data bytes in the file (is it truncated?)`,
    );
    expect(() => loadHeader(p)).toThrow(
      `safetensors.loadHeader: ${p}: header: tensor 'b' data_offsets end at 12, beyond the 10 data bytes in the file (is it truncated?)`,
    );
    const q = path.join(tmp, 'short.safetensors');
    writeFileSync(q, file(good, data12, { length: 500n }));
    expect(() => loadHeader(q)).toThrow(
      `safetensors.loadHeader: ${q}: header length 500 bytes goes beyond the end of the file (132 bytes, so at most 124)`,
    );
    writeFileSync(q, new Uint8Array(3));
    expect(() => loadHeader(q)).toThrow(
      `safetensors.loadHeader: ${q}: file is 3 bytes, too short for the 8-byte header length`,
    );
    expect(() => loadFile(path.join(tmp, 'missing.safetensors'))).toThrow(/ENOENT/);
  });
});

describe('safetensors: bad arguments', () => {
  const x = tg.tensor([1]);
  it('serialize / saveFile', () => {
    expect(() => serialize(null as never)).toThrow(
      new TypeError(
        "safetensors.serialize: argument 'tensors' must be an object or a Map mapping names to Tensors, got null",
      ),
    );
    expect(() => serialize(x as never)).toThrow(
      new TypeError(
        "safetensors.serialize: argument 'tensors' must be an object or a Map mapping names to Tensors, got an object (Tensor)",
      ),
    );
    expect(() => serialize({ a: [1, 2] } as never)).toThrow(
      new TypeError("safetensors.serialize: argument 'tensors' entry 'a' must be a Tensor, got an array"),
    );
    expect(() => serialize({ __metadata__: x })).toThrow(
      new RangeError(
        "safetensors.serialize: argument 'tensors' may not have an entry named '__metadata__' (reserved for metadata)",
      ),
    );
    expect(() => serialize({ x }, { epochs: 3 } as never)).toThrow(
      new TypeError("safetensors.serialize: argument 'metadata' entry 'epochs' must be a string, got a number (3)"),
    );
    expect(() => serialize({ x }, 'pt' as never)).toThrow(
      new TypeError("safetensors.serialize: argument 'metadata' must be an object of string values, got a string (pt)"),
    );
    expect(() => saveFile({ x }, 3 as never)).toThrow(
      new TypeError("safetensors.saveFile: argument 'path' must be a string, got a number (3)"),
    );
    expect(() => saveFile({ x: 1 } as never, path.join(tmp, 'never.safetensors'))).toThrow(
      new TypeError("safetensors.saveFile: argument 'tensors' entry 'x' must be a Tensor, got a number (1)"),
    );
  });
  it('deserialize / loadFile / readHeader', () => {
    expect(() => deserialize([1, 2] as never)).toThrow(
      new TypeError("safetensors.deserialize: argument 'bytes' must be a Uint8Array, got an array"),
    );
    expect(() => readHeader(new ArrayBuffer(8) as never)).toThrow(
      new TypeError("safetensors.readHeader: argument 'bytes' must be a Uint8Array, got an object (ArrayBuffer)"),
    );
    expect(() => loadFile(undefined as never)).toThrow(
      new TypeError("safetensors.loadFile: argument 'path' must be a string, got undefined"),
    );
  });
});
