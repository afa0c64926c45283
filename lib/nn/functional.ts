// tg.nn.functional: losses and the stateless forms of the layers.
export { crossEntropy, type CrossEntropyOptions } from './cross_entropy.js';
export { binaryCrossEntropyWithLogits, l1Loss, mseLoss, nllLoss, type BceWithLogitsOptions } from './loss.js';
export { linear } from './linear.js';
export { dropout, embedding, layerNorm } from './functional_ops.js';
export { gelu } from '../ops/elementwise.js';
export type { Reduction } from './reduction.js';
export { relu, sigmoid, silu, tanh } from '../ops/elementwise.js';
export { softmax, logSoftmax } from '../ops/softmax.js';
export { elu } from '../ops/elementwise.js';
export { leakyRelu } from '../ops/elementwise.js';
export { softplus } from '../ops/elementwise.js';
