// Grad mode follows the async context: noGrad / enableGrad / inferenceMode hold across await, for the
// scope's own work only, and inference tensors stay out of later graphs.
import { describe, expect, it } from 'vitest';
import * as tg from '../../lib/index.js';

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('grad mode across await', () => {
  it('noGrad holds after an await inside an async function, and ends with it', async () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const seen: boolean[] = [];
    const result = await tg.noGrad(async () => {
      seen.push(tg.isGradEnabled());
      await tick();
      seen.push(tg.isGradEnabled());
      await null;
      return x.mul(2);
    });
    expect(seen).toEqual([false, false]);
    expect(result.requiresGrad).toBe(false);
    expect(tg.isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('a function returning a promise (not declared async) is held too', async () => {
    const inner = async (): Promise<boolean> => {
      await tick();
      return tg.isGradEnabled();
    };
    expect(await tg.noGrad(() => inner())).toBe(false);
  });

  it('two interleaved async loops, one under noGrad, do not disturb each other', async () => {
    const w = tg.tensor([0.5, -1], { requiresGrad: true });
    const recorded: boolean[] = [];
    const notRecorded: boolean[] = [];
    const training = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) {
        await tick(i % 3);
        recorded.push(tg.isGradEnabled() && w.mul(2).requiresGrad);
      }
    };
    const evaluation = (): Promise<void> =>
      tg.noGrad(async () => {
        for (let i = 0; i < 20; i++) {
          await tick((i + 1) % 3);
          notRecorded.push(!tg.isGradEnabled() && !w.mul(2).requiresGrad);
        }
      });
    await Promise.all([training(), evaluation(), training()]);
    expect(recorded).toEqual(new Array(40).fill(true));
    expect(notRecorded).toEqual(new Array(20).fill(true));
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('nests: enableGrad inside an async noGrad, and sync scopes inside async ones', async () => {
    const log: string[] = [];
    await tg.noGrad(async () => {
      await tick();
      await tg.enableGrad(async () => {
        await tick();
        log.push(`inner ${tg.isGradEnabled()}`);
        tg.noGrad(() => log.push(`sync ${tg.isGradEnabled()}`));
        log.push(`after sync ${tg.isGradEnabled()}`);
      });
      log.push(`outer ${tg.isGradEnabled()}`);
    });
    expect(log).toEqual(['inner true', 'sync false', 'after sync true', 'outer false']);
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('a rejection passes through and still ends the scope', async () => {
    await expect(
      tg.noGrad(async () => {
        await tick();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(tg.isGradEnabled()).toBe(true);
  });

  it('backward inside an async enableGrad scope works after an await', async () => {
    const x = tg.tensor([3], { dtype: 'float64', requiresGrad: true });
    await tg.noGrad(async () => {
      await tick();
      await tg.enableGrad(async () => {
        await tick();
        x.mul(x).sum().backward();
      });
    });
    expect(Array.from(x.grad!.data)).toEqual([6]);
  });

  it('work a scope leaves behind (a timer it starts) runs in the mode outside, once the scope has ended', async () => {
    let insideTimer: boolean | undefined;
    await tg.noGrad(async () => {
      setTimeout(() => {
        insideTimer = tg.isGradEnabled();
      }, 5);
      await tick();
    });
    await tick(20);
    expect(insideTimer).toBe(true);
    let syncTimer: boolean | undefined;
    tg.noGrad(() => {
      setTimeout(() => {
        syncTimer = tg.isGradEnabled();
      }, 0);
    });
    await tick(10);
    expect(syncTimer).toBe(true);
  });

  it('validates fn', () => {
    expect(() => tg.noGrad(42 as never)).toThrow(
      new TypeError("noGrad: argument 'fn' must be a function, got a number (42)"),
    );
    expect(() => tg.inferenceMode('x' as never)).toThrow(/^inferenceMode: argument 'fn' must be a function, got /);
  });
});

describe('inferenceMode', () => {
  it('records nothing, and its tensors refuse to enter a graph later', () => {
    const w = tg.tensor([1, 2], { requiresGrad: true });
    const y = tg.inferenceMode(() => {
      expect(tg.isGradEnabled()).toBe(false);
      expect(tg.isInferenceMode()).toBe(true);
      return w.mul(3);
    });
    expect(y.requiresGrad).toBe(false);
    expect(tg.isInferenceMode()).toBe(false);
    expect(() => w.mul(y)).toThrow(
      'Mul: input 1 is an inference tensor (made inside tg.inferenceMode), which cannot be used in an op that records a graph; clone() it outside inferenceMode to get a normal tensor',
    );
    expect(() => y.requiresGrad_(true)).toThrow(/^requiresGrad: an inference tensor/);
    // Outside a graph it is an ordinary value; clone() makes a normal tensor.
    expect(Array.from(y.add(1).data)).toEqual([4, 7]);
    expect(w.mul(y.clone()).requiresGrad).toBe(true);
    // Under noGrad nothing records, so nothing refuses.
    expect(tg.noGrad(() => w.mul(y)).requiresGrad).toBe(false);
  });

  it('holds across await', async () => {
    const t = await tg.inferenceMode(async () => {
      await tick();
      return tg.zeros([2]);
    });
    expect(t._inference).toBe(true);
    expect(tg.zeros([2])._inference).toBe(false);
  });
});

describe('inferenceMode and the other scopes', () => {
  it('noGrad and enableGrad inside inferenceMode keep it (and record nothing)', () => {
    tg.inferenceMode(() => {
      tg.enableGrad(() => {
        expect(tg.isInferenceMode()).toBe(true);
        expect(tg.isGradEnabled()).toBe(false);
      });
      tg.noGrad(() => expect(tg.isInferenceMode()).toBe(true));
    });
    expect(tg.isInferenceMode()).toBe(false);
  });
});
