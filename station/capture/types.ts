// The contract every frame source keeps (USB camera, video file, image folder).
import type { EventEmitter } from 'node:events';

/**
 * One captured frame. Pixels are RGB (not OpenCV's BGR), 8 bits per channel,
 * packed row-major with no row padding: data.length === width * height * 3.
 * Treat `data` as read-only: sources may hand the same Buffer to several frames.
 */
export interface Frame {
  /** Increases by one per emitted frame, for the life of the source (not reset by a reconnect). */
  seq: number;
  /** When the frame was read: epoch ms (like Date.now()) but taken from the monotonic clock. */
  capturedAt: number;
  width: number;
  height: number;
  channels: 3;
  data: Buffer;
}

export type SourceState = 'running' | 'lost' | 'stopped';

export interface FrameSourceEvents {
  /** A good frame (never an empty or broken one). */
  frame: [frame: Frame];
  /** The source stopped delivering (missing device, read error, empty read). Emitted once per outage. */
  lost: [reason: Error];
  /** The source delivers again after 'lost' (emitted just before the first good frame). */
  back: [];
  /** A non-looping replay reached its end; the source is now 'stopped'. */
  end: [];
  /** Something worth telling an operator that is not an outage (an unreadable image skipped, a camera setting refused). */
  warning: [warning: Error];
}

export interface FrameSource extends EventEmitter<FrameSourceEvents> {
  /** Begin reading. Never throws for an absent device: that is reported as 'lost' and retried. */
  start(): void;
  /** Stop reading and release the device; resolves once no read is in flight. */
  stop(): Promise<void>;
  /** Retry opening now instead of waiting for the retry timer (e.g. on a USB attach event). */
  nudge(): void;
  readonly state: SourceState;
  /** Why the source is (or last was) lost. */
  readonly lastError: Error | undefined;
}
