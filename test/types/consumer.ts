// A type test: code a user of the package writes, checked by `tsc -p tsconfig.json` (part of
// `npm test`), never run. The correct uses must compile; each `@ts-expect-error` line is misuse that
// must not compile, and tsc fails if it ever does (an unused @ts-expect-error is an error).
import * as tg from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';

// ---- a custom Function with a typed ctx ------------------------------------------------------
type ScaleCtx = tg.autograd.FunctionCtx<{ factor: number }>;

class Scale extends tg.autograd.Function {
  static override forward(x: Tensor, factor: number): Tensor {
    return x.mul(factor);
  }
  static override setupContext(ctx: ScaleCtx, [x, factor]: [Tensor, number]): void {
    ctx.saveForBackward(x);
    ctx.saved = { factor };
    const shape: readonly number[] | null = ctx.inputShapes[0];
    const dtype: tg.DType | null = ctx.inputDtypes[0];
    void [shape, dtype];
    // @ts-expect-error a saved field of the wrong type
    ctx.saved = { factor: 'two' };
    // @ts-expect-error inputShapes is read-only metadata
    ctx.inputShapes[0] = [1];
  }
  static override backward(ctx: ScaleCtx, g: Tensor): [Tensor | null, null] {
    const factor: number = ctx.saved.factor; // no cast
    // @ts-expect-error reading a saved field the Function did not declare
    void ctx.saved.offset;
    const [x] = ctx.savedTensors;
    void x;
    return [ctx.needsInputGrad[0] ? g.mul(factor) : null, null];
  }
}

const x = tg.randn([3], { requiresGrad: true });
const y: Tensor = Scale.apply(x, 2); // apply returns what forward returns
y.sum().backward();
// @ts-expect-error wrong arity: forward takes (x, factor)
Scale.apply(x);
// @ts-expect-error a number where forward wants a Tensor
Scale.apply(3, 2);
// @ts-expect-error a Tensor where forward wants a number
Scale.apply(x, x);
// @ts-expect-error no arguments at all
Scale.apply();
// @ts-expect-error apply's result is a Tensor, not an array
const [notAnArray] = Scale.apply(x, 2);
void notAnArray;

// A Function with several outputs: apply's result is forward's tuple.
class SplitHalves extends tg.autograd.Function {
  static override forward(x: Tensor): [Tensor, Tensor] {
    const [a, b] = x.split(x.shape[0] / 2);
    return [a, b];
  }
  static override setupContext(): void {}
  static override backward(_ctx: tg.autograd.FunctionCtx, ga: Tensor, gb: Tensor): Tensor {
    return tg.cat([ga, gb]);
  }
}
const [lo, hi] = SplitHalves.apply(tg.randn([4], { requiresGrad: true }));
lo.add(hi).sum().backward();

// The older untyped style still compiles: fields set on the ctx itself, read back as unknown.
class MulConstant extends tg.autograd.Function {
  static override forward(x: Tensor, c: number) {
    return x.mul(c);
  }
  static override setupContext(ctx: tg.autograd.FunctionCtx, inputs: [Tensor, number]) {
    ctx.constant = inputs[1];
  }
  static override backward(ctx: tg.autograd.FunctionCtx, g: Tensor) {
    // @ts-expect-error an untyped field is unknown until narrowed
    g.mul(ctx.constant);
    return [g.mul(ctx.constant as number), null];
  }
}
MulConstant.apply(x, 3).sum();

// ---- modules ---------------------------------------------------------------------------------
class Residual extends tg.nn.Module {
  inner = new tg.nn.Linear(3, 3);
  forward(input: Tensor): Tensor {
    return input.add(this.inner.call(input));
  }
}
class PairLoss extends tg.nn.Module<[Tensor, Tensor], Tensor> {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.sub(b).square().mean();
  }
}
const model = new tg.nn.Sequential(new tg.nn.Linear(3, 3), new tg.nn.ReLU(), new Residual());
const out: Tensor = model.call(tg.randn([2, 3]));
const loss: Tensor = new PairLoss().call(out, tg.zeros([2, 3]));
loss.backward();
const holder = new Residual();
holder.registerModule('loss', new PairLoss()); // any module can be registered
// @ts-expect-error a number where forward wants a Tensor
model.call(3);
// @ts-expect-error wrong arity for a two-input module
new PairLoss().call(out);
// @ts-expect-error Sequential chains one-tensor modules; PairLoss takes two
new tg.nn.Sequential(new tg.nn.Linear(3, 3), new PairLoss());
// @ts-expect-error forward's result is a Tensor
const notString: string = model.forward(out);
void notString;

// ---- tg.func ---------------------------------------------------------------------------------
const f = (a: Tensor, b: Tensor): Tensor => a.mul(b).sum();
const ga: Tensor = tg.func.grad(f)(x, x); // one argnum (the default): one gradient
const both: Tensor[] = tg.func.grad(f, { argnums: [0, 1] })(x, x); // an array of argnums: an array
const [value, g0] = tg.func.valueAndGrad(f, { argnums: 1 })(x, x);
const jac: Tensor = tg.func.jacobian((v: Tensor) => v.sin())(x);
const hess: Tensor = tg.func.hessian((v: Tensor) => v.pow(3).sum())(x);
const [fx, vjpFn] = tg.func.vjp((v: Tensor) => v.exp(), x);
void [ga, both, value.add(g0), jac, hess, fx, vjpFn(fx)];
// @ts-expect-error the transformed function keeps f's arity
tg.func.grad(f)(x);
// @ts-expect-error a number where f wants a Tensor
tg.func.grad(f)(x, 1);
// @ts-expect-error one argnum gives one gradient, not an array
const wrong: Tensor[] = tg.func.grad(f)(x, x);
void wrong;
// @ts-expect-error vjp's arguments are f's
tg.func.vjp((v: Tensor) => v.exp(), 'x');
