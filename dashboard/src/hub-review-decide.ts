// A lead's decision on one item of the hub's Review page: Confirm defect, Accept good, Note. The hub sends it to the
// item's bench, which records it (or refuses it, with the reason); until the bench's answer arrives the card says
// "sent to the bench…" — the hub never shows a decision the bench has not recorded.
import { errorText, postJson } from './api.ts';
import { h, notify } from './dom.ts';
import type { HubReviewAction, HubReviewItem, HubReviewRequest, ReviewDecisionAnswer } from './hub-types.ts';

const ACTION_TEXT: Record<HubReviewAction, string> = {
  confirm_defect: 'confirm defect',
  accept_good: 'accept good',
  note: 'note',
};

/** What became of the newest decision sent from the hub, in words. */
export function requestText(r: HubReviewRequest): string {
  const what = `${ACTION_TEXT[r.action]} by ${r.userName}`;
  if (r.state === 'sent') return `Sent to the bench… (${what}); it is decided when the bench records it.`;
  if (r.state === 'refused') return `Refused by the bench (${what}): ${r.reason ?? 'no reason given'}`;
  return `Recorded at the bench (${what}).`;
}

/** The card's actions; `changed` reads the page again once a decision is on its way. */
export function decisionBlock(it: HubReviewItem, changed: () => void): HTMLElement {
  const sent = it.request?.state === 'sent';
  const note = h('textarea', {
    class: 'note',
    rows: 2,
    maxlength: 2000,
    placeholder: 'Note (optional; required for Note)',
  });
  const buttons: HTMLButtonElement[] = [];
  const act = (action: HubReviewAction) => async () => {
    const text = note.value.trim();
    if (action === 'note' && !text) {
      notify('Write the note first.', 'error');
      return;
    }
    for (const b of buttons) b.disabled = true;
    try {
      await postJson<ReviewDecisionAnswer>(
        `/api/review/${encodeURIComponent(it.station)}/${it.id}`,
        text ? { action, note: text } : { action },
      );
    } catch (err) {
      notify(errorText(err), 'error');
      for (const b of buttons) b.disabled = false;
      return;
    }
    changed();
  };
  const button = (action: HubReviewAction, cls: string, label: string, disabled = false) => {
    const b = h(
      'button',
      { type: 'button', class: `${cls} ${action.replace('_', '-')}`, disabled: sent || disabled },
      label,
    );
    b.addEventListener('click', () => void act(action)());
    buttons.push(b);
    return b;
  };
  return h(
    'div',
    { class: 'actions' },
    note,
    h(
      'div',
      { class: 'row' },
      button('confirm_defect', 'danger', '✕ Confirm defect'),
      // As on the bench: accepting trains on the frame, so an item without one cannot be accepted.
      button('accept_good', 'good', '✓ Accept good', !it.frameUrl),
      button('note', '', 'Note'),
    ),
    it.request
      ? h(
          'p',
          {
            class: `decision-state ${it.request.state === 'refused' ? 'error' : 'muted'}`,
            'data-state': it.request.state,
          },
          requestText(it.request),
        )
      : h(
          'p',
          { class: 'hint' },
          'Sent to this bench, which records the decision; accepting adds the frame to its good images.',
        ),
  );
}
