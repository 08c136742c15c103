// One inspection per placed item. Works on small colour thumbnails only:
//   empty ──(scene differs from the empty-bench background)──► item
//   item ──(consecutive frames still for steadyMs)──► steady ──► inspecting (emit 'inspect' once)
//   inspecting ──(inspectionDone() or inspectTimeoutMs)──► waiting-empty ──(bench empty for emptyMs)──► empty
// The background is the first frame seen (the bench must be empty at start, or call
// setBackground) and follows slow light changes while the bench is empty.
import { EventEmitter } from 'node:events';
import type { Frame, FrameSource } from '../capture/types.ts';
import { changedFraction, roiBounds, toThumb, type Roi, type Thumb } from './thumb.ts';

export type TriggerState = 'empty' | 'item' | 'steady' | 'inspecting' | 'waiting-empty';

export interface PresenceConfig {
  /** Difference in any colour channel (0..255, on the thumbnail) for a pixel to count as changed. */
  diffThreshold: number;
  /** Fraction of ROI pixels differing from the background above which an item is present. */
  presenceFraction: number;
  /** Fraction of ROI pixels changed between consecutive frames below which the scene is still. */
  motionFraction: number;
  /** The scene must stay still this long before inspecting (ms). */
  steadyMs: number;
  /** After an inspection the bench must read empty this long before the next item (ms). */
  emptyMs: number;
  /** Only this part of the frame (normalised 0..1 coordinates) is watched. */
  roi?: Roi;
  /** How fast the background follows the empty bench (0 = never, 1 = replace each frame). */
  adaptRate: number;
  /** Thumbnail width in pixels. */
  thumbWidth: number;
  /** Leave 'inspecting' on its own if inspectionDone() is not called within this time (ms). */
  inspectTimeoutMs: number;
}

/** The trigger's defaults, kept in this one place: the station config file's trigger defaults are these. */
export const defaultPresenceConfig: PresenceConfig = {
  diffThreshold: 28,
  presenceFraction: 0.02,
  motionFraction: 0.004,
  steadyMs: 400,
  emptyMs: 400,
  adaptRate: 0.05,
  thumbWidth: 160,
  inspectTimeoutMs: 15_000,
};

export interface InspectInfo {
  cause: 'auto' | 'manual';
  /** Fraction of the ROI that differs from the empty bench in the chosen frame. */
  presence: number;
  /** Fraction of the ROI that moved since the frame before it. */
  motion: number;
}

export interface PresenceEvents {
  state: [state: TriggerState];
  inspect: [frame: Frame, info: InspectInfo];
}

export class PresenceTrigger extends EventEmitter<PresenceEvents> {
  readonly config: PresenceConfig;
  private _state: TriggerState = 'empty';
  private background: Float32Array | undefined;
  private prev: Thumb | undefined;
  private bounds = { x0: 0, y0: 0, x1: 1, y1: 1 };
  private latest: { frame: Frame; presence: number; motion: number } | undefined;
  private steadySince: number | undefined;
  private best: { frame: Frame; presence: number; motion: number } | undefined;
  private emptySince: number | undefined;
  /** The bench read empty for emptyMs at some point since the last inspect (latched). */
  private cleared = false;
  private inspectStarted = 0;
  private lastMeasure = { presence: 0, motion: 0 };

  constructor(config: Partial<PresenceConfig> = {}) {
    super();
    this.config = { ...defaultPresenceConfig, ...config };
    validate(this.config);
  }

  get state(): TriggerState {
    return this._state;
  }

  /** The last frame's measurements (for dashboards and tuning thresholds). */
  get measure(): { presence: number; motion: number } {
    return { ...this.lastMeasure };
  }

  /** Feed one frame. Cheap: one thumbnail and two differences. */
  push(frame: Frame): void {
    const thumb = toThumb(frame, this.config.thumbWidth);
    if (!this.background || this.background.length !== thumb.rgb.length) {
      this.learn(thumb);
      this.latest = { frame, presence: 0, motion: 0 };
      return;
    }
    const c = this.config;
    const presence = changedFraction(this.background, thumb.rgb, thumb.width, this.bounds, c.diffThreshold);
    // Without a previous frame (start, or after the camera was lost) nothing is known to be still.
    const motion = this.prev ? changedFraction(this.prev.rgb, thumb.rgb, thumb.width, this.bounds, c.diffThreshold) : 1;
    this.prev = thumb;
    this.latest = { frame, presence, motion };
    this.lastMeasure = { presence, motion };
    const present = presence > c.presenceFraction;
    const t = frame.capturedAt;

    if (this._state === 'empty') {
      if (!present) {
        this.adapt(thumb.rgb);
        return;
      }
      this.setState('item');
      this.steadySince = undefined;
      this.best = undefined;
    }
    if (this._state === 'item') {
      if (!present) {
        this.setState('empty'); // taken away before it settled: nothing to inspect
        return;
      }
      if (motion > c.motionFraction) {
        this.steadySince = undefined;
        this.best = undefined;
        return;
      }
      this.steadySince ??= t;
      // The stillest frame of the run is the sharpest one to inspect; later wins ties.
      if (!this.best || motion <= this.best.motion) this.best = this.latest;
      if (t - this.steadySince >= c.steadyMs) this.fire('auto', this.best);
      return;
    }
    // inspecting / waiting-empty: wait for the bench to clear.
    if (present) this.emptySince = undefined;
    else this.emptySince ??= t;
    // Latched, so a slow inspection does not miss the next item placed before it finished.
    if (this.emptySince !== undefined && t - this.emptySince >= c.emptyMs) this.cleared = true;
    if (this._state === 'inspecting' && t - this.inspectStarted >= c.inspectTimeoutMs) this.leaveInspecting();
    else if (this._state === 'waiting-empty' && this.cleared) this.setState('empty');
  }

