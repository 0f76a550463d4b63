import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface LogQueriesProps {
  /** Prefix of every query's name, e.g. `CloudTodo-prod`; the console groups by `/`. */
  readonly prefix: string;
  readonly apiLogGroup: logs.ILogGroup;
}

/**
 * Saved CloudWatch Logs Insights queries over the api's JSON log lines (one per request:
 * `reqId`, `traceId` (the ALB's X-Amzn-Trace-Id), `route`, `statusCode`, `responseTime` in ms,
 * pino's numeric `level`). They appear under "Saved queries" in the Logs Insights console;
 * docs/monitoring.md shows them and how to run them from the CLI.
 */
export const LOG_QUERIES = {
  'errors-by-request-id': {
    description: 'error-level lines (pino level ≥ 50), newest first, with their request id',
    query: new logs.QueryString({
      fields: ['@timestamp', 'reqId', 'traceId', 'route', 'statusCode', 'msg', 'err.message'],
      filterStatements: ['level >= 50'],
      sort: '@timestamp desc',
      limit: 100,
    }),
  },
  'slowest-requests': {
    description: 'the 50 slowest answered requests',
    query: new logs.QueryString({
      fields: ['@timestamp', 'reqId', 'traceId', 'method', 'route', 'statusCode', 'responseTime'],
      filterStatements: ['ispresent(responseTime)'],
      sort: 'responseTime desc',
      limit: 50,
    }),
  },
  '5xx-by-route': {
    description: '5xx answers counted per route and status',
    query: new logs.QueryString({
      filterStatements: ['statusCode >= 500'],
      statsStatements: ['count(*) as answers by route, statusCode'],
      sort: 'answers desc',
    }),
  },
  'requests-of-one-trace': {
    description: 'every line of one ALB trace id: replace the id in the filter',
    query: new logs.QueryString({
      fields: ['@timestamp', '@logStream', 'reqId', 'method', 'url', 'statusCode', 'msg'],
      filterStatements: ["traceId like 'Root=1-00000000-000000000000000000000000'"],
      sort: '@timestamp asc',
      limit: 200,
    }),
  },
} as const;

export class LogQueries extends Construct {
  readonly definitions: logs.QueryDefinition[] = [];

  constructor(scope: Construct, id: string, props: LogQueriesProps) {
    super(scope, id);
    for (const [name, { query }] of Object.entries(LOG_QUERIES)) {
      this.definitions.push(
        new logs.QueryDefinition(this, name, {
          queryDefinitionName: `${props.prefix}/api/${name}`,
          queryString: query,
          logGroups: [props.apiLogGroup],
        }),
      );
    }
  }
}
