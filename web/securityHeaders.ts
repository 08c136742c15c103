// The headers every page and answer of the project's HTTP servers carries.
import type { RequestHandler } from 'express';

/** Content-Security-Policy: everything from the server itself (station or hub), nothing inline, no CDN ('self' covers its own ws: and wss: in CSP 3). */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; style-src 'self'; " +
      "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};
