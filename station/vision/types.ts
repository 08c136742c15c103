/** Shared types of the inspection engine (pure data; no I/O). */

/** A decoded image: 8-bit RGB, interleaved, top row first, EXIF orientation already applied. */
export interface DecodedImage {
  name: string;
  width: number;
  height: number;
  data: Uint8Array;
}

/** How an image is fitted into the square model input (one list, so engine settings and product.json accept the same modes). */
export const RESIZE_MODES = ['pad', 'crop', 'stretch'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

export const isResizeMode = (v: unknown): v is ResizeMode => (RESIZE_MODES as readonly unknown[]).includes(v);

/** The modes for an error message, e.g. `'pad', 'crop' or 'stretch'` (quote `"` for JSON fields). */
export function resizeModesText(quote = "'"): string {
  const q = RESIZE_MODES.map((m) => `${quote}${m}${quote}`);
  return `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/**
 * Where the image sits in the model input, so an anomaly map can be laid back over the original:
 * `content` is the rectangle of the input (in input pixels) that holds image pixels; `region` is the rectangle
 * of the original image (in original pixels) that those input pixels show.
 */
export interface InputGeometry {
  sourceWidth: number;
  sourceHeight: number;
  inputWidth: number;
  inputHeight: number;
  content: Rect;
  region: Rect;
  /** The region of interest in original pixels (the whole image when none): what the product's item region refers to. */
  frame: Rect;
  /** Set when the photo was turned to its item's pose first (pose.ts): every rect above is in the turned frame. */
  pose?: Pose;
}

/** Where an item is and how it lies, in the photo's pixels (see pose.ts). */
export interface Pose {
  cx: number;
  cy: number;
  /** Radians: the item's long axis, from its centre toward the end its mass trails off to. */
  angle: number;
  /** Long over short axis of the item's second moments: near 1 a round item has no axis to turn by. */
  elongation: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A preprocessed model input: NCHW float32, batch 1. */
export interface InputTensor {
  name: string;
  data: Float32Array;
  width: number;
  height: number;
  geometry: InputGeometry;
}

/** Patch features of one image on the finest tap's grid. */
export interface PatchEmbedding {
  gridW: number;
  gridH: number;
  /** Where the cells sit on the model input: cell (i, j) is centred at (x0 + (i + 0.5)·stride, y0 + (j + 0.5)·stride). */
  cells: GridPlacement;
  dim: number;
  /** Row-major [gridH * gridW, dim]. */
  patches: Float32Array;
  /** Mean of the patch features over the image content: used to find the nearest good references. */
  imageEmbedding: Float32Array;
  /** Cells of the grid that hold image content (1) rather than padding (0). */
  contentMask: Uint8Array;
  geometry: InputGeometry;
}

export interface GridPlacement {
  stride: number;
  x0: number;
  y0: number;
}

/** A float map, row-major. */
export interface AnomalyMap {
  width: number;
  height: number;
  data: Float32Array;
  /** The part of the original image this map covers (the whole image unless `resize` is 'crop'). */
  region: Rect;
}

export interface ScoreResult {
  /** Image-level anomaly score: the maximum of the smoothed anomaly map over the image content. */
  score: number;
  /** Nearest-neighbour distance of each patch, row-major [gridH, gridW]. */
  patchScores: Float32Array;
  anomalyMap: AnomalyMap;
  /** The cells that were scored: the image content, less the bench where the reference set knows the item region. */
  scoredMask: Uint8Array;
}

export interface InspectionTimings {
  decodeMs: number;
  preprocessMs: number;
  backboneMs: number;
  scoringMs: number;
  heatmapMs: number;
}
