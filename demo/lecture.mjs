// `node demo/lecture.mjs` (after `npm run build:ts`): the lecture's worked examples, computed with tapegrad
// and printed with their gradients. The main demo (`npm run demo`) trains an MLP on MNIST: demo/main.mjs.
import * as tg from '../dist/esm/index.js';

const f64 = { dtype: 'float64', requiresGrad: true };
const info = tg.backendInfo();
console.log(`tapegrad demo — kernels: ${info.isa} (hardware: ${info.hardwareIsa}), threads: ${info.threads}\n`);

function show(title, values) {
  console.log(title);
  for (const [name, v] of Object.entries(values))
    console.log(`  ${name.padEnd(8)} = ${JSON.stringify(v instanceof tg.Tensor ? v.toArray() : v)}`);
  console.log();
}

{
  const x1 = tg.tensor(1, f64),
    x2 = tg.tensor(2, f64);
  const z = x1.add(x2.mul(3)).pow(2);
  z.backward();
  show('z = (x1 + 3·x2)² at (1, 2)', { z: z.item(), 'dz/dx1': x1.grad.item(), 'dz/dx2': x2.grad.item() });
}
{
  const x = tg.tensor([1, -2, 3], f64),
    w = tg.tensor([0.5, 0.3, 1], f64),
    b = tg.tensor(-1.5, f64);
  const q = w.mul(x).sum().add(b).sigmoid();
  q.backward();
  show('q = sigmoid(w·x + b), x = [1, -2, 3], w = [0.5, 0.3, 1], b = -1.5', {
    q: q.item(),
    'dq/dw': w.grad,
    'dq/db': b.grad.item(),
    'dq/dx': x.grad,
  });
}
{
  const x = tg.tensor(2, f64),
    y = tg.tensor(3, f64);
  const f = x.mul(y).add(x.sin());
  f.backward();
  show('f(x, y) = x·y + sin(x) at (2, 3)', { f: f.item(), 'df/dx': x.grad.item(), 'df/dy': y.grad.item() });
}
{
  const a = tg.tensor([2, 3], f64),
    b = tg.tensor([6, 4], f64);
  const s = a.pow(3).mul(3).sub(b.pow(2)).sum();
  s.backward();
  show('s = sum(3a³ − b²), a = [2, 3], b = [6, 4]', { s: s.item(), 'ds/da': a.grad, 'ds/db': b.grad });
}
{
  const W = tg.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      f64,
    ),
    X = tg.tensor(
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
      f64,
    );
  const S = W.matmul(X);
  S.backward(tg.onesLike(S));
  show('S = W·X (W 2×3, X 3×2), upstream gradient dS = ones', { S, 'dW=dS·Xᵀ': W.grad, 'dX=Wᵀ·dS': X.grad });
}
