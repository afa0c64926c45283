// The error cases the core issue lists: each is a thrown error whose message names what was expected
// and what was given, and none crashes the process.
import { describe, expect, it } from 'vitest';
import * as tg from '../lib/index.js';
import { native } from '../lib/native.js';

describe('errors', () => {
  it('shape mismatch in add and matmul', () => {
    expect(() => tg.add(tg.zeros([2, 3]), tg.zeros([3, 2]))).toThrow(
      new RangeError('add: shapes [2, 3] and [3, 2] cannot be broadcast together (dim -2 is 2 vs 3)'),
    );
    expect(() => tg.matmul(tg.zeros([2, 3]), tg.zeros([2, 3]))).toThrow(
      new RangeError('matmul: inner dimensions must match, got a [2, 3] and b [2, 3] (3 vs 2)'),
    );
  });

  it('wrong dtype', () => {
    expect(() => tg.zeros([2], { dtype: 'complex64' as any })).toThrow(
      /zeros: dtype must be 'float32', 'float64', 'int32' or 'bool', got "complex64"/,
    );
    expect(() => tg.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/got dtype int32/);
  });

  it('non-array data', () => {
    expect(() => tg.tensor({ a: 1 } as any)).toThrow(
      new TypeError(
        'tensor: data must be a number, a nested array of numbers or a typed array, got an object (Object)',
      ),
    );
    expect(() => tg.tensor([[1], ['x']] as any)).toThrow(
      new TypeError('tensor: data must hold only numbers (or booleans), got a string (x) at flat index 1'),
    );
    expect(() => tg.tensor([[1], [[2]]] as any)).toThrow(TypeError);
  });

  it('backward on a tensor that does not require grad', () => {
    expect(() => tg.tensor([1]).sum().backward()).toThrow(
      new Error(
        'backward: the tensor does not require grad and has no gradFn (did you set requiresGrad on an input, or compute it under noGrad?)',
      ),
    );
  });

  it('backward of a non-scalar without a gradient, and with a gradient of the wrong shape', () => {
    const y = tg.tensor([1, 2], { requiresGrad: true }).mul(2);
    expect(() => y.backward()).toThrow(
      new RangeError(
        'backward: a gradient can be created implicitly only for a tensor with one element; got shape [2]. Pass gradient of that shape.',
      ),
    );
    expect(() => y.backward(tg.ones([3]))).toThrow(
      new RangeError('backward: gradient has shape [3] but the output has shape [2]'),
    );
  });

  it('second backward without retainGraph', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(
      new Error(
        'backward: trying to backward through the graph a second time (SumBackward was already freed). Saved tensors are freed after backward; pass { retainGraph: true } to the first backward to keep them.',
      ),
    );
  });

  it('reading saved tensors after they were freed', () => {
    const x = tg.tensor([1], { requiresGrad: true });
    const y = x.mul(x);
    y.sum().backward();
    expect(() => y.gradFn!.savedTensors).toThrow(/MulBackward: trying to backward through the graph a second time/);
  });

  it('the addon itself rejects bad arguments instead of crashing (lib/ bypassed)', () => {
    expect(() => native.setNumThreads(-3)).toThrow(
      new RangeError('setNumThreads: argument 0 must be in [1, 1024], got -3'),
    );
    expect(() => native.setNumThreads('2' as any)).toThrow(
      new TypeError('setNumThreads: argument 0 must be a number, got a string'),
    );
    expect(() => native.forceIsa('sse' as any)).toThrow(TypeError);
  });
});
