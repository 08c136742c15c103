// A frame source over OpenCV VideoCapture: a USB camera (V4L2 index or /dev/videoN)
// or a video file replayed at its own frame rate. Reads use readAsync() so the
// event loop never waits on the device.
import { existsSync } from 'node:fs';
import type { CameraKind } from '../shared/domain.d.ts';
import { ReadLoopSource, type ReadLoopOptions, type ReadResult } from './readLoop.ts';
import { errorText, loadOpenCv, type Cv, type Mat, type VideoCapture } from './opencv.ts';

/** The kinds OpenCV reads: a live camera, or a video file replayed. */
export type OpenCvKind = Extract<CameraKind, 'camera' | 'video'>;

export interface OpenCvSourceOptions extends ReadLoopOptions {
  /** Device index (0), device path ('/dev/video0') or a video file path. */
  input: number | string;
  /** Default: 'camera' for a number or /dev/video*, otherwise 'video'. */
  kind?: OpenCvKind;
  /** Camera settings, applied where the camera allows (refusals are reported as warnings). */
  width?: number;
  height?: number;
  fps?: number;
  /** Manual exposure in the driver's units (V4L2: 100 µs steps); leaves auto exposure on when absent. */
  exposure?: number;
  /** File replay: frames per second (default: the file's own rate, 25 if it has none). */
  replayFps?: number;
  /** File replay: start again at the end (default true). */
  loop?: boolean;
}

const DEVICE_PATH = /^\/dev\/video\d+$/;

export class OpenCvSource extends ReadLoopSource {
  readonly kind: OpenCvKind;
  private readonly opts: OpenCvSourceOptions;
  private readonly cv: Cv;
  private cap: VideoCapture | undefined;
  private fileFps = 25;
  private framesSinceOpen = 0;

  constructor(opts: OpenCvSourceOptions) {
    super(opts);
    if (typeof opts.input !== 'number' && (typeof opts.input !== 'string' || opts.input === '')) {
      throw new Error('camera input must be a device index, a /dev/video path or a video file path');
    }
    this.kind = opts.kind ?? (typeof opts.input === 'number' || DEVICE_PATH.test(opts.input) ? 'camera' : 'video');
    if (opts.replayFps !== undefined && !(opts.replayFps > 0)) {
      throw new Error(`video replayFps must be > 0, got ${opts.replayFps}`);
    }
    this.opts = opts;
    this.cv = loadOpenCv();
  }

  protected describe(): string {
    // These words reach the dashboard as the camera's lost reason: a video is still named "file <path>" there.
    return `${this.kind === 'camera' ? 'camera' : 'file'} ${String(this.opts.input)}`;
  }

  protected async open(): Promise<void> {
    this.cap = openVideoCapture(this.cv, this.opts.input, this.kind);
    this.framesSinceOpen = 0;
    if (this.kind === 'camera') this.applyCameraSettings(this.cap);
    else {
      const fps = this.cap.get(this.cv.CAP_PROP_FPS);
      this.fileFps = Number.isFinite(fps) && fps > 0 && fps < 1000 ? fps : 25;
    }
  }

  protected async read(): Promise<ReadResult> {
    const cap = this.cap;
    if (!cap) return { kind: 'broken', error: new Error(`${this.describe()} is not open`) };
    let mat = await cap.readAsync();
    if (mat.empty && this.kind === 'video' && this.framesSinceOpen > 0) {
      // End of a file that did play: loop by reopening (seeking MJPG/AVI to 0 is unreliable).
      if (this.opts.loop === false) return { kind: 'end' };
      this.close();
      await this.open();
      mat = await this.cap!.readAsync();
    }
    if (mat.empty) {
      return {
        kind: 'broken',
        error: new Error(`${this.describe()} returned an empty frame (unplugged or read error)`),
      };
    }
    this.framesSinceOpen++;
    return { kind: 'frame', width: mat.cols, height: mat.rows, data: await toRgb(this.cv, mat) };
  }

  protected close(): void {
    const cap = this.cap;
    this.cap = undefined;
    cap?.release();
  }

  protected frameIntervalMs(): number {
    if (this.kind === 'camera') return 0;
    return 1000 / (this.opts.replayFps ?? this.fileFps);
  }

  private applyCameraSettings(cap: VideoCapture): void {
    const cv = this.cv;
    const wanted: [string, number, number | undefined][] = [
      ['width', cv.CAP_PROP_FRAME_WIDTH, this.opts.width],
      ['height', cv.CAP_PROP_FRAME_HEIGHT, this.opts.height],
      ['fps', cv.CAP_PROP_FPS, this.opts.fps],
      // V4L2 backend: 1 = manual exposure, 3 = aperture priority (auto).
      ['auto exposure off', cv.CAP_PROP_AUTO_EXPOSURE, this.opts.exposure === undefined ? undefined : 1],
      ['exposure', cv.CAP_PROP_EXPOSURE, this.opts.exposure],
      // Keep latency low: only the newest frame matters for the trigger.
      ['buffer size', cv.CAP_PROP_BUFFERSIZE, 1],
    ];
    for (const [name, prop, value] of wanted) {
      if (value === undefined) continue;
      let ok = false;
      try {
        ok = cap.set(prop, value);
      } catch {
        ok = false;
      }
      if (!ok && name !== 'buffer size') {
        this.warn(new Error(`${this.describe()} refused ${name} = ${value}; using the camera's own value`));
      }
    }
  }
}

/**
 * Open a VideoCapture, turning OpenCV's thrown strings into an Error that names the input
 * and says what to check.
 */
export function openVideoCapture(cv: Cv, input: number | string, kind: OpenCvKind): VideoCapture {
  if (kind === 'video' && typeof input === 'string' && !existsSync(input)) {
    throw new Error(`video file ${input} does not exist: check the replay path in the config`);
  }
  try {
    if (kind === 'camera' && typeof input === 'string' && DEVICE_PATH.test(input)) {
      return new cv.VideoCapture(input, cv.CAP_V4L2);
    }
    return new cv.VideoCapture(input);
  } catch (err) {
    const what = kind === 'camera' ? `camera ${String(input)}` : `video file ${String(input)}`;
    const hint =
      kind === 'camera'
        ? 'check that the camera is plugged in and not used by another program'
        : 'check that the file is a readable video (e.g. MJPG .avi or .mp4)';
    throw new Error(`could not open ${what} (${errorText(err)}): ${hint}`);
  }
}

/** BGR/BGRA/grey 8-bit Mat → packed RGB Buffer. */
async function toRgb(cv: Cv, mat: Mat): Promise<Buffer> {
  if (mat.depth !== cv.CV_8U) throw new Error(`unsupported frame depth ${mat.depth} (expected 8-bit)`);
  const code = mat.channels === 3 ? cv.COLOR_BGR2RGB : mat.channels === 4 ? cv.COLOR_BGRA2RGB : cv.COLOR_GRAY2RGB;
  const rgb = await mat.cvtColorAsync(code);
  return rgb.getData();
}
