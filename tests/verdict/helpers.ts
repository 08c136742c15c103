import { seededRandom } from '../../station/shared/random.ts';

export function sampler(seed: number) {
  const rand = seededRandom(seed);
  const normal = () => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  return {
    uniform: (n: number) => Array.from({ length: n }, rand),
    exponential: (n: number) => Array.from({ length: n }, () => -Math.log(1 - rand())),
    normal: (n: number, mu = 0, sd = 1) => Array.from({ length: n }, () => mu + sd * normal()),
  };
}
