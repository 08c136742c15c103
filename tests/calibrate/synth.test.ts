import { describe, expect, it } from 'vitest';
import {
  SYNTH_KINDS,
  type SynthKind,
  estimateItemMask,
  synthesizeDefect,
  synthesizeSet,
} from '../../station/calibrate/synth/index.ts';
import { dilate, insetDistance } from '../../station/vision/raster.ts';
import { LARGEST_SHARE } from '../../station/calibrate/synth/context.ts';
import { SURFACE_COVER } from '../../station/calibrate/tune/choose.ts';
import { typicalItemCover } from '../../station/vision/itemRegion.ts';
import { renderItem } from '../../station/demo/generate.ts';
import { createRng } from '../../station/shared/random.ts';
import type { DecodedImage } from '../../station/vision/types.ts';

const SIZE = 256;
const count = (m: Uint8Array): number => m.reduce((a, b) => a + b, 0);
const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

/** A wood-grain disc (rings bent by sines, seeded noise) on a plain bench; returns the true disc. */
function discOnBench(seed: number): { img: DecodedImage; disc: Uint8Array } {
  const rand = createRng(seed);
  const data = new Uint8Array(SIZE * SIZE * 3);
  const disc = new Uint8Array(SIZE * SIZE);
  const cx = 120 + rand() * 16;
  const cy = 124 + rand() * 12;
  const radius = 78;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const p = y * SIZE + x;
      const d = Math.hypot(x - cx, y - cy);
      const cover = Math.max(0, Math.min(1, radius - d + 0.5));
      disc[p] = d <= radius ? 1 : 0;
      const ring = Math.sin(0.45 * Math.hypot(x - cx + 30, (y - cy) * 1.2) + 2 * Math.sin(y * 0.05 + x * 0.02));
      const grain = 0.78 + 0.16 * ring + 0.06 * (rand() - 0.5);
      const wood = [200 * grain, 138 * grain, 82 * grain];
      const bench = [92, 104, 96].map((v) => v + (rand() - 0.5) * 6);
      for (let c = 0; c < 3; c++) data[p * 3 + c] = clamp(bench[c] + (wood[c] - bench[c]) * cover);
    }
  }
  return { img: { name: `disc-${seed}`, width: SIZE, height: SIZE, data }, disc };
}

/** A frame-filling leather-like texture: no bench in view. */
function texture(seed: number, size = SIZE): DecodedImage {
  const rand = createRng(seed);
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cells = Math.sin(x * 0.31 + Math.sin(y * 0.13) * 3) * Math.sin(y * 0.27 + Math.sin(x * 0.11) * 3);
      const v = 0.75 + 0.15 * cells + 0.1 * (rand() - 0.5);
      const i = (y * size + x) * 3;
      data[i] = clamp(150 * v);
      data[i + 1] = clamp(96 * v);
      data[i + 2] = clamp(60 * v);
    }
  }
  return { name: `leather-${seed}`, width: size, height: size, data };
}

/** A demo-generator photograph (the station's own sample product) with its true item mask. */
function demoPhoto(
  kind: 'wood-disc' | 'glazed-tile' | 'leather-patch',
  seed: number,
): { img: DecodedImage; item: Uint8Array } {
  const r = renderItem({ kind, seed, width: SIZE, height: SIZE });
  return { img: { name: `${kind}-${seed}`, width: r.width, height: r.height, data: r.rgb }, item: r.itemMask };
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let p = 0; p < a.length; p++) {
    inter += a[p] & b[p];
    union += a[p] | b[p];
  }
  return inter / union;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array, where: Uint8Array): number {
  let total = 0;
  let n = 0;
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    for (let c = 0; c < 3; c++) total += Math.abs(a[p * 3 + c] - b[p * 3 + c]);
    n += 3;
  }
  return total / n;
}

/** Pixels that differ although they lie farther than `radius` px from every mask pixel. */
function changedOutside(a: Uint8Array, b: Uint8Array, mask: Uint8Array, radius: number): number {
  const near = dilate(mask, SIZE, SIZE, radius);
  let bad = 0;
  for (let p = 0; p < mask.length; p++) {
    if (near[p]) continue;
    if (a[p * 3] !== b[p * 3] || a[p * 3 + 1] !== b[p * 3 + 1] || a[p * 3 + 2] !== b[p * 3 + 2]) bad++;
  }
  return bad;
}

const scene = discOnBench(11);
const leather = texture(5);
const allOnes = new Uint8Array(SIZE * SIZE).fill(1);

