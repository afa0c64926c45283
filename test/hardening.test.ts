// Hardened public entry points: bad input throws an error whose class and message (naming the public
// function and the argument, what was expected and what was given) are checked exactly, nothing
// crashes, hangs or silently computes wrong numbers, and valid input still works. One `it` per item.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import { softmaxBackward } from '../lib/ops/softmax.js';
import { empty } from '../lib/nn/util.js';

/** The end of the error for a tensor of this shape whose ArrayBuffer was transferred away. */
const noStorage = (shape: string) =>
  `has no storage: its ArrayBuffer was transferred or detached (shape ${shape}, 0 elements readable). Clone a tensor before transferring its buffer.`;

/** Transfers t's ArrayBuffer away (as posting it to a worker would) and returns t. */
function transferAway(t: tg.Tensor): tg.Tensor {
  const buf = t.data.buffer as ArrayBuffer;
  structuredClone(buf, { transfer: [buf] });
  return t;
}

/** fn must throw an instance of exactly `cls` with exactly `message`. */
function expectError(
  fn: () => unknown,
  cls: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor,
  message: string,
): void {
  let caught: unknown;
  let threw = false;
  try {
    fn();
  } catch (e) {
    threw = true;
    caught = e;
  }
  expect(threw, `expected ${cls.name}: ${message}`).toBe(true);
  expect((caught as Error).message).toBe(message);
  expect((caught as Error).constructor).toBe(cls);
}

