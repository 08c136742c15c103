// One error type for the project's HTTP servers (station and hub): a status and a message meant for the person at
// the other end, and the handler that turns any thrown error into `{error}` JSON.
import type { ErrorRequestHandler } from 'express';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/**
 * HttpErrors keep their message; others are logged and hidden behind "internal error in <service>", so a visitor
 * never reads a stack or a query.
 */
export function errorHandler(
  log: { error(msg: string, extra?: Record<string, unknown>): void },
  service: string,
): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      res.status(err.status).json({ error: err.message });
      return;
    }
    // body-parser errors (bad JSON, too large) carry their own status.
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status < 500) {
      const message = err.type === 'entity.parse.failed' ? 'request body is not valid JSON' : String(err.message);
      res.status(status).json({ error: message });
      return;
    }
    log.error(`${req.method} ${req.path} failed`, { error: err instanceof Error ? err.stack : String(err) });
    res.status(500).json({ error: `internal error in ${service}; see ${service} log` });
  };
}
