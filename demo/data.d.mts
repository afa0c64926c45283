// Types of demo/data.mjs, for the TypeScript test that shares it.
import type * as TG from '../lib/index.js';

export const PIXELS: number;
export const CLASSES: number;
export function rng(seed: number): () => number;
export function shuffle(idx: number[], rand: () => number): number[];
export interface Digits {
  images: Float32Array;
  labels: Int32Array;
  trainIdx: number[];
  heldIdx: number[];
}
export function loadDigits(seed: number): Digits;
export function batchOf(tg: typeof TG, digits: Digits, idx: number[], from: number, to: number): [TG.Tensor, TG.Tensor];
