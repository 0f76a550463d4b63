// The API image's HEALTHCHECK: exits 0 when GET /healthz answers 200 within 4 s, else 1.
// The slim base image has no curl or wget, and Node's fetch needs nothing else. It reads the
// same PORT the service listens on, so it stays right when a platform overrides the port.
/* global fetch, AbortSignal */
import process from 'node:process';

const port = process.env.PORT ?? '5000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(4_000),
  });
  process.exitCode = response.status === 200 ? 0 : 1;
} catch {
  process.exitCode = 1;
}
