/**
 * One item's turn on the bench, from the trigger to the stack light: BUSY, inspect it with the current
 * selection and record it (inspectFrame), announce it, show its verdict. An item that could not be
 * judged shows FAULT; one that could not be recorded shows FAULT too and is never announced.
 */
import type { Frame } from '../capture/index.ts';
import type { StackLightState } from '../signals/stackLight.ts';
import type { Verdict } from '../shared/domain.d.ts';
import type { Inspection, Store } from '../store/index.ts';
import { inspectFrame } from './inspectFrame.ts';
import type { Log } from '../shared/domain.d.ts';
import type { Selection } from './selection.ts';

const VERDICT_LIGHT: Record<Verdict, StackLightState> = {
  pass: 'PASS',
  review: 'REVIEW',
  fail: 'FAIL',
  unjudged: 'FAULT',
};

export interface ItemEdges {
  store: Store;
  selection: Pick<Selection, 'productId' | 'makerId' | 'active'>;
  /** Tells the dashboard, once the row is committed. latencyMs: frame capture → announcement. */
  announce: (row: Inspection, latencyMs: number) => void;
  show: (state: StackLightState) => void;
  /** After the announcement and the light (the station's onInspection listeners). */
  recorded?: (row: Inspection, frame: Frame) => void;
  log: Log;
}

/** Never rejects: a failure is logged and shown on the light. Resolves when the item's turn is over. */
export function inspectItem(e: ItemEdges, frame: Frame): Promise<void> {
  e.show('BUSY');
  const { productId, makerId } = e.selection;
  return inspectFrame(e.store, { frame, productId, makerId, active: e.selection.active(productId) })
    .then((row) => {
      e.announce(row, Date.now() - frame.capturedAt);
      e.log.info(
        `inspection ${row.id}: ${row.verdict.toUpperCase()}${row.score !== null ? ` (score ${row.score.toFixed(2)})` : ''}${row.error ? ` — ${row.error}` : ''}`,
      );
      e.show(VERDICT_LIGHT[row.verdict]);
      e.recorded?.(row, frame);
    })
    .catch((err: Error) => {
      // Not recorded (e.g. the disk is full): say so loudly, never show a verdict.
      e.log.error(`inspection could not be recorded: ${err.message}`);
      e.show('FAULT');
    });
}
