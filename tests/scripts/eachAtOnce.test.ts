import { describe, expect, it } from 'vitest';
import { eachAtOnce } from '../../scripts/lib/eachAtOnce.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('eachAtOnce', () => {
  it('runs every item, never more than n at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachAtOnce([5, 1, 4, 2, 3], 2, async (x) => {
      most = Math.max(most, ++running);
      await pause(x * 3);
      running--;
      done.push(x);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('starts nothing after a failure and rejects with it once the running ones settle', async () => {
    const started: number[] = [];
    let settled = 0;
    await expect(
      eachAtOnce([1, 2, 3, 4], 2, async (x) => {
        started.push(x);
        await pause(x === 1 ? 1 : 20);
        settled++;
        if (x === 1) throw new Error('item 1 failed');
      }),
    ).rejects.toThrow(/item 1 failed/);
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(2);
  });
});
