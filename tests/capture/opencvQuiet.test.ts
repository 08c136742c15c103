// Loading the OpenCV binding prints nothing of its build helper's chatter at station start.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('OpenCV binding', () => {
  it('loads without the build helper\'s "no opencv4nodejs section" line (the plain require prints it)', () => {
    const run = (code: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        encoding: 'utf8',
        env: { ...process.env, OPENCV4NODEJS_DISABLE_AUTOBUILD: '1' },
      });
    const ours = run("import { loadOpenCv } from './station/capture/opencv.ts'; loadOpenCv(); console.log('loaded');");
    expect(ours.stdout.trim()).toBe('loaded');
    expect(ours.stdout + ours.stderr).not.toMatch(/opencv4nodejs section/);
    const plain = run(
      "import { createRequire } from 'node:module'; createRequire(process.cwd() + '/')('@u4/opencv4nodejs');",
    );
    expect(plain.stdout + plain.stderr).toMatch(/no opencv4nodejs section/);
  }, 60_000);
});
