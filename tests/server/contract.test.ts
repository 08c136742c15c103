// The wire contract is a .d.ts, which both tsconfigs skip (skipLibCheck): check it here, alone,
// with no ambient types, as the browser build would see it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { verdicts, reviewStatuses } from '../../station/store/repositories/inspections.ts';
import type { ReviewStatus, Verdict } from '../../station/server/contract.d.ts';

const contract = fileURLToPath(new URL('../../station/server/contract.d.ts', import.meta.url));
const domain = fileURLToPath(new URL('../../station/shared/domain.d.ts', import.meta.url));

function program(file: string): ts.Program {
  return ts.createProgram([file], {
    noEmit: true,
    strict: true,
    skipLibCheck: false,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
  });
}

function diagnostics(file: string): string[] {
  return ts.getPreEmitDiagnostics(program(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('wire contract (station/server/contract.d.ts)', () => {
  it('type-checks on its own, with no ambient types and only the domain types imported', () => {
    expect(diagnostics(contract)).toEqual([]);
    const files = program(contract)
      .getSourceFiles()
      .map((f) => f.fileName)
      .filter((f) => !f.includes('/node_modules/'));
    expect(files.sort()).toEqual([contract, domain].sort());
  });

  it('the check would catch a broken contract', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    mkdirSync(join(dir, 'server'));
    mkdirSync(join(dir, 'shared'));
    copyFileSync(domain, join(dir, 'shared', 'domain.ts'));
    const broken = join(dir, 'server', 'contract.d.ts');
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
