// The hub's wire contract is a .d.ts, which both tsconfigs skip (skipLibCheck): check it here, alone, with no
// ambient types, as the browser build would see it.
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const contract = fileURLToPath(new URL('../../hub/server/contract.d.ts', import.meta.url));
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

describe('hub wire contract (hub/server/contract.d.ts)', () => {
  it('type-checks on its own, importing only the domain types', () => {
    const p = program(contract);
    expect(ts.getPreEmitDiagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    const files = p
      .getSourceFiles()
      .map((f) => f.fileName)
      .filter((f) => !f.includes('/node_modules/'));
    expect(files.sort()).toEqual([contract, domain].sort());
  });
});
