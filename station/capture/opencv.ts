// Loads the OpenCV binding once. Under ESM the package must come through require,
// and it must not try to rebuild OpenCV at import time (PLATFORM-NOTES).
import { createRequire } from 'node:module';
import type * as CvModule from '@u4/opencv4nodejs';

export type Cv = typeof CvModule;
export type Mat = CvModule.Mat;
export type VideoCapture = CvModule.VideoCapture;

let cached: Cv | undefined;

export function loadOpenCv(): Cv {
  if (cached) return cached;
  process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
  process.env.OPENCV_LOG_LEVEL ??= 'ERROR';
  const require = createRequire(import.meta.url);
  try {
    quietBuildTools(require);
    cached = require('@u4/opencv4nodejs') as Cv;
  } catch (err) {
    throw new Error(
      `OpenCV binding @u4/opencv4nodejs could not be loaded (${errorText(err)}). ` +
        'Install Debian libopencv-dev, then reinstall with OPENCV4NODEJS_DISABLE_AUTOBUILD=1 npm ci.',
    );
  }
  return cached;
}

/** OpenCV's binding throws plain strings; turn anything thrown into readable text. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * The binding's build helper (@u4/opencv-build, its own dependency) prints "no opencv4nodejs section found in
 * package.json" at every start: build-time chatter, since the station never builds OpenCV (Debian's is used).
 */
function quietBuildTools(require: NodeJS.Require): void {
  try {
    const fromBinding = createRequire(require.resolve('@u4/opencv4nodejs'));
    (fromBinding('@u4/opencv-build') as { Log: { silence: boolean } }).Log.silence = true;
  } catch {
    // a layout without it prints the line; harmless
  }
}
