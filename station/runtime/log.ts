/** Where the station reports what it does: one line per event, for the person running the bench. */
export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}
