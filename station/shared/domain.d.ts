// The workshop's words as types, each defined once and used by every room, the wire contract and so the dashboard.
// Types only, no imports: the contract re-exports from here and the browser build must see nothing else.

/** An inspection's outcome. 'unjudged': no score or no tolerance band, so a person must look; never a pass. */
export type Verdict = 'pass' | 'review' | 'fail' | 'unjudged';

/** The verdicts a score can get against a tolerance band: what calibration and its reports count. */
export type JudgedVerdict = Exclude<Verdict, 'unjudged'>;

/**
 * A tolerance band's two edges, strict: a score above `reviewAt` goes to review, above `failAt` fails (a score equal
 * to an edge gets the milder verdict). What the band carries besides (intervals, score model) extends this.
 */
export interface Band {
  reviewAt: number;
  failAt: number;
}

/**
 * What the station takes its frames from: a live camera, a video file replayed at its rate, a folder of item photos
 * played as a stream, or the generated demo. A config file writes a live camera as "usb" (the documented word,
 * kept for the files in the field); config.ts reads it as 'camera', the one place the two words meet.
 */
export type CameraKind = 'camera' | 'video' | 'folder' | 'demo';

/**
 * Where the station reports what it does: one line per event, for the person running the bench. `extra` carries
 * detail for the line (an error's stack). Parts that only report take the methods they use, e.g. Pick<Log, 'warn'>.
 */
export interface Log {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}
