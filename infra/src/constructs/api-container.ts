import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { API_PORT } from './network.ts';

/** Where the API image carries the RDS CA bundle (apps/api/Dockerfile puts it there). */
export const RDS_CA_FILE = '/app/certs/rds-global-bundle.pem';

/** The api image's non-root user (`node` in the official Node.js images, apps/api/Dockerfile). */
export const API_USER = '1000:1000';

/**
 * The plain (non-secret) environment of every container that runs the api image: the
 * service and the one-off migration task. The service never migrates at start
 * (`MIGRATE_ON_START=false`): the deploy runs the migration task first, so that a rollback of
 * the service runs old code against a schema that old code still understands (expand/contract,
 * docs/database.md).
 */
export function apiEnvironment(): Record<string, string> {
  return {
    PORT: String(API_PORT),
    DB_SSL: 'verify-full',
    DB_CA_FILE: RDS_CA_FILE,
    LOG_LEVEL: 'info',
    MIGRATE_ON_START: 'false',
    // The ALB is the one proxy in front: its X-Forwarded-* are believed, nothing beyond it.
    TRUST_PROXY_HOPS: '1',
  };
}

/** The database credentials, injected by ECS from the RDS secret at task start. */
export function apiSecrets(secret: secretsmanager.ISecret): Record<string, ecs.Secret> {
  return {
    DB_HOST: ecs.Secret.fromSecretsManager(secret, 'host'),
    DB_PORT: ecs.Secret.fromSecretsManager(secret, 'port'),
    DB_USER: ecs.Secret.fromSecretsManager(secret, 'username'),
    DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
    DB_NAME: ecs.Secret.fromSecretsManager(secret, 'dbname'),
  };
}
