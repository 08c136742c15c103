// A folder of still images played as a camera stream: empty bench for gapMs, then an item
// for holdMs, then empty bench again, and so on. Each item can "settle" (slide a few pixels
// and come to rest) like a hand placing it. Timing is counted in frames, so a busy machine
// stretches the timeline but never drops or shortens an item.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { orientedSize } from '../vision/preprocess.ts';
import { ReadLoopSource, asError, type ReadLoopOptions, type ReadResult } from './readLoop.ts';

export interface FolderSourceOptions extends ReadLoopOptions {
  /** Folder of item images (png, jpg, jpeg, webp, bmp, tif, tiff), played in natural name order. */
  folder: string;
  /**
   * Frame size; default the first image's own size. Every image is fitted inside the frame whole (never cropped:
   * a photo of another shape gets dark bars, and an item at the photo's edge stays in view).
   */
  width?: number;
  height?: number;
  /** Frames per second (default 15). */
  fps?: number;
  /** How long each item stays on the bench (ms). */
  holdMs: number;
  /** Empty bench before each item (and after the last one) (ms). */
  gapMs: number;
  /** The first settleMs of each item shows it sliding to rest (default 0 = placed still). */
  settleMs?: number;
  /** Largest slide offset in pixels while settling (default 12). */
  settleShiftPx?: number;
  /** Empty-bench image; default a flat `background` colour. */
  emptyImage?: string;
  /** RGB colour of the plain empty bench (default mid grey). */
  background?: [number, number, number];
  /** Start again after the last item (default false: emit 'end'). */
  loop?: boolean;
  /** For tests: after this many frames, drop out (broken read) and refuse to reopen for forMs. */
  failure?: ScriptedFailure | ScriptedFailure[];
}

export interface ScriptedFailure {
  afterFrames: number;
  forMs: number;
}

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff']);

type Decoded = Buffer | Error;

export class FolderSource extends ReadLoopSource {
  readonly files: readonly string[];
  private readonly o: Required<
    Omit<FolderSourceOptions, 'emptyImage' | 'failure' | 'retryMs' | 'readTimeoutMs' | 'width' | 'height'>
  > &
    Pick<FolderSourceOptions, 'emptyImage' | 'failure' | 'width' | 'height'>;
  /** The frame size: given, or read from the first image when the source opens. */
  private size: { width: number; height: number } | undefined;
  private readonly holdFrames: number;
  private readonly gapFrames: number;
  private readonly settleFrames: number;
  private empty: Buffer | undefined;
  private readonly unreadable = new Set<string>();
  private cache: { index: number; decoded: Promise<Decoded> } | undefined;
  // Timeline position: survives a (scripted) outage so the replay resumes where it stopped.
  private phase: 'gap' | 'item' = 'gap';
  private frameInPhase = 0;
  private itemIndex = 0;
  private current: Buffer | undefined;
  private served = 0;
  private readonly failures: ScriptedFailure[];
  private outageUntil = 0;

