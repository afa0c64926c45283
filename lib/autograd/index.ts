// tg.autograd: the Function/ctx API, grad, gradcheck, anomaly detection.
export {
  Function,
  FunctionCtx,
  type ApplyArgs,
  type ApplyResult,
  type FunctionClass,
  type UntypedSaved,
} from './function.js';
export { grad, setDetectAnomaly, isAnomalyEnabled, type GradOptions } from './engine.js';
export { gradcheck, gradgradcheck, type GradcheckOptions } from './gradcheck.js';
export { toDot } from './to_dot.js';
