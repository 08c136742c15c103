/** Hand-made image bytes for the preprocess tests: PNG chunks (any header we like) and BMP files. */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG with the given header; pixel rows come from `rows` (already filtered, filter byte included) or zeros. */
export function craftPng(
  width: number,
  height: number,
  opts: { bitDepth?: number; colourType?: number; rows?: Uint8Array } = {},
): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = opts.bitDepth ?? 8;
  ihdr[9] = opts.colourType ?? 2;
  const raw = opts.rows ?? new Uint8Array(Math.min(height, 4) * (1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** 16-bit greyscale PNG from sample values (0..65535). */
export function png16Grey(width: number, height: number, values: number[]): Buffer {
  const rows = new Uint8Array(height * (1 + width * 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      rows[y * (1 + width * 2) + 1 + x * 2] = v >> 8;
      rows[y * (1 + width * 2) + 2 + x * 2] = v & 0xff;
    }
  }
  return craftPng(width, height, { bitDepth: 16, colourType: 0, rows });
}

/** Uncompressed BMP, 24-bit (rgb given) or 8-bit palette (indices + palette), bottom-up rows. */
export function craftBmp(
  width: number,
  height: number,
  opts: { rgb?: Uint8Array; indices?: Uint8Array; palette?: [number, number, number][] },
): Buffer {
  const bpp = opts.indices ? 8 : 24;
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const palBytes = opts.palette ? opts.palette.length * 4 : 0;
  const offset = 14 + 40 + palBytes;
  const buf = Buffer.alloc(offset + stride * height);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bpp, 28);
  buf.writeUInt32LE(opts.palette?.length ?? 0, 46);
  opts.palette?.forEach(([r, g, b], i) => {
    buf[54 + i * 4] = b;
    buf[55 + i * 4] = g;
    buf[56 + i * 4] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      if (opts.indices) buf[row + x] = opts.indices[y * width + x];
      else {
        const p = (y * width + x) * 3;
        buf[row + x * 3] = opts.rgb![p + 2];
        buf[row + x * 3 + 1] = opts.rgb![p + 1];
        buf[row + x * 3 + 2] = opts.rgb![p];
      }
    }
  }
  return buf;
}
