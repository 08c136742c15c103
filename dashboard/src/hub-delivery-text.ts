// What the lead reads about one publication on one bench: its state in words, and the bench check's figure.
// Words and symbols, never colour alone.
import { fmtPct } from './dom.ts';
import type { ReferenceSetDelivery } from './hub-types.ts';

const STATE_TEXT: Record<ReferenceSetDelivery['state'], string> = {
  sent: '… Sent, waiting for the bench',
  received: '… Received, checking on the bench',
  refused: '✕ Refused',
  checked: '✓ Checked',
  active: '✓ Active',
};

export function stateText(d: ReferenceSetDelivery): string {
  if (d.state !== 'checked') return STATE_TEXT[d.state];
  if (d.check?.checked === false) return '? Held, not checked';
  return d.check?.ok === false ? '✕ Checked, out of range' : STATE_TEXT.checked;
}

/** The state's colour class (beside its word). */
export function stateClass(d: ReferenceSetDelivery): string {
  if (d.state === 'refused' || (d.check && d.check.ok === false)) return 'v-fail';
  if (d.state === 'checked' || d.state === 'active') return d.check?.checked === false ? 'v-review' : 'v-pass';
  return 'v-unjudged';
}

/** The false-alarm figure: the share of the bench's good images the set flags, against the band's expected range. */
export function checkText(d: ReferenceSetDelivery): string {
  if (d.state === 'refused') return `Refused: ${d.reason ?? 'no reason given'}`;
  const c = d.check;
  if (!c) return d.state === 'sent' ? 'Not received yet' : 'Not checked yet';
  if (!c.checked || c.falseAlarmRate === null) return `Could not check: ${c.reason ?? 'no reason given'}`;
  const flagged = Math.round(c.falseAlarmRate * c.goodImages);
  const figure = `False alarms ${fmtPct(c.falseAlarmRate)} (${flagged} of ${c.goodImages} good images)`;
  if (!c.expected) return figure;
  const [lo, hi] = c.expected.falseAlarmRate;
  const range = `expected ${fmtPct(lo)}–${fmtPct(hi)}`;
  if (c.ok) return `${figure}, ${range}: ✓ ok`;
  // ok also needs the fail rate inside its range: name which one is out.
  const why = c.falseAlarmRate > hi ? 'too many false alarms' : 'too many judged fail';
  return `${figure}, ${range}: ✕ ${why}`;
}

/** The figure in a few words, for beside the Activate button. */
export function shortFigure(d: ReferenceSetDelivery): string {
  const c = d.check;
  if (!c?.checked || c.falseAlarmRate === null) return 'not checked on this bench';
  const verdict = c.ok === null ? '' : c.ok ? ' · ✓ ok' : ' · ✕ too many';
  return `${fmtPct(c.falseAlarmRate)} false alarms on ${c.goodImages} good images${verdict}`;
}

/** An activation the hub sent that the bench has not answered yet (a refusal moves updatedAt past it). */
export const activationPending = (d: ReferenceSetDelivery): boolean =>
  d.activateSentAt !== null && d.state === 'checked' && d.updatedAt <= d.activateSentAt;

/** An activation the bench refused: its reason, after the hub sent it. */
export const activationRefused = (d: ReferenceSetDelivery): string | null =>
  d.activateSentAt !== null && d.state === 'checked' && d.updatedAt > d.activateSentAt && d.reason ? d.reason : null;

/** Still moving: the page polls while any publication or activation waits for a bench. */
export const pending = (d: ReferenceSetDelivery): boolean =>
  d.state === 'sent' || d.state === 'received' || activationPending(d);
