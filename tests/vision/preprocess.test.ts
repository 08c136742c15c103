import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../models/manifest.ts';
import { decodeImage, fitGeometry, toInputTensor } from '../../station/vision/preprocess.ts';
import { craftBmp, craftPng, png16Grey } from './craft.ts';

/** A 6×4 image whose pixel (x, y) is (40x, 60y, 7) — easy to check after any transform. */
function pattern(w = 6, h = 4): Uint8Array {
  const d = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set([40 * x, 60 * y, 7], (y * w + x) * 3);
  return d;
}
const raw = (w = 6, h = 4) => sharp(pattern(w, h), { raw: { width: w, height: h, channels: 3 } });
const px = (img: { width: number; data: Uint8Array }, x: number, y: number) => [
  ...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3),
];

describe('decodeImage: formats', () => {
  it('reads PNG, lossless WebP and TIFF exactly, JPEG approximately', async () => {
    for (const [fmt, buf] of [
      ['png', await raw().png().toBuffer()],
      ['webp', await raw().webp({ lossless: true }).toBuffer()],
      ['tiff', await raw().tiff({ compression: 'lzw' }).toBuffer()],
    ] as const) {
      const img = await decodeImage(buf, `x.${fmt}`);
      expect([img.width, img.height], fmt).toEqual([6, 4]);
      expect(Buffer.from(img.data).equals(Buffer.from(pattern())), fmt).toBe(true);
    }
    const jpg = await decodeImage(await raw(64, 48).jpeg({ quality: 95 }).toBuffer(), 'x.jpg');
    expect([jpg.width, jpg.height]).toEqual([64, 48]);
    expect(Math.abs(px(jpg, 3, 2)[0] - 120)).toBeLessThan(30);
  });

  it('turns greyscale and 16-bit into 8-bit RGB', async () => {
    const grey = await sharp(Uint8Array.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const g = await decodeImage(grey, 'grey.png');
    expect(px(g, 1, 0)).toEqual([100, 100, 100]);
    const g16 = await decodeImage(png16Grey(2, 1, [0, 0x8000]), 'deep.png');
    expect(px(g16, 0, 0)).toEqual([0, 0, 0]);
    expect(Math.abs(px(g16, 1, 0)[0] - 128)).toBeLessThanOrEqual(1);
  });

  it('composites RGBA over black', async () => {
    const rgba = await sharp(Uint8Array.from([200, 100, 50, 255, 200, 100, 50, 0]), {
      raw: { width: 2, height: 1, channels: 4 },
    })
      .png()
      .toBuffer();
    const img = await decodeImage(rgba, 'alpha.png');
    expect(px(img, 0, 0)).toEqual([200, 100, 50]);
    expect(px(img, 1, 0)).toEqual([0, 0, 0]);
  });

  it('applies EXIF orientation', async () => {
    // Orientation 6: stored landscape, shown rotated 90° clockwise (portrait).
    const jpg = await raw(64, 32).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpg, 'phone.jpg');
    expect([img.width, img.height]).toEqual([32, 64]);
  });

  it('reads 24-bit and 8-bit palette BMP', async () => {
    const b24 = await decodeImage(craftBmp(6, 4, { rgb: pattern() }), 'frame.bmp');
    expect(Buffer.from(b24.data).equals(Buffer.from(pattern()))).toBe(true);
    const b8 = await decodeImage(
      craftBmp(3, 2, {
        indices: Uint8Array.from([0, 1, 2, 2, 1, 0]),
        palette: [
          [255, 0, 0],
          [0, 255, 0],
          [0, 0, 255],
        ],
      }),
      'pal.bmp',
    );
    expect(px(b8, 0, 0)).toEqual([255, 0, 0]);
    expect(px(b8, 2, 0)).toEqual([0, 0, 255]);
    expect(px(b8, 0, 1)).toEqual([0, 0, 255]);
  });
});

