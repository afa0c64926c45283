// tg.optim: optimizers and learning-rate schedulers.
export {
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export * as lrScheduler from './lr_scheduler.js';
export { StepLR, CosineAnnealingLR, LRScheduler } from './lr_scheduler.js';
