// Cost of the trigger's per-frame work (run: npx vitest bench tests/trigger --run).
// Plain-JS box thumbnail vs OpenCV resize + cvtColor, and a full PresenceTrigger.push().
import { bench, describe } from 'vitest';
import { loadOpenCv } from '../../station/capture/opencv.ts';
import { PresenceTrigger } from '../../station/trigger/presence.ts';
import { toThumb } from '../../station/trigger/thumb.ts';
import { noisyBench } from '../capture/replaySet.ts';

const cv = loadOpenCv();

for (const [w, h] of [
  [640, 480],
  [1280, 720],
  [1920, 1080],
] as const) {
  describe(`${w}x${h} frame → 160 px grey thumb`, () => {
    const data = noisyBench(w, h, 1);
    const frame = { seq: 0, capturedAt: 0, width: w, height: h, channels: 3 as const, data };
    const th = Math.round((h * 160) / w);
    bench('plain JS toThumb', () => {
      toThumb(frame, 160);
    });
    bench('OpenCV Mat + resize(INTER_AREA) + cvtColor + getData', () => {
      const m = new cv.Mat(data, h, w, cv.CV_8UC3);
      m.resize(th, 160, 0, 0, cv.INTER_AREA).cvtColor(cv.COLOR_RGB2GRAY).getData();
    });
    const trigger = new PresenceTrigger();
    let t = 0;
    bench('PresenceTrigger.push (thumb + 2 differences + adapt)', () => {
      trigger.push({ ...frame, capturedAt: (t += 33) });
    });
  });
}
