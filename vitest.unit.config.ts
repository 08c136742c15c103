// `npm run test:unit`: the tests that need no Debian package, serial pair, browser, station, child process,
// generated backbone, OpenCV binding (built against Debian's libopencv), or local broker or database (hub/local/
// starts Debian's mosquitto and postgresql): pure logic, real SQLite files, small images and tiny ONNX models, so
// they run in about a minute with no setup beyond `npm ci`.
// A test file joins the full tier alone by using one of those parts; nobody keeps a list.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

const NEEDS_MORE =
  /playwright|chromium|socat|opencv|startStation|runtime\/harness|child_process|runInChild|models\/generated|enginePool|loadBackbone|prepareModels|setup\.mjs|hub\/local\//;

function unitTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return unitTests(file);
    return e.name.endsWith('.test.ts') && !NEEDS_MORE.test(readFileSync(file, 'utf8')) ? [file] : [];
  });
}

export default defineConfig({ ...base, test: { ...base.test, include: unitTests('tests') } });
