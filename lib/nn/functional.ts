// tg.nn.functional: losses and the stateless forms of the layers.
export { crossEntropy, type CrossEntropyOptions } from './cross_entropy.js';
export { binaryCrossEntropyWithLogits, l1Loss, mseLoss, nllLoss, type BceWithLogitsOptions } from './loss.js';
export { linear } from './linear.js';
export { dropout, embedding, layerNorm } from './functional_ops.js';
export { gelu } from '../ops/gelu.js';
export type { Reduction } from './reduction.js';
export { relu } from '../ops/relu.js';
export { sigmoid } from '../ops/sigmoid.js';
export { tanh } from '../ops/tanh.js';
