// A calibration in its own process: a failure comes back as the calibration's own message, with no outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedManifestPath, DEFAULT_BACKBONE } from '../../models/load.ts';
import { runInChild } from '../../station/calibrate/child/runInChild.ts';

const root = mkdtempSync(path.join(tmpdir(), 'calib-child-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runInChild', () => {
  it("reports the calibration's own error from the child process", async () => {
    const pids: number[] = [];
    const run = runInChild(
      {
        productId: 'ghost',
        calibrationDir: path.join(root, 'calibration'),
        dataDir: path.join(root, 'data'),
        modelManifest: generatedManifestPath(DEFAULT_BACKBONE),
      },
      () => {},
      (pid) => pids.push(pid),
    );
    await expect(run).rejects.toThrow(/calibration folder .*ghost does not exist/);
    expect(pids).toHaveLength(1);
    expect(pids[0]).not.toBe(process.pid);
  }, 60_000);
});
