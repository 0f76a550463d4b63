export { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.ts';
export { freePort } from './free-port.ts';
export {
  DEFAULT_ADMIN_URL,
  createTestDatabase,
  findOrStartPostgres,
  postgresAnswers,
  postgresBinDir,
  startThrowawayCluster,
  withDatabase,
  type PostgresServer,
  type TestDatabase,
  type ThrowawayCluster,
} from './postgres.ts';
export {
  appendOutputTo,
  startProcess,
  waitForHttp,
  type RunningProcess,
  type StartOptions,
} from './child-process.ts';
