// A contact sheet of generated items (a row of good pieces, then one of each defect) for a person
// to judge the look at a glance. Run: `npx tsx station/demo/sheet.ts [kind] [out.png] [size]`.

import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { DEFECT_KINDS, type DefectKind, type ItemKind, encodePng, renderItem } from './generate.ts';

export async function contactSheet(
  kind: ItemKind,
  options: { size?: number; seed?: number; columns?: number } = {},
): Promise<Buffer> {
  const size = options.size ?? 256;
  const seed = options.seed ?? 1;
  const columns = options.columns ?? DEFECT_KINDS.length;
  const cells: Array<DefectKind | null> = [...Array<null>(columns).fill(null), ...DEFECT_KINDS];
  const tiles = await Promise.all(
    cells.map((defect, k) => encodePng(renderItem({ kind, seed: seed + k, width: size, height: size, defect }))),
  );
  const rows = Math.ceil(tiles.length / columns);
  return sharp({ create: { width: columns * size, height: rows * size, channels: 3, background: '#000000' } })
    .composite(tiles.map((input, k) => ({ input, left: (k % columns) * size, top: Math.floor(k / columns) * size })))
    .png()
    .toBuffer();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [kind = 'glazed-tile', out = `demo-${kind}.png`, size = '256'] = process.argv.slice(2);
  const png = await contactSheet(kind as ItemKind, { size: Number(size) });
  await sharp(png).toFile(out);
  console.log(`wrote ${out}`);
}
