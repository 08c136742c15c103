// Small raster helpers the synthesizer shares: blur, dilation and an inset distance. All O(n)
// whatever the radius, so a 512 px frame costs a few milliseconds.

const clampIndex = (i: number, n: number): number => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** Mean over a (2r+1)² box with edges clamped: separable running sums, both passes row by row. */
export function boxBlur(src: Float32Array, width: number, height: number, radius: number): Float32Array {
  const r = Math.max(0, Math.round(radius));
  if (r === 0) return src.slice();
  const k = 1 / (2 * r + 1);
  const tmp = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += src[row + clampIndex(i, width)];
    for (let x = 0; x < width; x++) {
      tmp[row + x] = sum * k;
      const add = x + r + 1 < width ? x + r + 1 : width - 1;
      const drop = Math.max(x - r, 0);
      sum += src[row + add] - src[row + drop];
    }
  }
  // vertical pass: a running sum per column, advanced a whole row at a time (cache friendly)
  const out = new Float32Array(src.length);
  const sum = new Float64Array(width);
  for (let i = -r; i <= r; i++) {
    const row = clampIndex(i, height) * width;
    for (let x = 0; x < width; x++) sum[x] += tmp[row + x];
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const add = clampIndex(y + r + 1, height) * width;
    const drop = clampIndex(y - r, height) * width;
    for (let x = 0; x < width; x++) {
      out[row + x] = sum[x] * k;
      sum[x] += tmp[add + x] - tmp[drop + x];
    }
  }
  return out;
}

/** Square dilation by `radius` px: distance to the nearest set pixel along rows, then columns. */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  const line = (get: (i: number) => number, set: (i: number) => void, n: number): void => {
    let last = -Infinity;
    for (let i = 0; i < n; i++) {
      if (get(i)) last = i;
      if (i - last <= radius) set(i);
    }
    last = Infinity;
    for (let i = n - 1; i >= 0; i--) {
      if (get(i)) last = i;
      if (last - i <= radius) set(i);
    }
  };
  for (let y = 0; y < height; y++) {
    const o = y * width;
    line(
      (i) => mask[o + i],
      (i) => (rows[o + i] = 1),
      width,
    );
  }
  for (let x = 0; x < width; x++) {
    line(
      (i) => rows[i * width + x],
      (i) => (out[i * width + x] = 1),
      height,
    );
  }
  return out;
}

/**
 * Distance (px, chamfer 1/√2) from each set pixel to the nearest unset pixel, the frame's
 * outside counting as unset: 1 on the item's outline and along the image border, 0 off the item.
 */
export function insetDistance(mask: Uint8Array, width: number, height: number): Float32Array {
  const d = new Float32Array(mask.length);
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : d[y * width + x]);
  const D = Math.SQRT2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (!mask[p]) continue;
      d[p] = Math.min(at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + D, at(x + 1, y - 1) + D);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const p = y * width + x;
      if (!mask[p]) continue;
      d[p] = Math.min(d[p], at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + D, at(x - 1, y + 1) + D);
    }
  }
  return d;
}