describe('estimateItemMask', () => {
  it('finds a textured disc on a plain bench', () => {
    for (const seed of [11, 12, 13]) {
      const { img, disc } = discOnBench(seed);
      expect(iou(estimateItemMask(img), disc), `seed ${seed}`).toBeGreaterThan(0.9);
    }
  });

  it('calls a frame-filling texture all item', () => {
    for (const seed of [5, 6]) expect(count(estimateItemMask(texture(seed)))).toBe(SIZE * SIZE);
  });

  it('tells a surface from an object: the typical item covers nearly all of its frame, or a part', () => {
    const textures = [texture(5), texture(6), texture(7)].map((t) => estimateItemMask(t));
    const discs = [11, 12, 13].map((seed) => estimateItemMask(discOnBench(seed).img));
    expect(typicalItemCover(textures)).toBeGreaterThanOrEqual(SURFACE_COVER);
    expect(typicalItemCover(discs)).toBeLessThan(SURFACE_COVER);
    // the median: one odd photograph does not change what the product is
    expect(typicalItemCover([...textures, discs[0]])).toBeGreaterThanOrEqual(SURFACE_COVER);
  });

  it('finds the demo products on their bench', () => {
    for (const kind of ['wood-disc', 'glazed-tile', 'leather-patch'] as const) {
      const { img, item } = demoPhoto(kind, 3);
      expect(iou(estimateItemMask(img), item), kind).toBeGreaterThan(0.85);
    }
  });
});

describe('synthesizeDefect', () => {
  for (const [label, img, item] of [
    ['disc on bench', scene.img, scene.disc],
    ['frame-filling texture', leather, allOnes],
  ] as const) {
    it(`draws every kind on the item of a ${label}, changing only what the mask marks`, () => {
      const before = img.data.slice();
      const inset = insetDistance(item, SIZE, SIZE);
      const extent = Math.sqrt(count(item));
      for (const kind of SYNTH_KINDS) {
        for (const seed of [1, 2, 3]) {
          const what = `${kind} seed ${seed}`;
          const out = synthesizeDefect(img, { kind, seed, itemMask: item, size: 0.6 });
          const { mask } = out;
          expect(out.kind).toBe(kind);
          expect(count(mask), what).toBeGreaterThan(0);
          let offItem = 0;
          let deepest = 0;
          let shallowest = Infinity;
          for (let p = 0; p < mask.length; p++) {
            if (!mask[p]) continue;
            if (!item[p]) offItem++;
            deepest = Math.max(deepest, inset[p]);
            shallowest = Math.min(shallowest, inset[p]);
          }
          expect(offItem, what).toBe(0);
          if (kind === 'chip') {
            // a bite out of the outline: it touches the edge and reaches no deeper than its size
            expect(shallowest, what).toBeLessThanOrEqual(1.5);
            expect(deepest, what).toBeLessThanOrEqual(LARGEST_SHARE * extent + 4);
          }
          expect(changedOutside(img.data, out.image.data, mask, 4), what).toBe(0);
          expect(meanAbsDiff(img.data, out.image.data, mask), what).toBeGreaterThan(6);
        }
      }
      expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
    });
  }

  it('is deterministic per seed and differs between seeds', () => {
    for (const kind of SYNTH_KINDS) {
      const a = synthesizeDefect(scene.img, { kind, seed: 7 });
      const b = synthesizeDefect(scene.img, { kind, seed: 7 });
      const c = synthesizeDefect(scene.img, { kind, seed: 8 });
      expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data)), kind).toBe(true);
      expect(Buffer.from(a.mask).equals(Buffer.from(b.mask)), kind).toBe(true);
      expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data)), kind).toBe(false);
    }
  });

  it('grows from a hairline at size 0 to a large defect at size 1', () => {
    for (const kind of SYNTH_KINDS) {
      for (const seed of [1, 2]) {
        const small = count(synthesizeDefect(scene.img, { kind, seed, itemMask: scene.disc, size: 0 }).mask);
        const large = count(synthesizeDefect(scene.img, { kind, seed, itemMask: scene.disc, size: 1 }).mask);
        expect(small, `${kind} seed ${seed}`).toBeGreaterThan(0);
        expect(large, `${kind} seed ${seed}`).toBeGreaterThan(3 * small);
      }
    }
  });

  it('pastes a donor patch, or its own patch turned when there is no donor', () => {
    const donor = discOnBench(12).img;
    for (const donors of [[donor], []]) {
      const out = synthesizeDefect(scene.img, { kind: 'paste', seed: 4, itemMask: scene.disc, donors, size: 1 });
      expect(meanAbsDiff(scene.img.data, out.image.data, out.mask)).toBeGreaterThan(10);
    }
  });

  it('paints only grey on a grey photograph: a monochrome camera sees no tint', () => {
    const grey: DecodedImage = { ...leather, name: 'grey', data: leather.data.slice() };
    for (let p = 0; p < SIZE * SIZE; p++)
      grey.data[p * 3] = grey.data[p * 3 + 1] = grey.data[p * 3 + 2] = leather.data[p * 3 + 1];
    const tinted = (d: Uint8Array): number => {
      let n = 0;
      for (let i = 0; i < d.length; i += 3) if (Math.abs(d[i] - d[i + 1]) > 1 || Math.abs(d[i + 1] - d[i + 2]) > 1) n++;
      return n;
    };
    for (const kind of SYNTH_KINDS) {
      for (const seed of [1, 2, 3]) {
        const out = synthesizeDefect(grey, { kind, seed, itemMask: allOnes, size: 0.8 });
        expect(count(out.mask), `${kind} seed ${seed}`).toBeGreaterThan(0);
        expect(tinted(out.image.data), `${kind} seed ${seed}`).toBe(0);
      }
    }
    // the control: on the colour photograph a stain does change the balance of the channels
    const chromaShift = (d: Uint8Array): number => {
      let n = 0;
      for (let i = 0; i < d.length; i += 3) {
        const a = leather.data;
        if (
          Math.abs(d[i] - d[i + 1] - (a[i] - a[i + 1])) > 3 ||
          Math.abs(d[i + 1] - d[i + 2] - (a[i + 1] - a[i + 2])) > 3
        )
          n++;
      }
      return n;
    };
    const shifts = [1, 2, 3, 4, 5, 6].map((seed) =>
      chromaShift(synthesizeDefect(leather, { kind: 'spot', seed, itemMask: allOnes, size: 0.8 }).image.data),
    );
    expect(Math.max(...shifts)).toBeGreaterThan(20);
  });

  it('draws scratches, spots and gaps both lighter and darker than a mid-grey surface', () => {
    const tone = (d: Uint8Array, mask: Uint8Array): number => {
      let sum = 0;
      for (let p = 0; p < mask.length; p++) if (mask[p]) sum += d[p * 3 + 1] - leather.data[p * 3 + 1];
      return sum;
    };
    for (const kind of ['scratch', 'spot', 'chip'] as const) {
      const signs = new Set<number>();
      for (let seed = 1; seed <= 12; seed++) {
        const out = synthesizeDefect(leather, { kind, seed, itemMask: allOnes, size: 0.7 });
        signs.add(Math.sign(tone(out.image.data, out.mask)));
      }
      expect([...signs].sort(), kind).toEqual([-1, 1]);
    }
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => synthesizeDefect(scene.img, { kind: 'dent' as SynthKind, seed: 1 })).toThrow(/unknown kind "dent"/);
    expect(() => synthesizeDefect(scene.img, { kind: 'spot', seed: 1, size: 2 })).toThrow(/size must be/);
    expect(() => synthesizeDefect(scene.img, { kind: 'spot', seed: 1, itemMask: new Uint8Array(SIZE * SIZE) })).toThrow(
      /itemMask is empty/,
    );
  });

  it('lands scratches, spots and chips on a demo photograph’s item', () => {
    for (const kind of ['wood-disc', 'glazed-tile', 'leather-patch'] as const) {
      const { img, item } = demoPhoto(kind, 4);
      // the item mask is estimated here, and its outline may take in a few px of the item's soft
      // shadow on the bench: a chip, drawn on that outline, may reach that far off the true item
      const onItem = dilate(item, SIZE, SIZE, 1);
      const nearItem = dilate(item, SIZE, SIZE, 4);
      for (const defect of ['scratch', 'spot', 'chip'] as const) {
        for (const seed of [1, 2, 3]) {
          const { mask, image } = synthesizeDefect(img, { kind: defect, seed, size: 0.7 });
          const what = `${kind}/${defect} seed ${seed}`;
          const allowed = defect === 'chip' ? nearItem : onItem;
          let off = 0;
          for (let p = 0; p < mask.length; p++) if (mask[p] && !allowed[p]) off++;
          expect(count(mask), what).toBeGreaterThan(0);
          expect(off, what).toBe(0);
          expect(meanAbsDiff(img.data, image.data, mask), what).toBeGreaterThan(10);
        }
      }
    }
  });
});

