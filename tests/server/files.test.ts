// Image routes: evidence only from <dataDir>/evidence, references only from calibration/<product>/.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInspection, jpeg, rawGet, seed, startHarness, type Harness } from './harness.ts';

let h: Harness;
let framePath: string;

beforeAll(async () => {
  h = await startHarness();
  await seed(h);
  framePath = (await addInspection(h, { score: 0.3 })).framePath as string;
  mkdirSync(path.join(h.calibrationDir, 'tile', 'good'), { recursive: true });
  writeFileSync(path.join(h.calibrationDir, 'tile', 'good', 'good-01.jpg'), await jpeg(16, 16));
  writeFileSync(path.join(h.calibrationDir, 'secret.jpg'), await jpeg(8, 8));
  writeFileSync(path.join(h.dataDir, 'outside.jpg'), await jpeg(8, 8));
  // A symlink inside evidence/ pointing out of it.
  symlinkSync(path.join(h.dataDir, 'outside.jpg'), path.join(h.dataDir, 'evidence', 'link.jpg'));
});
afterAll(() => h.close());

describe('GET /evidence', () => {
  it('serves a stored evidence image', async () => {
    const res = await fetch(`${h.url}/evidence/${framePath}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it.each([
    '/evidence/../station.sqlite',
    '/evidence/../outside.jpg',
    '/evidence/%2e%2e/outside.jpg',
    '/evidence/%2E%2E%2Foutside.jpg',
    '/evidence/2024-05-01/..%2F..%2Foutside.jpg',
    '/evidence/%2Fetc%2Fpasswd',
    '/evidence/..%5Coutside.jpg',
    '/evidence/a%00.jpg',
    '/evidence/link.jpg',
  ])('refuses %s', async (p) => {
    const res = await rawGet(h.port, p);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('SQLite format');
    expect(res.body).toMatch(/"error"/);
  });

  it('says 404 for a missing file and for a non-image name', async () => {
    expect((await fetch(`${h.url}/evidence/2024-01-01/1-frame-abc.jpg`)).status).toBe(404);
    expect((await fetch(`${h.url}/evidence/2024-01-01/notes.txt`)).status).toBe(404);
  });
});

describe('GET /references', () => {
  it('serves a good reference image by file name or by path in the product folder', async () => {
    expect((await fetch(`${h.url}/references/tile/good-01.jpg`)).status).toBe(200);
    expect((await fetch(`${h.url}/references/tile/good/good-01.jpg`)).status).toBe(200);
  });

  it.each([
    '/references/tile/../secret.jpg',
    '/references/tile/%2e%2e%2fsecret.jpg',
    '/references/..%2Fdata/outside.jpg',
    '/references/%2e%2e/secret.jpg',
    '/references/tile/..%2F..%2Fdata%2Fstation.sqlite',
  ])('refuses %s', async (p) => {
    const res = await rawGet(h.port, p);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/"error"/);
  });
});
