// tg.nn: Module, layers, and the functional / init namespaces.
export { Module, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export {
  Sequential,
  Identity,
  ReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  ELU,
  LeakyReLU,
  Softplus,
  Softmax,
  LogSoftmax,
  Dropout,
  LayerNorm,
  Embedding,
  type LayerNormOptions,
} from './layers.js';
export * as functional from './functional.js';
export * as init from './init.js';
export { ModuleList, ModuleDict } from './containers.js';
export * as utils from './utils.js';
