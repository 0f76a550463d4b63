import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers for the API, its docs UI and the web app served by the same process:
 * the same set as the production nginx config of the web app (apps/web/nginx/default.conf),
 * computed once (what helmet would send, without its per-request work). No inline styles
 * or scripts (the docs UI's one inline style is allowed by its hash, on its pages only). No framing, no MIME sniffing, no referrer leaking a list's
 * secret URL, no powerful browser features, HTTPS remembered once seen.
 */
const policy = (styleSrc: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styleSrc}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/**
 * The one inline style of the docs UI (a `<style>` swagger-ui injects), by its hash: test
 * e2e/docs-page.test.ts fails, naming the new hash, when an upgrade changes it.
 */
const DOCS_STYLE_HASH = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

const COMMON = {
  'content-security-policy': policy("'self'"),
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The API is called cross-origin by design (CORS allows any origin). */
const API = Object.freeze({ ...COMMON, 'cross-origin-resource-policy': 'cross-origin' });
/** The web app's own files are for its own pages only. */
const WEB = Object.freeze({ ...COMMON, 'cross-origin-resource-policy': 'same-origin' });
const DOCS = Object.freeze({
  ...API,
  'content-security-policy': policy(`'self' ${DOCS_STYLE_HASH}`),
});
/** A list's page is private to whoever has its link: search engines must not index it. */
const LIST_PAGE = Object.freeze({ ...WEB, 'x-robots-tag': 'noindex, nofollow' });

export const securityHeaders = fp(
  (app: FastifyInstance, _options, done) => {
    app.addHook('onRequest', (request, reply, next) => {
      const url = request.url;
      reply.headers(
        url.startsWith('/api/docs')
          ? DOCS
          : url.startsWith('/api')
            ? API
            : url.startsWith('/lists/')
              ? LIST_PAGE
              : WEB,
      );
      next();
    });
    done();
  },
  { name: 'security-headers' },
);
