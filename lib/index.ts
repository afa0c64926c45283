// tapegrad's public surface: re-exports only.
import './ops/index.js'; // fills in the table Tensor's methods delegate to

export {
  Tensor,
  tensor,
  type TensorLike,
  type TensorOptions,
  type FromArrayOptions,
  type NestedArray,
  type BackwardOptions,
  type GradHook,
  type Dims,
} from './tensor.js';
export type { DType, FloatDType, TypedArray } from './dtype.js';
export type { PostAccumulateGradHook } from './autograd/post_accumulate_hooks.js';
export { zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn } from './creation.js';
export { manualSeed } from './random.js';
export { noGrad, enableGrad, inferenceMode, isGradEnabled, isInferenceMode } from './grad_mode.js';
export * from './ops/index.js';
export * as autograd from './autograd/index.js';
export * as func from './func.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as safetensors from './safetensors.js';
export { getNumThreads, setNumThreads, backendInfo } from './backend.js';
export { memory, type MemoryInfo } from './memory.js';
export {
  compile,
  GraphBreakError,
  type CompileOptions,
  type CompiledFunction,
  type CompiledPlan,
  type PlanSummary,
} from './compile/compile.js';
export { matmulAsync } from './compile/async_eager.js';
