import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTempName, writeFileAtomic, writeFileAtomicSync } from '../../station/store/atomicWrite.ts';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'atomic-'));

describe('writeFileAtomic', () => {
  it('creates the folder, writes bytes or text, replaces old content and leaves no temp file', async () => {
    const dir = fresh();
    const file = path.join(dir, 'a', 'b', 'x.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    await writeFileAtomic(file, 'héllo');
    expect(readFileSync(file, 'utf8')).toBe('héllo');
    expect(readdirSync(path.dirname(file))).toEqual(['x.bin']);
  });

  it('on failure keeps the old file, removes its temp file and throws the fs error', async () => {
    const dir = fresh();
    const target = path.join(dir, 'taken');
    mkdirSync(target); // a folder where the file should go: the rename must fail
    writeFileSync(path.join(target, 'inside'), 'keep');
    await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST|EPERM/),
    });
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('keep');
  });

  it('has a synchronous twin for tools that run before anything async (model preparation): same guarantees', () => {
    const dir = fresh();
    const file = path.join(dir, 'models', 'm.json');
    writeFileAtomicSync(file, '{"a":1}\n');
    writeFileAtomicSync(file, new Uint8Array(300_000).fill(7));
    expect(readFileSync(file).length).toBe(300_000);
    expect(readdirSync(path.dirname(file))).toEqual(['m.json']);
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'keep');
    expect(() => writeFileAtomicSync(target, 'new')).toThrow(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    expect(readdirSync(dir).sort()).toEqual(['models', 'taken']);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('keep');
  });

  it('isTempName knows the names it writes (and the older pid-only ones), not real files', () => {
    expect(isTempName('.1719748800000-frame-ab.jpg.tmp-123')).toBe(true);
    expect(isTempName('.good-000.png.tmp-4567-0a1b2c3d')).toBe(true);
    expect(isTempName('good-000.png')).toBe(false);
    expect(isTempName('.hidden')).toBe(false);
    expect(isTempName('x.tmp-12')).toBe(false);
  });
});
