/**
 * Runs `work` on every item, at most `n` at once. After a failure no further item starts; it rejects with the first
 * failure once the running ones settle.
 */
export async function eachAtOnce<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, lane);
  const settled = await Promise.allSettled(lanes);
  const first = settled.find((s) => s.status === 'rejected');
  if (first) throw first.reason;
}
