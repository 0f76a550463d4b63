// `npm run compose:haproxy -w deploy`: writes compose/haproxy.cfg from the renderer (a test
// fails when the committed file and the renderer disagree).
import { writeFileSync } from 'node:fs';
import { composeHaproxyConfig } from './compose-haproxy-config.ts';

writeFileSync(new URL('./haproxy.cfg', import.meta.url), composeHaproxyConfig());
