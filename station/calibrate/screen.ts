/**
 * Good images that do not belong: too small to inspect, blank, animated, far off the others' size or shape, or —
 * once scored — far outside the other good images' held-out scores. Each would widen the tolerance band for
 * everyone (one 1×1 image, one black frame and one stretched photo moved a band from 15.8/17.4 to 20.5/33.6), so
 * calibration leaves them out and the report lists them; a lead keeps one by naming it in product.json
 * (`keepImages`).
 */
import sharp from 'sharp';
import { percentile } from '../vision/metrics.ts';
import { orientedSize } from '../vision/preprocess.ts';

/** What the screen needs to know of one image, read from its header and a small thumbnail. */
export interface ImageFacts {
  width: number;
  height: number;
  /** Frames in the file (an animated GIF or WebP has more than one). */
  pages: number;
  /** Largest per-channel standard deviation of a 64×64 thumbnail: near 0 for a blank frame. */
  spread: number;
}

/** Shorter side below this cannot show an item's detail to a 224 px model input. */
export const MIN_SIDE = 64;
/** A thumbnail this flat is one colour: a lens cap, a black frame, an empty file rendered. */
export const BLANK_SPREAD = 2;
/** Width:height this far (as a ratio) from the others' median: rotated, stretched or cropped differently. */
export const ASPECT_RATIO_LIMIT = 1.5;
/** Pixel count this far (as a ratio) from the others' median: another camera or a stray download. */
export const AREA_RATIO_LIMIT = 9;
/** Held-out score beyond Q3 + this × IQR of the good images' held-out scores (Tukey's far-out fence, widened). */
export const SCORE_FENCE_IQR = 5;
/** Size and score checks compare an image with the others: they need this many. */
export const MIN_FOR_COMPARISON = 8;

export interface Flagged {
  name: string;
  reason: string;
}

/** A flagged image and whether product.json's keepImages keeps it anyway. */
export interface FlaggedImage extends Flagged {
  kept: boolean;
}

export const keptOrLeftOut = (flags: Flagged[], keepImages: readonly string[]): FlaggedImage[] =>
  flags.map((f) => ({ ...f, kept: keepImages.includes(f.name) }));

export const leftOut = (flags: FlaggedImage[], name: string): boolean => flags.some((f) => f.name === name && !f.kept);

/** Header and thumbnail facts, or null when sharp cannot read the file (embedding reports that by name). */
export async function imageFacts(file: string): Promise<ImageFacts | null> {
  try {
    const img = sharp(file, { failOn: 'none' });
    const m = await img.metadata();
    const size = orientedSize(m);
    if (!size) return null;
    const stats = await img.clone().rotate().resize(64, 64, { fit: 'fill' }).removeAlpha().stats();
    return {
      ...size,
      pages: m.pages ?? 1,
      spread: Math.max(...stats.channels.map((c) => c.stdev)),
    };
  } catch {
    return null;
  }
}

const ratio = (a: number, b: number) => Math.max(a / b, b / a);

/** Images whose facts alone show they do not belong (pure). `facts[i]` null: not judged here. */
export function screenFacts(items: { name: string; facts: ImageFacts | null }[]): Flagged[] {
  const known = items.filter((i): i is { name: string; facts: ImageFacts } => i.facts !== null);
  const compare = known.length >= MIN_FOR_COMPARISON;
  const aspect = compare
    ? percentile(
        known.map((i) => i.facts.width / i.facts.height),
        50,
      )
    : 1;
  const area = compare
    ? percentile(
        known.map((i) => i.facts.width * i.facts.height),
        50,
      )
    : 1;
  const typical = compare
    ? `typically ${percentile(
        known.map((i) => i.facts.width),
        50,
      )}×${percentile(
        known.map((i) => i.facts.height),
        50,
      )}`
    : '';
  const out: Flagged[] = [];
  for (const { name, facts: f } of known) {
    const size = `${f.width}×${f.height}`;
    let reason: string | null = null;
    if (Math.min(f.width, f.height) < MIN_SIDE)
      reason = `too small to inspect (${size}; at least ${MIN_SIDE} px on the short side)`;
    else if (f.pages > 1) reason = `an animation of ${f.pages} frames, not a photograph of one item`;
    else if (f.spread < BLANK_SPREAD) reason = `blank (one flat colour, ${size})`;
    else if (compare && ratio(f.width / f.height, aspect) > ASPECT_RATIO_LIMIT)
      reason = `shaped unlike the others (${size}, ${typical}): rotated, stretched or cropped differently`;
    else if (compare && ratio(f.width * f.height, area) > AREA_RATIO_LIMIT)
      reason = `sized unlike the others (${size}, ${typical})`;
    if (reason) out.push({ name, reason });
  }
  return out;
}

/** Good images whose held-out score lies far outside the others' (pure); needs MIN_FOR_COMPARISON scores. */
export function scoreOutliers(scores: { name: string; score: number }[]): Flagged[] {
  if (scores.length < MIN_FOR_COMPARISON) return [];
  const v = scores.map((s) => s.score);
  const q1 = percentile(v, 25);
  const q3 = percentile(v, 75);
  const fence = q3 + SCORE_FENCE_IQR * (q3 - q1);
  if (!(q3 > q1)) return [];
  return scores
    .filter((s) => s.score > fence)
    .map((s) => ({
      name: s.name,
      reason: `held-out score ${s.score.toPrecision(4)}, far above the other good images' (${q1.toPrecision(4)}–${q3.toPrecision(4)} for the middle half)`,
    }));
}
