// Global grad mode: whether operations are recorded for backward.
import { describe } from './shape.js';

let enabled = true;

/** Whether operations are currently recorded for backward. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode and returns the previous value (engine-internal; users call noGrad/enableGrad). */
export function setGradEnabled(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

let anomalyDetection = false;

/** Whether anomaly mode is on (tg.autograd.setDetectAnomaly): backward checks more and names the op. */
export function isAnomalyEnabled(): boolean {
  return anomalyDetection;
}

/** @internal sets anomaly mode (tg.autograd.setDetectAnomaly validates its argument). */
export function setAnomalyEnabled(on: boolean): void {
  anomalyDetection = on;
}

/** Runs fn with recording off; nothing computed inside gets a gradFn. Returns fn's result. */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`noGrad: argument 'fn' must be a function, got ${describe(fn)}`);
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs fn with recording on (e.g. inside a noGrad block). Returns fn's result. */
export function enableGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function')
    throw new TypeError(`enableGrad: argument 'fn' must be a function, got ${describe(fn)}`);
  const previous = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
