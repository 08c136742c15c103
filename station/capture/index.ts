// One entry point for the composition root: build the configured frame source.
import { FolderSource, type FolderSourceOptions } from './folderSource.ts';
import { OpenCvSource, type OpenCvSourceOptions } from './opencvSource.ts';
import type { FrameSource } from './types.ts';

export type { Frame, FrameSource, FrameSourceEvents, SourceState } from './types.ts';
export { FolderSource, type FolderSourceOptions } from './folderSource.ts';
export { OpenCvSource, openVideoCapture, type OpenCvSourceOptions } from './opencvSource.ts';

/** camera: USB/V4L2 device; video: a file replayed at its rate; folder: still images played as a stream. */
export type CaptureConfig =
  | ({ kind: 'camera' } & Omit<OpenCvSourceOptions, 'kind' | 'replayFps' | 'loop'>)
  | ({ kind: 'video' } & Omit<OpenCvSourceOptions, 'kind' | 'width' | 'height' | 'fps' | 'exposure'>)
  | ({ kind: 'folder' } & FolderSourceOptions);

export function createFrameSource(config: CaptureConfig): FrameSource {
  switch (config.kind) {
    case 'camera':
    case 'video':
      return new OpenCvSource(config);
    case 'folder':
      return new FolderSource(config);
    default:
      throw new Error(
        `capture.kind must be 'camera', 'video' or 'folder', got ${JSON.stringify((config as { kind?: unknown }).kind)}`,
      );
  }
}
