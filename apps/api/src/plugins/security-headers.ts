import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers for the API, its docs UI and the web app served by the same process.
 * A fixed set, computed once (what helmet would send, without its per-request work): a
 * same-origin content security policy (inline styles allowed for the docs UI), no framing,
 * no MIME sniffing, no referrer leaking a list's secret URL, HTTPS remembered once seen.
 */
const HEADERS = Object.freeze({
  'content-security-policy': [
    "default-src 'self'",
    "base-uri 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; '),
  'cross-origin-opener-policy': 'same-origin',
  // The API is called cross-origin by design (CORS allows any origin).
  'cross-origin-resource-policy': 'cross-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

export const securityHeaders = fp(
  (app: FastifyInstance, _options, done) => {
    app.addHook('onRequest', (_request, reply, next) => {
      reply.headers(HEADERS);
      next();
    });
    done();
  },
  { name: 'security-headers' },
);