describe('hardening', () => {
  it('1. internal helpers are not in tg; softmaxBackward validates dim and shapes', () => {
    const api = tg as unknown as Record<string, unknown>;
    for (const name of ['softmaxBackward', 'matmulT', 'sumTo']) expect(api[name]).toBeUndefined();
    // what README documents stays
    for (const name of ['matmul', 'softmax', 'logSoftmax', 'expand', 'sum', 'var', 'std', 'clone', 'cat', 'stack'])
      expect(typeof api[name]).toBe('function');

    const y = tg.softmax(
      tg.tensor(
        [
          [1, 2, 3],
          [0, 0, 1],
        ],
        { dtype: 'float64' },
      ),
      1,
    );
    const g = tg.tensor(
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
      { dtype: 'float64' },
    );
    expectError(
      () => softmaxBackward(y, g, Infinity, false),
      TypeError,
      'softmaxBackward: dim must be an integer, got Infinity',
    );
    expectError(() => softmaxBackward(y, g, NaN, false), TypeError, 'softmaxBackward: dim must be an integer, got NaN');
    expectError(
      () => softmaxBackward(y, g, 2, false),
      RangeError,
      'softmaxBackward: dim 2 is out of range for a tensor of rank 2 (expected -2..1)',
    );
    expectError(
      () => softmaxBackward(y, tg.zeros([2, 2], { dtype: 'float64' }), 1, false),
      RangeError,
      "softmaxBackward: arguments 'y' and 'g' must have the same shape, got y [2, 3] and g [2, 2]",
    );
    expectError(
      () => softmaxBackward(y, g, '1' as any, false),
      TypeError,
      "softmaxBackward: argument 'dim' must be an integer, got a string (1)",
    );
    expectError(
      () => softmaxBackward(y, g, 1, 1 as any),
      TypeError,
      "softmaxBackward: argument 'log' must be a boolean, got a number (1)",
    );
    // valid input: the softmax gradient, along a negative dim too
    const x = tg.tensor(
      [
        [1, 2, 3],
        [0, 0, 1],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    tg.softmax(x, 1).backward(g);
    expect(Array.from(softmaxBackward(y, g, -1, false).data)).toEqual(Array.from(x.grad!.data));
  });

  it('2. new tg.Tensor(data, shape, dtype) validates its arguments like tg.tensor', () => {
    expectError(
      () => new tg.Tensor(new Float32Array(10), [1e9]),
      RangeError,
      'Tensor: shape [1000000000] holds 1000000000 elements but the data has 10',
    );
    expectError(
      () => new tg.Tensor(new Float32Array(4), [2, 3]),
      RangeError,
      'Tensor: shape [2, 3] holds 6 elements but the data has 4',
    );
    expectError(
      () => new tg.Tensor([1, 2] as any, [2]),
      TypeError,
      "Tensor: argument 'data' must be a Float32Array, Float64Array, Int32Array or Uint8Array, got an array",
    );
    expectError(
      () => new tg.Tensor(new Int16Array(2) as any, [2]),
      TypeError,
      "Tensor: argument 'data' must be a Float32Array, Float64Array, Int32Array or Uint8Array, got an Int16Array",
    );
    expectError(
      () => new tg.Tensor(new Float32Array(2), 2 as any),
      TypeError,
      "Tensor: argument 'shape' must be an array of non-negative integers, got a number (2)",
    );
    expectError(
      () => new tg.Tensor(new Float32Array(2), [2.5] as any),
      TypeError,
      "Tensor: argument 'shape' must be an array of non-negative integers, got [2.5] (entry 0 is a number (2.5))",
    );
    expectError(
      () => new tg.Tensor(new Float32Array(0), [-1, 0]),
      RangeError,
      "Tensor: argument 'shape' must be an array of non-negative integers, got [-1,0] (entry 0 is negative)",
    );
    expectError(
      () => new tg.Tensor(new Float32Array(2), [2], 'float64'),
      TypeError,
      "Tensor: argument 'dtype' is float64 but the data is a Float32Array, which stores float32",
    );
    expectError(
      () => new tg.Tensor(new Float32Array(2), [2], 'half' as any),
      TypeError,
      `Tensor: argument 'dtype' must be 'float32', 'float64', 'int32' or 'bool', got "half"`,
    );
    expectError(
      () => new tg.Tensor(new Float32Array(2), [2], undefined, 3 as any),
      TypeError,
      "Tensor: argument 'version' must be a version counter { version: number } from another tensor, got a number (3)",
    );
    // valid input: wraps without copying the data, copies the shape, infers the dtype
    const data = new Int32Array([1, 2, 3, 4, 5, 6]);
    const shape = [2, 3];
    const t = new tg.Tensor(data, shape);
    shape[0] = 7;
    expect(t.shape).toEqual([2, 3]);
    expect(t.data).toBe(data);
    expect(t.dtype).toBe('int32');
    expect(new tg.Tensor(new Uint8Array(1), [], 'bool').toString()).toBe('tensor(false, dtype=bool)');
    expect(new tg.Tensor(new Float64Array([1, 2]), [2]).add(1).toArray()).toEqual([2, 3]);
  });

  it('3. assigning .grad accepts null or a Tensor of the same shape and dtype only', () => {
    const x = tg.ones([2, 3], { requiresGrad: true });
    expectError(
      () => (x.grad = tg.zeros([3])),
      RangeError,
      'grad: the assigned gradient has shape [3] but the tensor has shape [2, 3]',
    );
    expectError(
      () => (x.grad = tg.zeros([2, 3], { dtype: 'float64' })),
      TypeError,
      'grad: the assigned gradient has dtype float64 but the tensor has dtype float32',
    );
    expectError(
      () => (x.grad = 'abc' as any),
      TypeError,
      'grad: the assigned value must be null or a Tensor, got a string (abc)',
    );
    expectError(
      () => (x.grad = undefined as any),
      TypeError,
      'grad: the assigned value must be null or a Tensor, got undefined',
    );
    expectError(() => (x.grad = x), Error, 'grad: a tensor cannot be assigned as its own gradient');
    expect(x.grad).toBe(null); // refused assignments leave grad alone
    // valid: a same-shape tensor, which backward then accumulates into; and null clears it
    x.grad = tg.full([2, 3], 10);
    x.mul(2).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([12, 12, 12, 12, 12, 12]);
    x.grad = null;
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3, 3, 3, 3, 3]);
    // grad is an accessor, not an own field (so it cannot be bypassed by a plain assignment)
    expect(Object.getOwnPropertyDescriptor(x, 'grad')).toBeUndefined();
  });

  it('4. fill_ on int32 refuses what full refuses (3e9, NaN); bool and in-range values still work', () => {
    const x = tg.zeros([3], { dtype: 'int32' });
    const limit = 'cannot be stored in an int32 tensor (range -2147483648..2147483647)';
    expectError(() => x.fill_(3e9), RangeError, `fill_: value 3000000000 ${limit}`);
    expectError(() => x.fill_(NaN), RangeError, `fill_: value NaN ${limit}`);
    expectError(() => tg.full([3], 3e9, { dtype: 'int32' }), RangeError, `full: value 3000000000 ${limit}`);
    expectError(() => tg.full([3], NaN, { dtype: 'int32' }), RangeError, `full: value NaN ${limit}`);
    expectError(() => x.fill_(2n as any), TypeError, "fill_: argument 'value' must be a number, got a bigint (2n)");
    expect(Array.from(x.data)).toEqual([0, 0, 0]); // nothing was written by the refused fills
    expect(Array.from(x.fill_(-7.9).data)).toEqual([-7, -7, -7]); // truncates toward zero, as PyTorch
    expect(Array.from(x.fill_(2147483647).data)).toEqual([2147483647, 2147483647, 2147483647]);
    expect(Array.from(tg.zeros([2], { dtype: 'bool' }).fill_(NaN).data)).toEqual([1, 1]);
    expect(Array.from(tg.zeros([2]).fill_(NaN).data)).toEqual([NaN, NaN]);
  });

  it('5. oversized shapes are refused before anything is allocated, naming the function', () => {
    const limit = 'more than the limit of 2147483647 (2^31 - 1) elements per tensor';
    expectError(
      () => tg.zeros([2 ** 27, 2 ** 27]),
      RangeError,
      `zeros: shape [134217728, 134217728] has 18014398509481984 elements, ${limit}`,
    );
    expectError(
      () => tg.ones([2 ** 31]),
      RangeError,
      "ones: argument 'shape' [2147483648] has a size above the limit of 2147483647 elements",
    );
    expectError(
      () => tg.rand([1e5, 1e5]),
      RangeError,
      `rand: shape [100000, 100000] has 10000000000 elements, ${limit}`,
    );
    expectError(
      () => tg.randn([1e5, 1e5]),
      RangeError,
      `randn: shape [100000, 100000] has 10000000000 elements, ${limit}`,
    );
    expectError(() => tg.eye(1e5), RangeError, `eye: shape [100000, 100000] has 10000000000 elements, ${limit}`);
    expectError(
      () => tg.arange(0, 1e12),
      RangeError,
      `arange: start 0, end 1000000000000 and step 1 give 1000000000000 elements, ${limit}`,
    );
    expectError(
      () => tg.full([2 ** 16, 2 ** 16], 1),
      RangeError,
      `full: shape [65536, 65536] has 4294967296 elements, ${limit}`,
    );
    expectError(
      () => tg.zeros([1.5]),
      TypeError,
      "zeros: argument 'shape' must be an array of non-negative integers, got [1.5] (entry 0 is a number (1.5))",
    );
    expectError(
      () => tg.zeros([Infinity]),
      TypeError,
      "zeros: argument 'shape' must be an array of non-negative integers, got [Infinity] (entry 0 is a number (Infinity))",
    );
    expectError(
      () => tg.zeros([NaN]),
      TypeError,
      "zeros: argument 'shape' must be an array of non-negative integers, got [NaN] (entry 0 is a number (NaN))",
    );
    expectError(
      () => tg.zeros(-2),
      RangeError,
      "zeros: argument 'shape' must be an array of non-negative integers, got [-2] (entry 0 is negative)",
    );
    expectError(
      () => tg.tensor(new Float32Array(4), { shape: [2, -2] }),
      RangeError,
      "tensor: option 'shape' must be an array of non-negative integers, got [2,-2] (entry 1 is negative)",
    );
    // requiresGrad on an int32 tensor is refused before a 400 MB fill (the message comes first, no allocation)
    expectError(
      () => tg.full([1e8], 1, { dtype: 'int32', requiresGrad: true }),
      TypeError,
      "full: option 'requiresGrad' is true but only float32 and float64 tensors can require gradients, got dtype int32",
    );
    expectError(
      () => tg.zeros([1e5, 1]).add(tg.zeros([1, 1e5])),
      RangeError,
      `add: the broadcast shape [100000, 100000] has 10000000000 elements, ${limit}`,
    );
    expectError(
      () => tg.full([1e8], 2 ** 40, { dtype: 'int32' }),
      RangeError,
      'full: value 1099511627776 cannot be stored in an int32 tensor (range -2147483648..2147483647)',
    );
    expectError(
      () => tg.arange(0, 5e9, 2e9, { dtype: 'int32' }),
      RangeError,
      'arange: value 4000000000 cannot be stored in an int32 tensor (range -2147483648..2147483647)',
    );
    // valid input still works, including empty and 0-d shapes
    expect(tg.zeros([0, 2 ** 20]).shape).toEqual([0, 1048576]);
    expect(tg.zeros([]).shape).toEqual([]);
    expect(Array.from(tg.eye(2, 3).data)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(Array.from(tg.arange(0, 3e9, 1e9).data)).toEqual([0, 1e9, 2e9]);
    expect(Array.from(tg.arange(4, { dtype: 'int32' }).data)).toEqual([0, 1, 2, 3]); // options right after the numbers, as PyTorch's keyword
    expect(tg.arange(1, 3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.full([2], 1, { dtype: 'float64', requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('6. BigInt values in arguments give a TypeError, not a JSON serialisation error', () => {
    expectError(
      () => tg.zeros([2n] as any),
      TypeError,
      "zeros: argument 'shape' must be an array of non-negative integers, got [2n] (entry 0 is a bigint (2n))",
    );
    expectError(
      () => tg.zeros(2n as any),
      TypeError,
      "zeros: argument 'shape' must be an array of non-negative integers, got a bigint (2n)",
    );
    expectError(
      () => tg.tensor([1, 2], { shape: [2n] } as any),
      TypeError,
      "tensor: option 'shape' must be an array of non-negative integers, got [2n] (entry 0 is a bigint (2n))",
    );
    expectError(
      () => tg.zeros([2], { dtype: 5n } as any),
      TypeError,
      `zeros: dtype must be 'float32', 'float64', 'int32' or 'bool', got 5n`,
    );
    expectError(
      () => tg.tensor([1n] as any),
      TypeError,
      'tensor: data must be a number, a nested array of numbers or a typed array, got a bigint (1n)',
    );
    expectError(
      () => tg.zeros([2, 3]).sum([0, 0n] as any),
      TypeError,
      'sum: dim must be an integer, got a bigint (0n)',
    );
    expectError(
      () => tg.ones([2]).add(1n as any),
      TypeError,
      "add: argument 'b' must be a Tensor or a number, got a bigint (1n)",
    );
    expectError(
      () => tg.manualSeed(1n as any),
      TypeError,
      'manualSeed: seed must be a finite number, got a bigint (1n)',
    );
    expectError(
      () => tg.manualSeed(Object.create(null)),
      TypeError,
      'manualSeed: seed must be a finite number, got an object (Object)',
    );
  });

  it('7. safetensors: saveFile is atomic, loadFile refuses non-regular files at once, Maps are accepted', () => {
    const { saveFile, loadFile, loadHeader, serialize, deserialize } = tg.safetensors;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-hardening-'));
    try {
      const file = path.join(dir, 'model.safetensors');
      saveFile({ w: tg.tensor([1, 2, 3]) }, file);
      const before = fs.readFileSync(file);
      // A write that fails mid-way (the second chunk of a 64 MiB tensor) leaves the old file intact and no temporary file.
      const big = { w: tg.zeros([1 << 24]) };
      const realWrite = fs.writeSync;
      let calls = 0;
      (fs as any).writeSync = (...args: unknown[]) => {
        if (++calls === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return (realWrite as any)(...args);
      };
      syncBuiltinESMExports();
      try {
        expectError(
          () => saveFile(big, file),
          Error,
          `safetensors.saveFile: cannot write ${file}: ENOSPC: no space left on device, write`,
        );
      } finally {
        (fs as any).writeSync = realWrite;
        syncBuiltinESMExports();
      }
      expect(calls).toBe(2);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);
      // An argument error comes before the file system is touched.
      expectError(
        () => saveFile({ w: 1 } as any, file),
        TypeError,
        "safetensors.saveFile: argument 'tensors' entry 'w' must be a Tensor, got a number (1)",
      );
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      // Writing over a directory fails with the function's name and leaves nothing behind.
      expect(() => saveFile({ w: tg.ones([1]) }, dir)).toThrow(
        new RegExp(`^safetensors\\.saveFile: cannot write ${dir}: E`),
      );
      expect(fs.readdirSync(dir)).toEqual(['model.safetensors']);

      // loadFile / loadHeader: a directory, a FIFO without a writer and /dev/zero fail at once.
      expectError(
        () => loadFile(dir),
        Error,
        `safetensors.loadFile: ${dir} is a directory; expected a regular safetensors file`,
      );
      const fifo = path.join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      expectError(
        () => loadFile(fifo),
        Error,
        `safetensors.loadFile: ${fifo} is a FIFO; expected a regular safetensors file`,
      );
      expectError(
        () => loadHeader(fifo),
        Error,
        `safetensors.loadHeader: ${fifo} is a FIFO; expected a regular safetensors file`,
      );
      expectError(
        () => loadFile('/dev/zero'),
        Error,
        'safetensors.loadFile: /dev/zero is a character device; expected a regular safetensors file',
      );
      const missing = path.join(dir, 'missing.safetensors');
      expectError(
        () => loadFile(missing),
        Error,
        `safetensors.loadFile: cannot open ${missing}: ENOENT: no such file or directory, open '${missing}'`,
      );
      expect(Array.from(loadFile(file).w.data)).toEqual([1, 2, 3]);

      // A Map is written as its entries (it was an empty file), in serialize and saveFile.
      const map = new Map([
        ['a', tg.tensor([1, 2])],
        ['b', tg.tensor([[3]], { dtype: 'int32' })],
      ]);
      const back = deserialize(serialize(map));
      expect(Object.keys(back).sort()).toEqual(['a', 'b']);
      expect(Array.from(back.b.data)).toEqual([3]);
      saveFile(map, file);
      expect(Object.keys(loadFile(file)).sort()).toEqual(['a', 'b']);
      expect(serialize(map)).toEqual(serialize({ a: map.get('a')!, b: map.get('b')! }));
      expectError(
        () => serialize(new Map([[1, tg.ones([1])]]) as any),
        TypeError,
        "safetensors.serialize: argument 'tensors' has a key that is not a string: a number (1)",
      );
      expectError(
        () => serialize([tg.ones([1])] as any),
        TypeError,
        "safetensors.serialize: argument 'tensors' must be an object or a Map mapping names to Tensors, got an array",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('8a. creation options: requiresGrad must be a boolean, options an object, no unknown keys', () => {
    for (const [name, make] of [
      ['tensor', (o: any) => tg.tensor([1, 2], o)],
      ['tensor', (o: any) => tg.tensor(3, o)],
      ['zeros', (o: any) => tg.zeros([2], o)],
      ['ones', (o: any) => tg.ones([2], o)],
      ['full', (o: any) => tg.full([2], 1, o)],
      ['rand', (o: any) => tg.rand([2], o)],
      ['randn', (o: any) => tg.randn([2], o)],
      ['arange', (o: any) => tg.arange(0, 2, 1, o)],
      ['eye', (o: any) => tg.eye(2, 2, o)],
      ['zerosLike', (o: any) => tg.zerosLike(tg.ones([2]), o)],
      ['onesLike', (o: any) => tg.onesLike(tg.ones([2]), o)],
    ] as [string, (o: any) => tg.Tensor][]) {
      expectError(
        () => make({ requiresGrad: 1 }),
        TypeError,
        `${name}: option 'requiresGrad' must be a boolean, got a number (1)`,
      );
      expectError(
        () => make({ requiresGrad: 'yes' }),
        TypeError,
        `${name}: option 'requiresGrad' must be a boolean, got a string (yes)`,
      );
      const keys = name === 'tensor' ? 'dtype, requiresGrad, shape' : 'dtype, requiresGrad';
      expectError(
        () => make({ requires_grad: true }),
        TypeError,
        `${name}: unknown option 'requires_grad' (known options: ${keys})`,
      );
      const shape = name === 'tensor' ? 'dtype?, requiresGrad?, shape?' : 'dtype?, requiresGrad?';
      if (name !== 'arange' && name !== 'eye')
        // a number there is a size, not options
        expectError(
          () => make('float64'),
          TypeError,
          `${name}: argument 'options' must be an object { ${shape} }, got a string (float64); pass the dtype as { dtype: 'float64' }`,
        );
      expectError(() => make(null), TypeError, `${name}: argument 'options' must be an object { ${shape} }, got null`);
      expect(make({ requiresGrad: true }).requiresGrad).toBe(true);
      expect(make({ requiresGrad: false }).requiresGrad).toBe(false);
      expect(make({ dtype: 'float64' }).dtype).toBe('float64');
    }
    // zerosLike keeps x's dtype unless told otherwise, also when dtype is present but undefined
    const i = tg.tensor([1, 2], { dtype: 'int32' });
    expect(tg.zerosLike(i).dtype).toBe('int32');
    expect(tg.onesLike(i, { dtype: undefined }).dtype).toBe('int32');
  });
  it('8b. layers, optimizers and LR schedulers validate their arguments when built', () => {
    const nn = tg.nn;
    expectError(
      () => new nn.ELU('abc' as any),
      TypeError,
      "ELU: argument 'alpha' must be a finite number, got a string (abc)",
    );
    expectError(() => new nn.ELU(NaN), TypeError, "ELU: argument 'alpha' must be a finite number, got a number (NaN)");
    expectError(
      () => new nn.LeakyReLU(true as any),
      TypeError,
      "LeakyReLU: argument 'negativeSlope' must be a finite number, got a boolean (true)",
    );
    expect(new nn.LeakyReLU(Object.create(null)).negativeSlope).toBe(0.01); // an empty options object means the default
    expectError(
      () => new nn.LeakyReLU({ slope: 0.1 } as any),
      TypeError,
      "LeakyReLU: unknown option 'slope' (known options: negativeSlope)",
    );
    expectError(
      () => new nn.Softplus([NaN] as any),
      TypeError,
      "Softplus: argument 'beta' must be a finite number, got an array",
    );
    expectError(
      () => new nn.Softplus(0),
      RangeError,
      "Softplus: argument 'beta' must be nonzero (the output is divided by it), got 0",
    );
    expectError(
      () => new nn.Softplus(1, Infinity),
      TypeError,
      "Softplus: argument 'threshold' must be a finite number, got a number (Infinity)",
    );
    expectError(() => new nn.Softmax(2.5), TypeError, "Softmax: argument 'dim' must be an integer, got a number (2.5)");
    expectError(
      () => new (nn.LogSoftmax as any)(),
      TypeError,
      "LogSoftmax: argument 'dim' must be an integer, got undefined",
    );
    expectError(
      () => new nn.GELU('tanh' as any),
      TypeError,
      `GELU: argument 'options' must be an object { approximate? }, got a string (tanh); pass { approximate: "tanh" }`,
    );
    expectError(
      () => new nn.GELU(null as any),
      TypeError,
      "GELU: argument 'options' must be an object { approximate? }, got null",
    );
    expectError(
      () => new nn.Dropout('0.5' as any),
      TypeError,
      'Dropout: probability p must be a number in [0, 1], got a string (0.5)',
    );
    expectError(
      () => new nn.LayerNorm(4, '' as any),
      TypeError,
      "LayerNorm: argument 'options' must be an object { eps?, elementwiseAffine?, dtype? }, got a string ()",
    );
    expectError(
      () => new nn.Embedding(3, 0, 1e20 as any),
      TypeError,
      "Embedding: argument 'options' must be an object { dtype? }, got a number (100000000000000000000)",
    );
    expectError(
      () => new nn.Embedding(0, 1, null as any),
      TypeError,
      "Embedding: argument 'options' must be an object { dtype? }, got null",
    );
    expectError(
      () => new nn.Linear('3' as any, 4),
      TypeError,
      "Linear: argument 'inFeatures' must be a non-negative integer, got a string (3)",
    );
    expectError(
      () => new nn.Linear(3, 4, 'no' as any),
      TypeError,
      "Linear: argument 'options' must be an object { bias?, dtype? }, got a string (no)",
    );
    expectError(
      () => new nn.Linear(1e6, 1e6),
      RangeError,
      'Linear: shape [1000000, 1000000] has 1000000000000 elements, more than the limit of 2147483647 (2^31 - 1) elements per tensor',
    );
    // valid layers: numbers or options objects
    expect(new nn.ELU({ alpha: 0.5 }).alpha).toBe(0.5);
    expect(new nn.LeakyReLU(0.2).negativeSlope).toBe(0.2);
    expect(new nn.Softplus({ beta: 2, threshold: 10 }).threshold).toBe(10);
    expect(new nn.Softmax({ dim: -1 }).forward(tg.zeros([2])).toArray()).toEqual([0.5, 0.5]);
    expect(new nn.GELU({ approximate: 'tanh' }).approximate).toBe('tanh');
    expect(new nn.Dropout({ p: 0.25 }).p).toBe(0.25);

    // optimizers: options named, checked in the constructor (also the defaults under explicit groups)
    const p = tg.ones([2], { requiresGrad: true });
    expectError(
      () => new tg.optim.SGD([p], { lr: NaN }),
      TypeError,
      "SGD: option 'lr' must be a finite number in [0, Infinity), got a number (NaN)",
    );
    expectError(
      () => new tg.optim.SGD([p], { lr: Infinity }),
      RangeError,
      "SGD: option 'lr' must be a finite number in [0, Infinity), got Infinity",
    );
    expectError(
      () => new tg.optim.SGD([{ params: [p], lr: 0.1 }], { lr: -1 }),
      RangeError,
      "SGD: option 'lr' must be a finite number in [0, Infinity), got -1",
    );
    expectError(
      () => new tg.optim.SGD([p], { lr: 0.1, momentum: '0.9' as any }),
      TypeError,
      "SGD: option 'momentum' must be a finite number in [0, Infinity), got a string (0.9)",
    );
    expectError(
      () => new tg.optim.SGD([p], { lr: 0.1, weight_decay: 0.1 } as any),
      TypeError,
      "SGD: unknown option 'weight_decay' (known options: lr, momentum, dampening, nesterov, weightDecay, maximize)",
    );
    expectError(
      () => new tg.optim.Adam([p], { betas: [0.9, 1] }),
      RangeError,
      "Adam: option 'betas' entry 1 must be a finite number in [0, 1), got 1",
    );
    expectError(
      () => new tg.optim.Adam([p], { betas: 0.9 as any }),
      TypeError,
      "Adam: option 'betas' must be a pair [beta1, beta2], got a number (0.9)",
    );
    expectError(
      () => new tg.optim.AdamW([p], { eps: -1e-8 }),
      RangeError,
      "AdamW: option 'eps' must be a finite number in [0, Infinity), got -1e-8",
    );
    expectError(
      () => new tg.optim.AdamW([p], { weightDecay: Infinity }),
      RangeError,
      "AdamW: option 'weightDecay' must be a finite number in [0, Infinity), got Infinity",
    );
    const opt = new tg.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    expectError(
      () => opt.zeroGrad(1 as any),
      TypeError,
      "SGD.zeroGrad: argument 'setToNone' must be a boolean, got a number (1)",
    );
    p.sum().backward();
    opt.step();
    const sd = opt.stateDict();
    const bad = (groups: unknown[]) =>
      ({ state: sd.state, paramGroups: [{ ...sd.paramGroups[0], params: groups }] }) as any;
    expectError(
      () => opt.loadStateDict(bad([5])),
      RangeError,
      'SGD.loadStateDict: parameter group 0 lists parameter index 5, out of range for 1 parameters (expected 0..0)',
    );
    expectError(
      () => opt.loadStateDict(bad([0.5])),
      TypeError,
      'SGD.loadStateDict: parameter group 0 lists a number (0.5) at position 0; parameter indices must be integers',
    );
    expectError(
      () => opt.loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0], lr: NaN }] }),
      TypeError,
      "SGD: option 'lr' must be a finite number in [0, Infinity), got a number (NaN)",
    );
    const two = new tg.optim.SGD([tg.ones([1], { requiresGrad: true }), tg.ones([1], { requiresGrad: true })], {
      lr: 0.1,
    });
    expectError(
      () => two.loadStateDict({ state: {}, paramGroups: [{ ...two.stateDict().paramGroups[0], params: [0, 0] }] }),
      RangeError,
      'SGD.loadStateDict: parameter index 0 is listed more than once',
    );
    opt.loadStateDict(sd); // valid
    expect(opt.paramGroups[0].lr).toBe(0.1);

    // LR schedulers
    const sched = new tg.optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    expectError(
      () => sched.loadStateDict({ lastEpoch: NaN, baseLrs: [0.1] }),
      RangeError,
      "StepLR.loadStateDict: 'lastEpoch' must be a non-negative integer, got NaN",
    );
    expectError(
      () => sched.loadStateDict({ lastEpoch: 1.5, baseLrs: [0.1] }),
      RangeError,
      "StepLR.loadStateDict: 'lastEpoch' must be a non-negative integer, got 1.5",
    );
    expectError(
      () => sched.loadStateDict({ lastEpoch: 1, baseLrs: [NaN] }),
      TypeError,
      "StepLR.loadStateDict: 'baseLrs' entry 0 must be a finite number >= 0, got a number (NaN)",
    );
    expectError(
      () => sched.loadStateDict({ lastEpoch: 1, baseLrs: ['x' as any] }),
      TypeError,
      "StepLR.loadStateDict: 'baseLrs' entry 0 must be a finite number >= 0, got a string (x)",
    );
    expectError(
      () => new tg.optim.CosineAnnealingLR(opt, { tMax: 10, etaMin: -Infinity }),
      TypeError,
      "CosineAnnealingLR: option 'etaMin' must be a finite number, got a number (-Infinity)",
    );
    expectError(
      () => new tg.optim.StepLR(opt, { stepSize: 1, gamma: NaN }),
      TypeError,
      "StepLR: option 'gamma' must be a finite number, got a number (NaN)",
    );
    sched.step();
    expect(sched.getLastLr()).toEqual([0.05]);
    sched.loadStateDict({ lastEpoch: 2, baseLrs: [0.1] });
    expect(sched.getLastLr()).toEqual([0.025]);
  });

  it('9. errors name the public function the user called, not the helper that found the problem', () => {
    const I = tg.nn.init;
    for (const fn of ['xavierNormal_', 'xavierUniform_', 'kaimingUniform_', 'kaimingNormal_'] as const) {
      expectError(
        () => (I[fn] as (t: tg.Tensor) => tg.Tensor)(tg.zeros([3])),
        RangeError,
        `${fn}: fan in and fan out need a tensor of rank >= 2, got shape [3]`,
      );
      expectError(
        () => (I[fn] as (t: tg.Tensor) => tg.Tensor)(tg.zeros([])),
        RangeError,
        `${fn}: fan in and fan out need a tensor of rank >= 2, got shape []`,
      );
    }
    const known = "'linear', 'conv1d', 'conv2d', 'conv3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'";
    expectError(
      () => I.kaimingUniform_(tg.zeros([3, 3]), { nonlinearity: 'foo' as any }),
      RangeError,
      `kaimingUniform_: option 'nonlinearity' must be one of ${known}, got "foo"`,
    );
    expectError(
      () => I.kaimingNormal_(tg.zeros([3, 3]), { a: 'x' as any }),
      TypeError,
      "kaimingNormal_: option 'a' must be a finite number, got a string (x)",
    );
    expectError(
      () => I.kaimingNormal_(tg.zeros([3, 3]), { mode: 'fanIn', gain: 2 } as any),
      TypeError,
      "kaimingNormal_: unknown option 'gain' (known options: a, mode, nonlinearity)",
    );
    expectError(
      () => I.calculateGain('foo' as any),
      RangeError,
      `calculateGain: argument 'nonlinearity' must be one of ${known}, got "foo"`,
    );
    expectError(
      () => I.calculateGain('leaky_relu', NaN),
      TypeError,
      "calculateGain: argument 'param' (the negative slope) must be a finite number, got a number (NaN)",
    );
    expectError(
      () => I.xavierUniform_(tg.zeros([3, 3]), NaN),
      TypeError,
      "xavierUniform_: argument 'gain' must be a finite number, got a number (NaN)",
    );
    expectError(
      () => I.normal_(tg.zeros([3]), 0, Infinity),
      TypeError,
      "normal_: argument 'std' must be a finite number, got a number (Infinity)",
    );
    expectError(
      () => I.uniform_(tg.zeros([3]), NaN, 1),
      TypeError,
      "uniform_: argument 'a' must be a finite number, got a number (NaN)",
    );
    // matmul: batch dims that do not broadcast are reported with both full shapes; too large results are refused
    expectError(
      () => tg.matmul(tg.zeros([2, 2, 3]), tg.zeros([3, 3, 4])),
      RangeError,
      'matmul: batch dimensions must broadcast, got a [2, 2, 3] and b [3, 3, 4] (batch shapes [2] and [3])',
    );
    expectError(
      () => tg.matmul(tg.zeros([1e5, 1]), tg.zeros([1, 1e5])),
      RangeError,
      'matmul: the result shape [100000, 100000] has 10000000000 elements, more than the limit of 2147483647 (2^31 - 1) elements per tensor',
    );
    expectError(
      () => tg.matmul(tg.zeros([3]), tg.zeros([4])),
      RangeError,
      'matmul: inner dimensions must match, got a [3] and b [4] (3 vs 4)',
    );
    expectError(
      () => tg.matmul(tg.zeros([]), tg.zeros([3])),
      RangeError,
      'matmul: both operands must have at least one dim, got a [] and b [3]',
    );
    expectError(
      () => tg.matmul(tg.zeros([2, 2, 3]), tg.zeros([4])),
      RangeError,
      'matmul: inner dimensions must match, got a [2, 2, 3] and b [4] (3 vs 4)',
    );
    // valid input
    expect(I.calculateFanInAndFanOut(tg.zeros([4, 3, 2]))).toEqual([6, 8]);
    expect(tg.matmul(tg.ones([2, 1, 3, 4]), tg.ones([5, 4, 2])).shape).toEqual([2, 5, 3, 2]);
    expect(
      I.kaimingUniform_(tg.zeros([4, 3]), { a: Math.sqrt(5), mode: 'fanOut', nonlinearity: 'leaky_relu' }).shape,
    ).toEqual([4, 3]);
  });

  it('10. toString prints large tensors from the typed array (no toArray), same format as before', () => {
    // The previous formatter, over toArray(), as the oracle for the format.
    const scalar = (v: number | boolean, dtype: tg.DType): string => {
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      if (dtype === 'int32') return String(v);
      if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1).replace(/\.0$/, '.');
      return dtype === 'float32' ? String(Math.fround(v).toPrecision(8)).replace(/\.?0+$/, '') : String(v);
    };
    const nested = (value: tg.NestedArray, dtype: tg.DType, indent = 7): string => {
      if (!Array.isArray(value)) return scalar(value, dtype);
      if (value.length === 0) return '[]';
      if (!Array.isArray(value[0])) {
        const items = value.length > 12 ? [...value.slice(0, 6), '...', ...value.slice(-6)] : value;
        return `[${items.map((v) => (v === '...' ? v : scalar(v as number | boolean, dtype))).join(', ')}]`;
      }
      const rows = value.length > 12 ? [...value.slice(0, 6), null, ...value.slice(-6)] : value;
      return `[${rows.map((r) => (r === null ? '...' : nested(r, dtype, indent + 1))).join(`,\n${' '.repeat(indent + 1)}`)}]`;
    };
    const old = (t: tg.Tensor): string => {
      const extras = [
        t.dtype !== 'float32' ? `dtype=${t.dtype}` : '',
        t.requiresGrad ? 'requiresGrad=true' : '',
      ].filter(Boolean);
      return `tensor(${nested(t.toArray(), t.dtype)}${extras.length ? `, ${extras.join(', ')}` : ''})`;
    };
    tg.manualSeed(3);
    for (const shape of [
      [],
      [0],
      [1],
      [5],
      [12],
      [13],
      [30],
      [2, 0],
      [0, 3],
      [3, 4],
      [13, 2],
      [2, 13],
      [14, 15],
      [2, 3, 4],
      [3, 13, 14],
      [1, 1, 1, 20],
    ])
      for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
        const x = tg.randn(shape, { dtype: 'float64' }).mul(100).to(dtype);
        expect(x.toString()).toBe(old(x));
      }
    expect(tg.arange(0, 20, 1, { requiresGrad: true }).toString()).toBe(
      'tensor([0., 1., 2., 3., 4., 5., ..., 14., 15., 16., 17., 18., 19.], requiresGrad=true)',
    );
    // 2e7 elements: only the printed ones are read
    const big = tg.arange(0, 2e7, 1, { dtype: 'int32' });
    const t0 = performance.now();
    expect(big.toString()).toBe(
      'tensor([0, 1, 2, 3, 4, 5, ..., 19999994, 19999995, 19999996, 19999997, 19999998, 19999999], dtype=int32)',
    );
    expect(big.reshape([4000, 5000]).toString().split('\n').length).toBe(13);
    expect(performance.now() - t0).toBeLessThan(250); // was seconds and 300 MB through toArray()
  });

  it('11. user values in error messages are formatted by describe/formatValue (BigInt, null-prototype objects, symbols)', () => {
    const x = tg.zeros([2, 3]);
    expectError(
      () => x.reshape([2n] as any),
      TypeError,
      "reshape: argument 'shape' must hold non-negative integers and at most one -1, got [2n]",
    );
    expectError(
      () => x.reshape({} as any),
      TypeError,
      "reshape: argument 'shape' must be an array of integers, got an object (Object)",
    );
    expectError(
      () => x.expand([2, 3n] as any),
      TypeError,
      "expand: argument 'shape' must hold non-negative integers (or -1 for an existing dim), got [2,3n]",
    );
    expectError(
      () => x.expand(Object.create(null)),
      TypeError,
      "expand: argument 'shape' must be an array of integers, got an object (Object)",
    );
    expectError(
      () => x.split([1n, 1n] as any),
      TypeError,
      "split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got [1n,1n]",
    );
    expectError(
      () => x.split([Symbol('s')] as any),
      TypeError,
      "split: argument 'splitSizeOrSections' must be a non-negative integer or an array of them, got [a symbol (s)]",
    );
    expectError(
      () => x.permute(1n as any),
      TypeError,
      "permute: argument 'dims' must be an array of dims, got a bigint (1n)",
    );
    expectError(
      () => x.permute([0]),
      RangeError,
      "permute: argument 'dims' must list all 2 dims of a tensor of shape [2, 3], got [0]",
    );
    expectError(() => x.to(5n as any), TypeError, "to: dtype must be 'float32', 'float64', 'int32' or 'bool', got 5n");
    expectError(
      () => tg.setNumThreads(Object.create(null)),
      TypeError,
      "setNumThreads: argument 'n' must be an integer from 1 to 1024, got an object (Object)",
    );
    expectError(
      () => tg.setNumThreads(2.5),
      RangeError,
      "setNumThreads: argument 'n' must be an integer from 1 to 1024, got 2.5",
    );
    expectError(
      () => x.unsqueeze(1n as any),
      TypeError,
      "unsqueeze: argument 'dim' must be a number, got a bigint (1n)",
    );
    expectError(() => x.softmax('1' as any), TypeError, "softmax: argument 'dim' must be an integer, got a string (1)");
    const F = tg.nn.functional;
    const target = tg.tensor([0, 1], { dtype: 'int32' });
    expectError(
      () => F.dropout(x, 'a' as any),
      TypeError,
      'dropout: probability p must be a number in [0, 1], got a string (a)',
    );
    expectError(
      () => F.layerNorm(x, [3], null, null, -1),
      RangeError,
      "layerNorm: argument 'eps' must be a non-negative number, got -1",
    );
    expectError(
      () => F.crossEntropy(x, target, { labelSmoothing: Object.create(null) }),
      TypeError,
      "crossEntropy: option 'labelSmoothing' must be a number in [0, 1], got an object (Object)",
    );
    expectError(
      () => F.crossEntropy(x, target, { ignoreIndex: Symbol('i') as any }),
      TypeError,
      "crossEntropy: option 'ignoreIndex' must be an integer, got a symbol (i)",
    );
    expectError(
      () => F.crossEntropy(x, target, 5n as any),
      TypeError,
      'crossEntropy: options must be an object, got a bigint (5n)',
    );
    expectError(() => F.mseLoss(x, x, 5n as any), TypeError, 'mseLoss: options must be an object, got a bigint (5n)');
    expectError(
      () => F.nllLoss(x, target, { ignoreIndex: {} as any }),
      TypeError,
      "nllLoss: option 'ignoreIndex' must be an integer, got an object (Object)",
    );
    expectError(
      () => new tg.nn.Linear(2, 2, { bias: Object.create(null) }),
      TypeError,
      "Linear: option 'bias' must be a boolean, got an object (Object)",
    );
  });

  it('12. layer options must be plain objects; module.apply and Sequential.at check their argument', () => {
    const { nn } = tg;
    // A Map/Date has no enumerable keys: taking it as options silently dropped what it held.
    expectError(
      () => new nn.Dropout(new Map([['p', 0.2]]) as any),
      TypeError,
      'Dropout: probability p must be a number in [0, 1], got an object (Map)',
    );
    expectError(
      () => new nn.ELU(new Map([['alpha', 2]]) as any),
      TypeError,
      "ELU: argument 'alpha' must be a finite number, got an object (Map)",
    );
    expectError(
      () => new nn.LeakyReLU(new Date(0) as any),
      TypeError,
      "LeakyReLU: argument 'negativeSlope' must be a finite number, got an object (Date)",
    );
    expectError(
      () => new nn.GELU(new Map() as any),
      TypeError,
      "GELU: argument 'options' must be an object { approximate? }, got an object (Map)",
    );
    expectError(
      () => new nn.LayerNorm(3, new Date(0) as any),
      TypeError,
      "LayerNorm: argument 'options' must be an object { eps?, elementwiseAffine?, dtype? }, got an object (Date)",
    );
    expectError(
      () => new nn.Linear(2, 2, new Map([['bias', false]]) as any),
      TypeError,
      "Linear: argument 'options' must be an object { bias?, dtype? }, got an object (Map)",
    );
    expectError(
      () => new nn.Softplus({ beta: 2 }, 5),
      TypeError,
      'Softplus: the options object must be the last argument, got a number (5) after it',
    );
    // empty plain objects (also without a prototype) are empty options: the defaults
    expect(new nn.Dropout(Object.create(null)).p).toBe(0.5);
    expect(new nn.ELU({}).alpha).toBe(1);
    expect(new nn.Softplus({ beta: 2 }).threshold).toBe(20);
    expect(new nn.Softplus(2, 5).threshold).toBe(5);
    // a dim out of range for some input is forward's error, as in PyTorch
    expect(new nn.Softmax(100).dim).toBe(100);
    expectError(
      () => new nn.Softmax(100).forward(tg.zeros([2, 3])),
      RangeError,
      'softmax: dim 100 is out of range for a tensor of rank 2 (expected -2..1)',
    );
    expectError(
      () => new nn.Linear(3, 2).apply(-Infinity as any),
      TypeError,
      "apply: argument 'fn' must be a function, got a number (-Infinity)",
    );
    const seq = new nn.Sequential(new nn.ReLU());
    expectError(
      () => seq.at(Symbol('s') as any),
      TypeError,
      "Sequential.at: argument 'i' must be an integer, got a symbol (s)",
    );
    expectError(() => seq.at(0.5), TypeError, "Sequential.at: argument 'i' must be an integer, got 0.5");
    expectError(() => seq.at(3), RangeError, 'Sequential.at: index 3 is out of range for 1 modules');
  });

  it('13. hessian of a function constant in x is zero; gradgradcheck skips outputs without first derivatives', () => {
    const x = tg.tensor([1, 2], { dtype: 'float64' });
    expect(
      tg.func
        .hessian((v: tg.Tensor) => v.detach().sum())(x)
        .toArray(),
    ).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expectError(
      () => tg.func.hessian((v: tg.Tensor) => v)(x),
      TypeError,
      'hessian: f must return a Tensor with one element, got shape [2]',
    );
    expect((tg.func.jacobian((v: tg.Tensor) => v.to('int32'))(x) as tg.Tensor).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const xs = [tg.tensor([1, 2], { dtype: 'float64' }).requiresGrad_()];
    // was 'grad: outputs must hold at least one Tensor' / 'grad: the tensor does not require grad'
    expect(tg.autograd.gradgradcheck((v: tg.Tensor) => v.to('int32'), xs)).toBe(true);
    expect(tg.autograd.gradgradcheck((v: tg.Tensor) => [v.detach(), v.sin()], xs)).toBe(true);
    expectError(
      () => tg.autograd.gradgradcheck((v: tg.Tensor) => v.sin(), [1.5] as any),
      Error,
      'gradgradcheck: no input requires grad; nothing to check',
    );
  });

  it('14. storage transferred away or disposed is refused by zerosLike/onesLike, nn.init and safetensors; expand checks its size', () => {
    const t = tg.randn([3, 40]);
    const buf = t.data.buffer as ArrayBuffer;
    structuredClone(buf, { transfer: [buf] });
    const gone = '(shape [3, 40], 0 elements readable). Clone a tensor before transferring its buffer.';
    expectError(
      () => tg.zerosLike(t),
      Error,
      `zerosLike: argument 'x' has no storage: its ArrayBuffer was transferred or detached ${gone}`,
    );
    expectError(
      () => tg.onesLike(t),
      Error,
      `onesLike: argument 'x' has no storage: its ArrayBuffer was transferred or detached ${gone}`,
    );
    expectError(
      () => tg.nn.init.ones_(t),
      Error,
      `ones_: argument 'tensor' has no storage: its ArrayBuffer was transferred or detached ${gone}`,
    );
    expectError(
      () => tg.safetensors.serialize({ w: t }),
      Error,
      `safetensors.serialize: argument 'tensors' entry 'w' has no storage: its ArrayBuffer was transferred or detached ${gone}`,
    );
    const d = tg.randn([2, 2]);
    d.dispose();
    const disposed = '(shape [2, 2]); its storage was released with dispose() and cannot be used any more.';
    expectError(() => tg.zerosLike(d), Error, `zerosLike: argument 'x' was disposed ${disposed}`);
    expectError(() => tg.nn.init.zeros_(d), Error, `zeros_: argument 'tensor' was disposed ${disposed}`);
    expectError(
      () => tg.safetensors.serialize(new Map([['w', d]])),
      Error,
      `safetensors.serialize: argument 'tensors' entry 'w' was disposed ${disposed}`,
    );
    // [1e10, 1e10] reached V8: 'Invalid typed array length: 100000000000000000000'
    expectError(
      () => tg.ones([1]).expand([1e10, 1e10]),
      RangeError,
      'expand: shape [10000000000, 10000000000] has 100000000000000000000 elements, more than the limit of 2147483647 (2^31 - 1) elements per tensor',
    );
    expect(tg.zerosLike(tg.zeros([0, 3])).shape).toEqual([0, 3]);
  });

  it("14b. cat, stack and scatterAdd's src refuse a tensor without storage (they returned NaN or stale values)", () => {
    const transferred = (shape: number[]) => transferAway(tg.randn(shape));
    const ok = tg.randn([4, 6]);
    expectError(() => tg.cat([ok, transferred([4, 6])]), Error, `cat: argument 'tensors[1]' ${noStorage('[4, 6]')}`);
    expectError(() => tg.cat([transferred([4, 6]), ok]), Error, `cat: argument 'tensors[0]' ${noStorage('[4, 6]')}`);
    expectError(
      () => tg.stack([ok, transferred([4, 6])]),
      Error,
      `stack: argument 'tensors[1]' ${noStorage('[4, 6]')}`,
    );
    // Before the dtype promotion: a float64 tensor beside it made 'to' report the failure.
    expectError(
      () => tg.cat([tg.randn([4, 6], { dtype: 'float64' }), transferred([4, 6])]),
      Error,
      `cat: argument 'tensors[1]' ${noStorage('[4, 6]')}`,
    );
    const index = tg.tensor(new Int32Array(24).fill(1), { shape: [4, 6] });
    expectError(
      () => tg.scatterAdd(tg.zeros([4, 6]), 0, index, transferred([4, 6])),
      Error,
      `scatterAdd: argument 'src' ${noStorage('[4, 6]')}`,
    );
    // src larger than index: it used to fail inside the trimming slice, under slice's name.
    expectError(
      () => tg.scatterAdd(tg.zeros([4, 6]), 0, index, transferred([5, 6])),
      Error,
      `scatterAdd: argument 'src' ${noStorage('[5, 6]')}`,
    );
    const d = tg.randn([4, 6]);
    d.dispose();
    expectError(
      () => tg.cat([ok, d]),
      Error,
      "cat: argument 'tensors[1]' was disposed (shape [4, 6]); its storage was released with dispose() and cannot be used any more.",
    );
  });

  it('14c. gradients and state dicts without storage: the grad setter, optimizers, clipping and loadStateDict refuse them before changing anything', () => {
    const p = tg.randn([4, 6], { requiresGrad: true });
    expectError(
      () => {
        p.grad = transferAway(tg.randn([4, 6]));
      },
      Error,
      `grad: the assigned gradient ${noStorage('[4, 6]')}`,
    );
    // A gradient whose buffer goes away after assignment: the whole step is refused, the first
    // parameter is not updated and no state is created (it used to say the shapes [4, 6] and [4, 6] differ).
    for (const make of [
      (ps: tg.Tensor[]) => new tg.optim.SGD(ps, { lr: 0.1, momentum: 0.9 }),
      (ps: tg.Tensor[]) => new tg.optim.Adam(ps, { lr: 0.1 }),
    ]) {
      const a = tg.randn([3], { requiresGrad: true });
      const b = tg.randn([4, 6], { requiresGrad: true });
      a.grad = tg.ones([3]);
      b.grad = tg.ones([4, 6]);
      transferAway(b.grad);
      const opt = make([a, b]);
      const before = Array.from(a.data);
      expectError(
        () => opt.step(),
        Error,
        `${opt instanceof tg.optim.SGD ? 'SGD' : 'Adam'}.step: the gradient of parameter 1 of group 0 ${noStorage('[4, 6]')}`,
      );
      expect(Array.from(a.data)).toEqual(before);
      expect(opt.stateDict().state).toEqual({});
      transferAway(b);
      b.grad = null;
      a.grad = tg.ones([3]);
      opt.step(); // b has no gradient now, so its missing storage does not matter
      expect(Array.from(a.data)).not.toEqual(before);
    }
    // Across groups too: group 0's parameter is not updated when group 1's gradient is unreadable.
    const g0 = tg.randn([3], { requiresGrad: true });
    const g1 = tg.randn([2, 2], { requiresGrad: true });
    g0.grad = tg.ones([3]);
    g1.grad = tg.ones([2, 2]);
    transferAway(g1.grad);
    const grouped = new tg.optim.SGD([{ params: [g0] }, { params: [g1], lr: 0.5 }], { lr: 0.1 });
    const g0Before = Array.from(g0.data);
    expectError(() => grouped.step(), Error, `SGD.step: the gradient of parameter 0 of group 1 ${noStorage('[2, 2]')}`);
    expect(Array.from(g0.data)).toEqual(g0Before);
    const c = tg.randn([2], { requiresGrad: true });
    const d = tg.randn([4, 6], { requiresGrad: true });
    c.grad = tg.ones([2]);
    d.grad = tg.ones([4, 6]);
    transferAway(d.grad);
    expectError(
      () => tg.nn.utils.clipGradNorm_([c, d], 1),
      Error,
      `clipGradNorm_: the gradient of parameters[1] ${noStorage('[4, 6]')}`,
    );
    expectError(
      () => tg.nn.utils.clipGradValue_([c, d], 1),
      Error,
      `clipGradValue_: the gradient of parameters[1] ${noStorage('[4, 6]')}`,
    );
    const layer = new tg.nn.Linear(6, 4);
    const weight = Array.from(layer.weight.data);
    expectError(
      () => layer.loadStateDict({ weight: transferAway(tg.randn([4, 6])), bias: tg.randn([4]) }),
      Error,
      `loadStateDict: the state dict's 'weight' ${noStorage('[4, 6]')}`,
    );
    expect(Array.from(layer.weight.data)).toEqual(weight);
    // Module.to checks every tensor first: the weight stays float32 when the bias cannot be read.
    const half = new tg.nn.Linear(6, 4);
    transferAway(half.bias!);
    expectError(() => half.to('float64'), Error, `Module.to: the module's 'bias' ${noStorage('[4]')}`);
    expect(half.weight.dtype).toBe('float32');
    // An optimizer state dict with an unreadable buffer (it failed inside clone, under clone's name).
    const q = tg.randn([3], { requiresGrad: true });
    q.grad = tg.ones([3]);
    const sgd = new tg.optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    sgd.step();
    const saved = sgd.stateDict();
    transferAway(saved.state[0].momentumBuffer as tg.Tensor);
    expectError(
      () => new tg.optim.SGD([q], { lr: 0.1, momentum: 0.9 }).loadStateDict(saved),
      Error,
      `SGD.loadStateDict: state 'momentumBuffer' of parameter 0 ${noStorage('[3]')}`,
    );
  });

  it('14d. hooks and the func transforms name themselves when a tensor has no storage (it was detach, grad or a bare TypeError)', () => {
    const x = tg.randn([3], { requiresGrad: true });
    x.registerHook(() => transferAway(tg.ones([3])));
    expectError(
      () => x.mul(2).sum().backward(),
      Error,
      `backward: the tensor a hook on a leaf tensor returned ${noStorage('[3]')}`,
    );
    expect(x.grad).toBeNull();
    const sinSum = (a: tg.Tensor) => a.sin().sum();
    expectError(() => tg.func.grad(sinSum)(transferAway(tg.randn([3]))), Error, `grad: argument 0 ${noStorage('[3]')}`);
    expectError(
      () => tg.func.hessian(sinSum)(transferAway(tg.randn([3]))),
      Error,
      `hessian: argument 0 ${noStorage('[3]')}`,
    );
    expectError(
      () => tg.func.vjp((a: tg.Tensor) => a.sin(), transferAway(tg.randn([3]))),
      Error,
      `vjp: argument 0 ${noStorage('[3]')}`,
    );
    const [, vjpFn] = tg.func.vjp((a: tg.Tensor) => a.sin(), tg.randn([3]));
    expectError(() => vjpFn(transferAway(tg.ones([3]))), Error, `vjp: argument 'v' ${noStorage('[3]')}`);
    expectError(
      () => tg.func.jvp((a: tg.Tensor) => a.sin(), [tg.randn([3])], [transferAway(tg.ones([3]))]),
      Error,
      `jvp: tangents[0] ${noStorage('[3]')}`,
    );
  });

  it("15. nn's empty() checks the shape like the creation functions and names the layer; it keeps a copy", () => {
    expectError(
      () => empty([2, -1], 'float32', 'Linear', 'the weight shape [outFeatures, inFeatures]'),
      RangeError,
      'Linear: the weight shape [outFeatures, inFeatures] must be an array of non-negative integers, got [2,-1] (entry 1 is negative)',
    );
    expectError(
      () => empty([1e5, 1e5], 'float64', 'Embedding'),
      RangeError,
      'Embedding: shape [100000, 100000] has 10000000000 elements, more than the limit of 2147483647 (2^31 - 1) elements per tensor',
    );
    expectError(
      () => empty([2.5] as any, 'float32', 'LayerNorm', 'normalizedShape'),
      TypeError,
      "LayerNorm: argument 'normalizedShape' must be an array of non-negative integers, got [2.5] (entry 0 is a number (2.5))",
    );
    const shape = [2, 3];
    const t = empty(shape, 'float64', 'Linear');
    shape[0] = 7;
    expect([t.shape, t.dtype, t.data.length, t.data instanceof Float64Array]).toEqual([[2, 3], 'float64', 6, true]);
    // LayerNorm's parameters do not share the caller's array either
    const ns = [4];
    const ln = new tg.nn.LayerNorm(ns);
    ns[0] = 9;
    expect(ln.weight!.shape).toEqual([4]);
  });
});
