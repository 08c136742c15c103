import { describe, expect, it } from 'vitest';
import { splitHalves } from '../../scripts/lib/evaluate.ts';

describe('eval tune/report split', () => {
  it('splits each type by sorted file name (even → tune, odd → report), whatever the input order', () => {
    // Good: g0..g3 scores 0..3. Defects: d0..d3. Tune sees g0, g2 and d0, d2; report sees g1, g3 and d1, d3.
    const rows = [
      { file: 'good/g3.png', type: 'good', score: 3 },
      { file: 'good/g0.png', type: 'good', score: 0 },
      { file: 'good/g2.png', type: 'good', score: 2 },
      { file: 'good/g1.png', type: 'good', score: 1 },
      { file: 'crack/d1.png', type: 'crack', score: 0.5 },
      { file: 'crack/d0.png', type: 'crack', score: 10 },
      { file: 'crack/d3.png', type: 'crack', score: 2.5 },
      { file: 'crack/d2.png', type: 'crack', score: 10 },
    ];
    const s = splitHalves(rows);
    expect(s.tune).toBe(1); // 10, 10 above 0, 2
    expect(s.report).toBe(0.25); // 0.5 and 2.5 against 1 and 3: only 2.5 > 1, 1 of 4 pairs
  });
});