describe('synthesizeSet', () => {
  it('makes perImage defects per good, cycling kinds and spreading sizes, with other goods as donors', () => {
    const goods = [discOnBench(11).img, discOnBench(12).img, discOnBench(13).img];
    const set = synthesizeSet(goods, { perImage: 4, seed: 3 });
    expect(set).toHaveLength(12);
    expect(set.map((d) => d.source)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(set.map((d) => d.kind)).toEqual(Array.from({ length: 12 }, (_, i) => SYNTH_KINDS[i % SYNTH_KINDS.length]));
    for (const d of set) expect(count(d.mask), d.image.name).toBeGreaterThan(0);
    // the four sizes on one good run from hairline to large: mask areas spread widely
    const areas = set.filter((d) => d.source === 0).map((d) => count(d.mask));
    expect(Math.max(...areas)).toBeGreaterThan(3 * Math.min(...areas));

    const again = synthesizeSet(goods, { perImage: 4, seed: 3 });
    expect(again.every((d, i) => Buffer.from(d.image.data).equals(Buffer.from(set[i].image.data)))).toBe(true);
    const only = synthesizeSet(goods.slice(0, 1), { perImage: 3, seed: 3, kinds: ['chip'] });
    expect(only.map((d) => d.kind)).toEqual(['chip', 'chip', 'chip']);
  });
});
