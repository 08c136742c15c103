// Records what a frame source emits, in order, for assertions.
import type { Frame, FrameSource } from '../../station/capture/types.ts';

export type SourceEvent =
  | { type: 'frame'; frame: Frame }
  | { type: 'lost'; error: Error }
  | { type: 'back' }
  | { type: 'end' }
  | { type: 'warning'; error: Error };

export function record(source: FrameSource) {
  const events: SourceEvent[] = [];
  source.on('frame', (frame) => events.push({ type: 'frame', frame }));
  source.on('lost', (error) => events.push({ type: 'lost', error }));
  source.on('back', () => events.push({ type: 'back' }));
  source.on('end', () => events.push({ type: 'end' }));
  source.on('warning', (error) => events.push({ type: 'warning', error }));
  const frames = () => events.flatMap((e) => (e.type === 'frame' ? [e.frame] : []));
  const types = () => events.map((e) => e.type);
  /** Event types with runs of frames collapsed, e.g. ['frame', 'lost', 'back', 'frame', 'end']. */
  const outline = () => types().filter((t, i, all) => !(t === 'frame' && all[i - 1] === 'frame'));
  return { events, frames, types, outline };
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function ended(source: FrameSource, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replay did not end within ${timeoutMs} ms`)), timeoutMs);
    source.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
