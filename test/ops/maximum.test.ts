import { describe } from 'vitest';
import * as tg from '../../lib/index.js';
import { extremumCases } from './extremum_cases.js';

describe('maximum', () => extremumCases('maximum', tg.maximum, Math.max, (x, o) => x.maximum(o)));
