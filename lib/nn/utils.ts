// tg.nn.utils: torch.nn.utils's gradient clipping.
export { clipGradNorm_, clipGradValue_ } from './clip_grad.js';
