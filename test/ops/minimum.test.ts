import { describe } from 'vitest';
import * as tg from '../../lib/index.js';
import { extremumCases } from './extremum_cases.js';

describe('minimum', () => extremumCases('minimum', tg.minimum, Math.min, (x, o) => x.minimum(o)));