describe('decodeImage: bad inputs name the file', () => {
  it('zero-byte file', async () => {
    await expect(decodeImage(Buffer.alloc(0), 'shelf/empty.png')).rejects.toThrow(
      /shelf\/empty\.png: the file is empty/,
    );
  });
  it('truncated PNG', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    await expect(decodeImage(png.subarray(0, Math.floor(png.length / 2)), 'cut.png')).rejects.toThrow(
      /cut\.png: the image data is damaged or truncated/,
    );
  });
  it('text file named .jpg', async () => {
    await expect(decodeImage(Buffer.from('this is a shopping list, not a photo\n'), 'notes.jpg')).rejects.toThrow(
      /notes\.jpg: not a readable image/,
    );
  });
  it('30000×30000 header is refused before any pixel is allocated', async () => {
    await expect(decodeImage(craftPng(30000, 30000), 'huge.png')).rejects.toThrow(
      /huge\.png: image is 30000×30000 pixels, above the limit/,
    );
  });
  it('damaged BMP', async () => {
    await expect(decodeImage(craftBmp(6, 4, { rgb: pattern() }).subarray(0, 60), 'scan.bmp')).rejects.toThrow(
      /scan\.bmp: cannot read this BMP image \(file is truncated\)/,
    );
  });
});

const manifest = {
  id: 't',
  input: {
    name: 'input',
    layout: 'NCHW',
    size: 32,
    dynamicSize: true,
    colour: 'RGB',
    dtype: 'float32',
    scale: 1 / 255,
    mean: [0.5, 0, 0],
    std: [0.5, 1, 1],
  },
} as unknown as ModelManifest;

describe('fitting into the model input', () => {
  it('pad keeps the aspect and centres the content', () => {
    const g = fitGeometry(400, 200, { size: 224, resize: 'pad' });
    expect(g.content).toEqual({ x: 0, y: 56, width: 224, height: 112 });
    expect(g.region).toEqual({ x: 0, y: 0, width: 400, height: 200 });
  });
  it('crop takes the centre square', () => {
    const g = fitGeometry(400, 200, { size: 224, resize: 'crop' });
    expect(g.region).toEqual({ x: 100, y: 0, width: 200, height: 200 });
    expect(g.content).toEqual({ x: 0, y: 0, width: 224, height: 224 });
  });
  it('a margin surrounds the fitted image on every side', () => {
    const g = fitGeometry(400, 200, { size: 224, resize: 'pad', margin: 16 });
    expect([g.inputWidth, g.inputHeight]).toEqual([256, 256]);
    expect(g.content).toEqual({ x: 16, y: 72, width: 224, height: 112 });
    expect(fitGeometry(400, 200, { size: 224, resize: 'stretch', margin: 8 }).content).toEqual({
      x: 8,
      y: 8,
      width: 224,
      height: 224,
    });
  });
  it('photometric standardisation maps a dim and a bright shot of the same scene to the same input', async () => {
    const shot = (gain: number) => {
      const d = new Uint8Array(32 * 32 * 3);
      for (let i = 0; i < 32 * 32; i++) {
        const v = 40 + ((i * 7) % 50);
        d.set([v * gain, v * gain * 0.8, v * gain * 0.5].map(Math.round), i * 3);
      }
      return { name: 's', width: 32, height: 32, data: d };
    };
    const opts = { size: 32, resize: 'stretch', photometric: 'standardize' } as const;
    const a = await toInputTensor(shot(1), manifest, opts);
    const b = await toInputTensor(shot(2), manifest, opts);
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
    expect(diff).toBeLessThan(0.1);
    const raw = await toInputTensor(shot(2), manifest, { size: 32, resize: 'stretch' });
    expect(Math.abs(raw.data[5] - b.data[5])).toBeGreaterThan(0.1);
  });
  it('normalises per the manifest into NCHW, and pads by mirroring', async () => {
    const img = { name: 'a', width: 64, height: 32, data: new Uint8Array(64 * 32 * 3) };
    for (let i = 0; i < 64 * 32; i++) img.data.set([255, 51, 0], i * 3);
    for (let x = 0; x < 64; x++) img.data.set([0, 51, 0], (0 * 64 + x) * 3); // top row black in red
    const t = await toInputTensor(img, manifest, { size: 32, resize: 'pad' });
    expect([t.width, t.height, t.data.length]).toEqual([32, 32, 3 * 32 * 32]);
    const plane = 32 * 32;
    // red channel: (255/255 - 0.5) / 0.5 = 1 inside the content; green: 51/255 = 0.2
    expect(t.data[16 * 32 + 16]).toBeCloseTo(1, 5);
    expect(t.data[plane + 16 * 32 + 16]).toBeCloseTo(0.2, 5);
    // The padding above the content mirrors the content, not a constant fill.
    expect(t.geometry.content).toEqual({ x: 0, y: 8, width: 32, height: 16 });
    expect(t.data[7 * 32 + 16]).toBeLessThan(0.5);
    expect(t.data[0 * 32 + 16]).toBeCloseTo(1, 1);
  });
});