  /** Inspect the current frame now, whatever the state (dashboard button, serial command, key). */
  manual(): void {
    if (!this.latest) throw new Error('manual trigger: no frame from the camera yet (camera starting or lost)');
    this.fire('manual', this.latest);
  }

  /** The pipeline finished the inspection: move on to waiting for an empty bench. */
  inspectionDone(): void {
    if (this._state !== 'inspecting') return;
    this.leaveInspecting();
  }

  /** Use this frame as the empty bench (e.g. from a configured empty-bench image). */
  setBackground(frame: Pick<Frame, 'width' | 'height' | 'data'>): void {
    this.learn(toThumb(frame, this.config.thumbWidth));
  }

  /** Learn the background again from the next frame. */
  relearnBackground(): void {
    this.background = undefined;
  }

  /** The camera dropped out: frames on either side of the gap are not consecutive. */
  sourceLost(): void {
    this.prev = undefined;
    this.latest = undefined;
    this.steadySince = undefined;
    this.best = undefined;
  }

  /** Feed a frame source into this trigger; returns a function that detaches it. */
  attach(source: FrameSource): () => void {
    const onFrame = (f: Frame) => this.push(f);
    const onLost = () => this.sourceLost();
    source.on('frame', onFrame);
    source.on('lost', onLost);
    return () => {
      source.off('frame', onFrame);
      source.off('lost', onLost);
    };
  }

  private fire(cause: InspectInfo['cause'], pick: { frame: Frame; presence: number; motion: number }): void {
    const present = pick.presence > this.config.presenceFraction;
    if (cause === 'auto') this.setState('steady');
    this.setState('inspecting');
    this.inspectStarted = this.latest?.frame.capturedAt ?? pick.frame.capturedAt;
    this.emptySince = present ? undefined : this.inspectStarted;
    this.cleared = false;
    this.steadySince = undefined;
    this.best = undefined;
    this.emit('inspect', pick.frame, { cause, presence: pick.presence, motion: pick.motion });
  }

  private leaveInspecting(): void {
    this.setState('waiting-empty');
    if (this.cleared) this.setState('empty');
  }

  private learn(thumb: Thumb): void {
    this.background = Float32Array.from(thumb.rgb);
    this.bounds = roiBounds(thumb, this.config.roi);
    this.prev = thumb;
    this.steadySince = undefined;
    this.best = undefined;
    if (this._state === 'item') this.setState('empty');
  }

  private adapt(rgb: Uint8Array): void {
    const a = this.config.adaptRate;
    if (a <= 0 || !this.background) return;
    const bg = this.background;
    for (let i = 0; i < bg.length; i++) bg[i] += a * (rgb[i] - bg[i]);
  }

  private setState(s: TriggerState): void {
    if (s === this._state) return;
    this._state = s;
    this.emit('state', s);
  }
}

function validate(c: PresenceConfig): void {
  const fraction = (name: keyof PresenceConfig, v: number) => {
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) throw new Error(`trigger.${name} must be between 0 and 1, got ${v}`);
  };
  const nonNegative = (name: keyof PresenceConfig, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`trigger.${name} must be a number >= 0, got ${v}`);
  };
  fraction('presenceFraction', c.presenceFraction);
  fraction('motionFraction', c.motionFraction);
  fraction('adaptRate', c.adaptRate);
  nonNegative('diffThreshold', c.diffThreshold);
  nonNegative('steadyMs', c.steadyMs);
  nonNegative('emptyMs', c.emptyMs);
  nonNegative('inspectTimeoutMs', c.inspectTimeoutMs);
  if (!(Number.isInteger(c.thumbWidth) && c.thumbWidth >= 8)) {
    throw new Error(`trigger.thumbWidth must be an integer >= 8, got ${c.thumbWidth}`);
  }
  if (c.roi) {
    const { x, y, width, height } = c.roi;
    const ok =
      [x, y, width, height].every((v) => Number.isFinite(v)) &&
      x >= 0 &&
      y >= 0 &&
      width > 0 &&
      height > 0 &&
      x + width <= 1.0001 &&
      y + height <= 1.0001;
    if (!ok) throw new Error(`trigger.roi must lie inside the frame in 0..1 coordinates, got ${JSON.stringify(c.roi)}`);
  }
}