  constructor(opts: FolderSourceOptions) {
    super(opts);
    this.o = {
      fps: 15,
      settleMs: 0,
      settleShiftPx: 12,
      background: [128, 128, 128],
      loop: false,
      ...opts,
    };
    const { folder, width, height, fps, holdMs, gapMs, settleMs } = this.o;
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new Error(`replay folder ${folder} does not exist or is not a folder: check the replay path in the config`);
    }
    for (const [name, v] of Object.entries({ width: width ?? 1, height: height ?? 1, fps, holdMs })) {
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`replay option ${name} must be > 0, got ${v}`);
    }
    if ((width === undefined) !== (height === undefined))
      throw new Error("replay options width and height go together: give both, or neither (the first image's size)");
    if (width !== undefined && height !== undefined) this.size = { width, height };
    for (const [name, v] of Object.entries({ gapMs, settleMs })) {
      if (!(Number.isFinite(v) && v >= 0)) throw new Error(`replay option ${name} must be >= 0, got ${v}`);
    }
    if (opts.emptyImage !== undefined && !existsSync(opts.emptyImage)) {
      throw new Error(`empty-bench image ${opts.emptyImage} does not exist: check emptyImage in the config`);
    }
    const emptyPath = opts.emptyImage ? path.resolve(opts.emptyImage) : undefined;
    this.files = readdirSync(folder)
      .filter((f) => IMAGE_EXT.has(path.extname(f).toLowerCase()))
      .map((f) => path.join(folder, f))
      .filter((f) => path.resolve(f) !== emptyPath)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (this.files.length === 0) {
      throw new Error(`replay folder ${folder} has no images (${[...IMAGE_EXT].join(', ')})`);
    }
    this.failures = [opts.failure ?? []].flat().sort((a, b) => a.afterFrames - b.afterFrames);
    const frames = (ms: number) => Math.round((ms * this.o.fps) / 1000);
    this.holdFrames = Math.max(1, frames(holdMs));
    this.gapFrames = frames(gapMs);
    this.settleFrames = Math.min(frames(this.o.settleMs), this.holdFrames - 1);
  }

  protected describe(): string {
    return `replay folder ${this.o.folder}`;
  }

  protected async open(): Promise<void> {
    if (Date.now() < this.outageUntil) {
      throw new Error(`${this.describe()} is in its scripted outage (test failure injection)`);
    }
    this.size ??= await firstImageSize(this.files);
    if (!this.empty) this.empty = await this.emptyBench();
  }

  protected close(): void {
    // Nothing is held open between reads.
  }

  protected frameIntervalMs(): number {
    return 1000 / this.o.fps;
  }

  protected async read(): Promise<ReadResult> {
    const f = this.failures[0];
    if (f && this.served >= f.afterFrames) {
      this.failures.shift();
      this.outageUntil = Date.now() + f.forMs;
      return {
        kind: 'broken',
        error: new Error(`${this.describe()} dropped out (scripted failure after ${this.served} frames)`),
      };
    }
    const data = await this.nextFrame();
    if (!data) return { kind: 'end' };
    this.served++;
    return { kind: 'frame', width: this.size!.width, height: this.size!.height, data };
  }

  /** Advance the timeline by one frame; undefined at the end of a non-looping replay. */
  private async nextFrame(): Promise<Buffer | undefined> {
    const empty = this.empty!;
    for (;;) {
      if (this.phase === 'item') {
        if (this.frameInPhase < this.holdFrames) return this.itemFrame(this.current!, this.frameInPhase++);
        this.phase = 'gap';
        this.frameInPhase = 0;
        this.itemIndex++;
        this.current = undefined;
      }
      if (this.frameInPhase === 0) this.prefetch();
      if (this.frameInPhase < this.gapFrames) {
        this.frameInPhase++;
        return empty;
      }
      if (this.itemIndex >= this.files.length) {
        if (!this.o.loop) return undefined;
        this.itemIndex = 0;
      }
      if (this.unreadable.size === this.files.length) {
        throw new Error(`${this.describe()} has no readable images (all ${this.files.length} failed to decode)`);
      }
      const decoded = await this.item(this.itemIndex);
      if (decoded instanceof Error) {
        // Skip to the next item without another gap; the warning was given once on decode.
        this.itemIndex++;
        this.frameInPhase = this.gapFrames;
        continue;
      }
      this.current = decoded;
      this.phase = 'item';
      this.frameInPhase = 0;
    }
  }

  /** While settling, the item is drawn shifted by a shrinking, alternating offset. */
  private itemFrame(item: Buffer, k: number): Buffer {
    if (k >= this.settleFrames) return item;
    const amount = Math.round(this.o.settleShiftPx * (1 - k / this.settleFrames));
    const dx = k % 2 === 0 ? amount : -amount;
    const dy = Math.round(amount / 2);
    return shifted(item, this.empty!, this.size!.width, this.size!.height, dx, dy);
  }

  private prefetch(): void {
    let next = this.itemIndex;
    if (next >= this.files.length && this.o.loop) next = 0;
    if (next < this.files.length) void this.item(next);
  }

  private item(index: number): Promise<Decoded> {
    if (this.cache?.index !== index) {
      const file = this.files[index];
      const decoded = this.unreadable.has(file)
        ? Promise.resolve<Decoded>(new Error(`${file} is unreadable`))
        : decodeRgb(file, this.size!.width, this.size!.height).catch((err: unknown) => {
            this.unreadable.add(file);
            const e = new Error(`replay image ${file} could not be read (${asError(err).message}); skipping it`);
            this.warn(e);
            return e;
          });
      this.cache = { index, decoded };
    }
    return this.cache.decoded;
  }

  private async emptyBench(): Promise<Buffer> {
    const { background, emptyImage } = this.o;
    const { width, height } = this.size!;
    if (emptyImage) {
      try {
        return await decodeRgb(emptyImage, width, height);
      } catch (err) {
        throw new Error(`empty-bench image ${emptyImage} could not be read (${asError(err).message})`);
      }
    }
    const buf = Buffer.alloc(width * height * 3);
    for (let i = 0; i < buf.length; i += 3) {
      buf[i] = background[0];
      buf[i + 1] = background[1];
      buf[i + 2] = background[2];
    }
    return buf;
  }
}

/** The first readable image's size after EXIF orientation: the frame size when the config gives none. */
async function firstImageSize(files: readonly string[]): Promise<{ width: number; height: number }> {
  for (const f of files) {
    try {
      const size = orientedSize(await sharp(f).metadata());
      if (size) return size;
    } catch {
      // unreadable: the replay reports it when it gets there
    }
  }
  throw new Error(
    `none of the ${files.length} replay images can be read to learn the frame size; give width and height in the config`,
  );
}

/** Decode any image sharp reads into packed RGB at exactly width × height, whole (fitted inside, dark bars). */
export async function decodeRgb(file: string, width: number, height: number): Promise<Buffer> {
  const { data, info } = await sharp(file)
    .rotate()
    .resize(width, height, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.length !== width * height * 3) {
    throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return data;
}

/** The item moved by (dx, dy); uncovered pixels show the empty bench. */
function shifted(src: Buffer, bench: Buffer, w: number, h: number, dx: number, dy: number): Buffer {
  const out = Buffer.from(bench);
  const row = w * 3;
  const len = (w - Math.abs(dx)) * 3;
  if (len <= 0) return out;
  const srcX = Math.max(0, -dx) * 3;
  const dstX = Math.max(0, dx) * 3;
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= h) continue;
    src.copy(out, y * row + dstX, sy * row + srcX, sy * row + srcX + len);
  }
  return out;
}
