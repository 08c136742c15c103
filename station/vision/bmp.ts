/**
 * A small BMP decoder (sharp/libvips cannot read BMP). Handles the files cameras and paint programs write:
 * uncompressed 1/4/8-bit palette, 16/24/32-bit, BI_BITFIELDS masks, bottom-up or top-down rows.
 * RLE compression is refused with a clear message.
 */

export interface RawRgb {
  width: number;
  height: number;
  /** Interleaved 8-bit RGB, row-major, top row first. */
  data: Uint8Array;
}

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d;
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/** What the file header and info header say about the pixels; validated against the file's length. */
interface BmpLayout {
  width: number;
  height: number;
  topDown: boolean;
  bpp: number;
  compression: number;
  dataOffset: number;
  stride: number;
  /** Shift and width of the red, green and blue fields of a 16/32-bit pixel. */
  fields: { shift: number; max: number }[];
  /** BGRA entries, for 1/4/8-bit images. */
  palette: Uint8Array | null;
}

type Fail = (why: string) => Error;

function readLayout(buf: Uint8Array, dv: DataView, name: string, maxPixels: number, fail: Fail): BmpLayout {
  if (buf.length < 26 || !isBmp(buf)) throw fail('not a BMP file');
  const dataOffset = dv.getUint32(10, true);
  const dibSize = dv.getUint32(14, true);
  if (dibSize < 40 || buf.length < 14 + dibSize)
    throw fail(dibSize < 40 ? `old header size ${dibSize}` : 'file is truncated');
  const width = dv.getInt32(18, true);
  const rawHeight = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const compression = dv.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw fail(`invalid size ${width}×${rawHeight}`);
  if (width * height > maxPixels) {
    throw new Error(
      `${name}: image is ${width}×${height} pixels, above the limit of ${maxPixels}; resize it before inspection`,
    );
  }
  if (compression !== 0 && compression !== 3 && compression !== 6)
    throw fail(`compression type ${compression} is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw fail(`${bpp} bits per pixel is not supported`);
  const fields = channelFields(buf, dv, dibSize, bpp, compression, fail);
  const palette = bpp <= 8 ? readPalette(buf, dv, dibSize, bpp, compression, fail) : null;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (buf.length < dataOffset + stride * height) throw fail('file is truncated');
  return { width, height, topDown: rawHeight < 0, bpp, compression, dataOffset, stride, fields, palette };
}

/** Channel masks: explicit for BITFIELDS, defaults otherwise. */
function channelFields(buf: Uint8Array, dv: DataView, dibSize: number, bpp: number, compression: number, fail: Fail) {
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression !== 0) {
    const at = dibSize >= 52 ? 54 : 14 + dibSize;
    if (buf.length < at + 12) throw fail('file is truncated');
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)];
  }
  return masks.map(maskShift);
}

function readPalette(
  buf: Uint8Array,
  dv: DataView,
  dibSize: number,
  bpp: number,
  compression: number,
  fail: Fail,
): Uint8Array {
  const count = dv.getUint32(46, true) || 1 << bpp;
  // BITFIELDS masks after a 40-byte header come before the palette.
  const at = 14 + dibSize + (compression === 3 && dibSize === 40 ? 12 : 0);
  if (buf.length < at + count * 4) throw fail('palette is truncated');
  return buf.subarray(at, at + count * 4);
}

export function decodeBmp(buf: Uint8Array, name: string, maxPixels: number): RawRgb {
  const fail = (why: string) => new Error(`${name}: cannot read this BMP image (${why}); re-save it as PNG or JPEG`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const layout = readLayout(buf, dv, name, maxPixels, fail);
  return { width: layout.width, height: layout.height, data: decodePixels(buf, dv, layout, fail) };
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the per-pixel loop over every image row keeps its three pixel formats (palette, BGR, bit fields) side by side in one pass; split per format it would repeat the row walk three times
function decodePixels(buf: Uint8Array, dv: DataView, layout: BmpLayout, fail: Fail): Uint8Array {
  const { width, height, topDown, bpp, compression, dataOffset, stride, fields, palette } = layout;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)];
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (idx * 4 + 2 >= palette.length) throw fail(`palette index ${idx} out of range`);
        out[o] = palette[idx * 4 + 2];
        out[o + 1] = palette[idx * 4 + 1];
        out[o + 2] = palette[idx * 4];
      } else if (bpp === 24 && compression === 0) {
        const p = row + x * 3;
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
      } else {
        const v = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        for (let c = 0; c < 3; c++) {
          const f = fields[c];
          out[o + c] = f.max === 0 ? 0 : Math.round(((((v >>> 0) >>> f.shift) & f.max) * 255) / f.max);
        }
      }
    }
  }
  return out;
}
