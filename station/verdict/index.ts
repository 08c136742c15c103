/** The verdict room: pure tolerance statistics. No fs, no SQLite, no express. */
export * from './bands.ts';
export * from './judge.ts';
export * from './choose.ts';
export * from './histogram.ts';
export * from './regionNorm.ts';
export * from './scoreModel.ts';
export * from './explain.ts';
export * from './pool.ts';
export {
  upperQuantile,
  quantileSorted,
  exponentialTailQuantile,
  MIN_TAIL_ITEMS,
  type QuantileMethod,
} from './quantile.ts';
export { seededRandom, seededPermutation } from '../shared/random.ts';
