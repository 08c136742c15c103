import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // serialport aborts the process under the threads pool (PLATFORM-NOTES).
    pool: 'forks',
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // 2-core machine: ONNX sessions and image work compete for CPU.
    maxWorkers: 2,
    env: { OPENCV4NODEJS_DISABLE_AUTOBUILD: '1', OPENCV_LOG_LEVEL: 'ERROR' },
  },
});
