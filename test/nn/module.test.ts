// nn.Module: registration (explicit and automatic), dotted names, children, train/eval, zeroGrad,
// stateDict/loadStateDict round trip and every error, call vs forward.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { flat } from '../helpers.js';

class Block extends tg.nn.Module {
  fc1 = new tg.nn.Linear(3, 4);
  act = new tg.nn.ReLU();
  fc2 = new tg.nn.Linear(4, 2, { bias: false });
  scale = tg.ones([2]).requiresGrad_(true); // a bare tensor field requiring grad: a parameter
  notAParam = tg.ones([2]); // does not require grad: ignored
  _hidden = new tg.nn.Linear(2, 2); // leading underscore: never registered
  forward(x: tg.Tensor): tg.Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x))).mul(this.scale);
  }
}

class Net extends tg.nn.Module {
  block = new Block();
  head: tg.nn.Module;
  constructor() {
    super();
    this.head = new tg.nn.Sequential(new tg.nn.Linear(2, 2), new tg.nn.Tanh());
    this.registerBuffer('runningMean', tg.zeros([2]));
  }
  forward(x: tg.Tensor): tg.Tensor {
    return this.head.forward(this.block.forward(x));
  }
}

describe('Module', () => {
  it('registers fields automatically, in assignment order, with PyTorch-style dotted names', () => {
    const net = new Net();
    // As PyTorch: each module's own parameters, then its submodules' (depth first).
    expect(net.namedParameters().map(([n, p]) => `${n} ${JSON.stringify(p.shape)}`)).toEqual([
      'block.scale [2]',
      'block.fc1.weight [4,3]',
      'block.fc1.bias [4]',
      'block.fc2.weight [2,4]',
      'head.0.weight [2,2]',
      'head.0.bias [2]',
    ]);
    expect(net.parameters()).toHaveLength(6);
    expect(net.children().map((m) => m.constructor.name)).toEqual(['Block', 'Sequential']);
    expect(net.modules().map((m) => m.constructor.name)).toEqual([
      'Net',
      'Block',
      'Linear',
      'ReLU',
      'Linear',
      'Sequential',
      'Linear',
      'Tanh',
    ]);
    expect(Object.keys(net.stateDict())).toEqual([
      'runningMean',
      'block.scale',
      'block.fc1.weight',
      'block.fc1.bias',
      'block.fc2.weight',
      'head.0.weight',
      'head.0.bias',
    ]);
  });

  it('lists a shared parameter once; a field set to null disappears; reassignment replaces', () => {
    const a = new tg.nn.Linear(2, 2);
    const seq = new tg.nn.Sequential(a, a);
    expect(seq.parameters()).toHaveLength(2);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    // The state dict lists a tied module under both names, as torch's state_dict does.
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    const w0 = tg.tensor([
      [1, 2],
      [3, 4],
    ]);
    seq.loadStateDict({ '0.weight': w0, '0.bias': tg.zeros([2]), '1.weight': w0, '1.bias': tg.zeros([2]) });
    expect(a.weight.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const lin = new tg.nn.Linear(2, 2);
    lin.bias = null;
    expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const w = tg.zeros([2, 2]).requiresGrad_(true);
    lin.weight = w;
    expect(lin.parameters()[0]).toBe(w);
  });

  it('call is forward; train/eval set the flag recursively', () => {
    tg.manualSeed(1);
    const net = new Net();
    const x = tg.randn([5, 3]);
    expect(flat(net.call(x))).toEqual(flat(net.forward(x)));
    expect(net.training).toBe(true);
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(() => net.train('yes' as never)).toThrow("train: argument 'mode' must be a boolean, got a string");
  });

  it('requiresGrad_(false) freezes every parameter (still listed); true unfreezes', () => {
    const net = new Net();
    net.requiresGrad_(false);
    expect(net.parameters()).toHaveLength(6);
    expect(net.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(net.forward(tg.randn([2, 3])).requiresGrad).toBe(false);
    net.requiresGrad_();
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it('zeroGrad sets every .grad to null', () => {
    const net = new Net();
    net
      .forward(tg.randn([4, 3]))
      .sum()
      .backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('stateDict round trip: values copied in place, versions bumped, outputs equal', () => {
    tg.manualSeed(2);
    const a = new Net();
    tg.manualSeed(3);
    const b = new Net();
    const x = tg.randn([3, 3]);
    expect(flat(a.forward(x))).not.toEqual(flat(b.forward(x)));
    const w = b.block.fc1.weight;
    const v = w.version;
    const snapshot = Object.fromEntries(Object.entries(a.stateDict()).map(([k, t]) => [k, t.clone()]));
    const result = b.loadStateDict(snapshot);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.block.fc1.weight).toBe(w); // same tensor object, new values
    expect(w.version).toBe(v + 1);
    expect(flat(b.forward(x))).toEqual(flat(a.forward(x)));
    // stateDict tensors share storage with the module (as PyTorch); they are detached leaves.
    const sd = a.stateDict();
    expect(sd['block.fc1.weight'].data).toBe(a.block.fc1.weight.data);
    expect(sd['block.fc1.weight'].requiresGrad).toBe(false);
  });

  it('loadStateDict reports missing/unexpected keys, shape and dtype mismatches, and changes nothing on error', () => {
    const net = new tg.nn.Linear(3, 2);
    const before = flat(net.weight);
    expect(() => net.loadStateDict({ weight: tg.zeros([2, 3]) })).toThrow(
      "loadStateDict: error(s) loading the state dict into Linear:\n  missing key(s): 'bias'",
    );
    expect(flat(net.weight)).toEqual(before);
    expect(() => net.loadStateDict({ weight: tg.zeros([2, 3]), bias: tg.zeros([2]), extra: tg.zeros([1]) })).toThrow(
      "unexpected key(s): 'extra'",
    );
    expect(() => net.loadStateDict({ weight: tg.zeros([3, 2]), bias: tg.zeros([2]) })).toThrow(
      "loadStateDict: error(s) loading the state dict into Linear:\n  size mismatch for 'weight': the dict has shape [3, 2], the module has [2, 3]",
    );
    expect(() => net.loadStateDict({ weight: tg.zeros([2, 3], { dtype: 'float64' }), bias: tg.zeros([2]) })).toThrow(
      "dtype mismatch for 'weight': the dict has float64, the module has float32",
    );
    expect(() => net.loadStateDict({ weight: [1, 2] as never, bias: tg.zeros([2]) })).toThrow(
      "'weight' must be a Tensor, got an array",
    );
    expect(flat(net.weight)).toEqual(before);
    // strict: false tolerates missing/unexpected keys (shape checks still apply) and reports them.
    const r = net.loadStateDict({ weight: tg.ones([2, 3]), extra: tg.zeros([1]) }, { strict: false });
    expect(r).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['extra'] });
    expect(flat(net.weight)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(() => net.loadStateDict({ weight: tg.ones([1]) }, { strict: false })).toThrow("size mismatch for 'weight'");
    expect(() => net.loadStateDict(null as never)).toThrow(
      "loadStateDict: argument 'dict' must be an object mapping names to Tensors, got null",
    );
  });

  it('explicit registration validates names and values', () => {
    class M extends tg.nn.Module {
      forward(x: tg.Tensor) {
        return x;
      }
    }
    const m = new M();
    m.registerParameter('w', tg.zeros([2]).requiresGrad_(true));
    m.registerModule('sub', new tg.nn.ReLU());
    m.registerBuffer('b', tg.zeros([1]));
    expect(m.namedParameters().map(([n]) => n)).toEqual(['w']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['b']);
    expect(() => m.registerParameter('w', null)).toThrow("registerParameter: 'w' is already registered on this M");
    expect(() => m.registerParameter('a.b', null)).toThrow(
      `registerParameter: argument 'name' must be a non-empty string without '.', got "a.b"`,
    );
    expect(() => m.registerParameter('forward', null)).toThrow(
      "registerParameter: 'forward' would shadow a method or property of M",
    );
    expect(() => m.registerParameter('x', tg.zeros([2], { dtype: 'int32' }))).toThrow(
      "registerParameter: parameter 'x' must be float32 or float64, got int32",
    );
    const nonLeaf = tg.zeros([2]).requiresGrad_(true).mul(2);
    expect(() => m.registerParameter('y', nonLeaf)).toThrow(
      "registerParameter: parameter 'y' must be a leaf tensor (use detach()); it was produced by MulBackward",
    );
    expect(() => m.registerModule('z', {} as never)).toThrow(
      "registerModule: argument 'm' must be a Module or null, got an object (Object)",
    );
  });

  it('toString shows the tree', () => {
    const s = new tg.nn.Sequential(new tg.nn.Linear(2, 3), new tg.nn.ReLU());
    expect(s.toString()).toBe('Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)');
  });
});
