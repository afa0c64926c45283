// nn.ModuleList, nn.ModuleDict, Module.to / double / float, and nn.utils.clipGradNorm_ / clipGradValue_.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

const { nn } = tg;

describe('ModuleList', () => {
  it('registers its modules, whose parameters belong to the owner', () => {
    class Stack extends nn.Module {
      layers = new nn.ModuleList<tg.nn.Module>([new nn.Linear(2, 3), new nn.Linear(3, 1)]);
      forward(x: tg.Tensor): tg.Tensor {
        for (const layer of this.layers) x = layer.forward(x);
        return x;
      }
    }
    const m = new Stack();
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
    ]);
    expect(m.layers.length).toBe(2);
    expect(m.layers.at(-1)).toBe(m.layers.at(1));
    m.layers.append(new nn.ReLU());
    expect(Object.keys(m.stateDict())).toHaveLength(4);
    expect(m.forward(tg.ones([4, 2])).shape).toEqual([4, 1]);
  });

  it('validates its arguments', () => {
    expect(() => new nn.ModuleList([1 as never])).toThrow(
      "ModuleList.append: argument 'm' must be a Module, got a number (1)",
    );
    expect(() => new nn.ModuleList(5 as never)).toThrow(/^ModuleList: argument 'modules' must be an iterable/);
    expect(() => new nn.ModuleList().at(0)).toThrow(
      new RangeError('ModuleList.at: index 0 is out of range for 0 modules'),
    );
    expect(() => new nn.ModuleList().forward()).toThrow(/has no forward/);
  });
});

describe('ModuleDict', () => {
  it('holds modules by name, in insertion order', () => {
    const d = new nn.ModuleDict({ encoder: new nn.Linear(2, 2), head: new nn.Linear(2, 1) });
    expect(d.keys()).toEqual(['encoder', 'head']);
    expect(d.get('head')).toBeInstanceOf(nn.Linear);
    expect(d.get('nothing')).toBeUndefined();
    expect(d.has('encoder')).toBe(true);
    const replacement = new nn.Linear(2, 1, { bias: false });
    d.set('head', replacement);
    expect(d.get('head')).toBe(replacement);
    expect(d.parameters()).toHaveLength(3);
    expect(Array.from(d, ([k]) => k)).toEqual(['encoder', 'head']);
    expect(new nn.ModuleDict([['a', new nn.ReLU()]]).size).toBe(1);
  });

  it('validates its arguments', () => {
    expect(() => new nn.ModuleDict({ a: 3 as never })).toThrow(
      "ModuleDict.set: argument 'm' must be a Module, got a number (3)",
    );
    expect(() => new nn.ModuleDict({ keys: new nn.ReLU() })).toThrow(/would shadow a method/);
  });
});

describe('Module.to', () => {
  it('converts parameters, floating buffers and grads in place, keeping the tensor objects', () => {
    const m = new nn.Linear(2, 1);
    m.registerBuffer('steps', tg.tensor([3], { dtype: 'int32' }));
    m.registerBuffer('running', tg.tensor([0.5]));
    const w = m.weight;
    const before = Array.from(w.data);
    m.forward(tg.ones([1, 2]))
      .sum()
      .backward();
    const opt = new tg.optim.SGD(m.parameters(), { lr: 0.1 });
    expect(m.double()).toBe(m);
    expect(m.weight).toBe(w);
    expect(w.dtype).toBe('float64');
    expect(w.data).toBeInstanceOf(Float64Array);
    expect(Array.from(w.data)).toEqual(before);
    expect(w.grad!.dtype).toBe('float64');
    expect(w.requiresGrad).toBe(true);
    expect(m.stateDict().running.dtype).toBe('float64');
    expect(m.stateDict().steps.dtype).toBe('int32');
    opt.step(); // the optimizer made before still updates the same tensors
    expect(m.forward(tg.ones([1, 2], { dtype: 'float64' })).dtype).toBe('float64');
    m.float();
    expect(w.dtype).toBe('float32');
  });

  it('validates dtype', () => {
    expect(() => new nn.Linear(1, 1).to('int32' as never)).toThrow(
      new TypeError(`Module.to: argument 'dtype' must be 'float32' or 'float64', got "int32"`),
    );
  });
});

describe('clipGradNorm_ / clipGradValue_', () => {
  function params(): tg.Tensor[] {
    const a = tg.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tg.tensor([3], { dtype: 'float64', requiresGrad: true });
    a.grad = tg.tensor([3, 4], { dtype: 'float64' });
    b.grad = tg.tensor([12], { dtype: 'float64' });
    return [a, b];
  }

  it('scales by maxNorm / (total + 1e-6) and returns the total norm before clipping', () => {
    // Total 2-norm of [3, 4, 12] = 13.
    const ps = params();
    const total = tg.nn.utils.clipGradNorm_(ps, 1);
    expect(total.item()).toBeCloseTo(13, 12);
    const s = 1 / (13 + 1e-6);
    expect(Array.from(ps[0].grad!.data)).toEqual([3 * s, 4 * s]);
    expect(Array.from(ps[1].grad!.data)).toEqual([12 * s]);
  });

  it('leaves gradients below maxNorm alone; other norms', () => {
    const ps = params();
    expect(tg.nn.utils.clipGradNorm_(ps, 100).item()).toBeCloseTo(13, 12);
    expect(Array.from(ps[0].grad!.data)).toEqual([3, 4]);
    expect(tg.nn.utils.clipGradNorm_(ps, 100, 1).item()).toBe(19);
    expect(tg.nn.utils.clipGradNorm_(ps, 6, Infinity).item()).toBe(12);
    const s = 6 / (12 + 1e-6);
    expect(Array.from(ps[1].grad!.data)).toEqual([12 * s]);
    const single = tg.tensor([1], { requiresGrad: true }); // no .grad: skipped
    expect(tg.nn.utils.clipGradNorm_(single, 1).item()).toBe(0);
  });

  it('clipGradValue_ clamps each element', () => {
    const ps = params();
    tg.nn.utils.clipGradValue_(ps, 3.5);
    expect(Array.from(ps[0].grad!.data)).toEqual([3, 3.5]);
    expect(Array.from(ps[1].grad!.data)).toEqual([3.5]);
  });

  it('validates its arguments', () => {
    expect(() => tg.nn.utils.clipGradNorm_(params(), -1)).toThrow(
      new TypeError("clipGradNorm_: argument 'maxNorm' must be a non-negative number, got -1"),
    );
    expect(() => tg.nn.utils.clipGradNorm_(params(), 1, 0)).toThrow(
      new TypeError("clipGradNorm_: argument 'normType' must be a positive number or Infinity, got 0"),
    );
    expect(() => tg.nn.utils.clipGradNorm_(3 as never, 1)).toThrow(
      /^clipGradNorm_: argument 'parameters' must be a Tensor or an iterable of Tensors, got a number/,
    );
    expect(() => tg.nn.utils.clipGradValue_([1 as never], 1)).toThrow(
      /^clipGradValue_: argument 'parameters' must hold only Tensors, got a number \(1\) at index 0/,
    );
    expect(() => tg.nn.utils.clipGradValue_(params(), Number.NaN)).toThrow(
      new TypeError("clipGradValue_: argument 'clipValue' must be a non-negative number, got NaN"),
    );
  });
});
