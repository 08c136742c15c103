// The wire contract is a .d.ts, which both tsconfigs skip (skipLibCheck): check it here, alone,
// with no ambient types, as the browser build would see it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { verdicts, reviewStatuses } from '../../station/store/repositories/inspections.ts';
import type { ReviewStatus, Verdict } from '../../station/server/contract.d.ts';

const contract = fileURLToPath(new URL('../../station/server/contract.d.ts', import.meta.url));

function diagnostics(file: string): string[] {
  const program = ts.createProgram([file], {
    noEmit: true,
    strict: true,
    skipLibCheck: false,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('wire contract (station/server/contract.d.ts)', () => {
  it('type-checks on its own, with no imports and no ambient types', () => {
    expect(diagnostics(contract)).toEqual([]);
  });

  it('the check would catch a broken contract', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    const broken = join(dir, 'contract.d.ts');
    writeFileSync(broken, readFileSync(contract, 'utf8').replace('verdict: Verdict;', 'verdict: Verdct;'));
    expect(diagnostics(broken).join('\n')).toMatch(/Verdct/);
  });

  it('names the same verdicts and review statuses as the store', () => {
    const v: readonly Verdict[] = verdicts;
    const r: readonly ReviewStatus[] = reviewStatuses;
    const back: Verdict[] = ['pass', 'review', 'fail', 'unjudged'];
    expect([...v].sort()).toEqual([...back].sort());
    expect([...r].sort()).toEqual(['accepted_good', 'confirmed_defect', 'none', 'pending']);
  });
});
