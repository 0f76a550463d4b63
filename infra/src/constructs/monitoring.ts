import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as backup from 'aws-cdk-lib/aws-backup';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import {
  DefaultDashboardFactory,
  MonitoringFacade,
  SnsAlarmActionStrategy,
  type MetricWithAlarmSupport,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { THRESHOLDS } from '../alarm-thresholds.ts';
import type { Profile } from '../profile.ts';

export interface MonitoredService {
  readonly name: 'api' | 'web';
  readonly service: ecs.FargateService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly logGroup: logs.ILogGroup;
  readonly p99Seconds: number;
}

export interface MonitoringProps {
  readonly profile: Profile;
  readonly topic: sns.ITopic;
  readonly cluster: ecs.ICluster;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly services: readonly MonitoredService[];
  readonly database: rds.IDatabaseInstance;
  readonly backupVault: backup.IBackupVault;
  /** Metric namespace for the log-derived metrics. */
  readonly namespace: string;
}

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** One alarm on a metric the library has no ready-made alarm for (a rate, a difference). */
interface CustomAlarm {
  /** The alarm's name after the profile prefix, e.g. `AlbElb5xxRate`. */
  readonly id: string;
  readonly description: string;
  readonly metric: MetricWithAlarmSupport;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
}

/**
 * Alarms (every one notifies the alarm topic) and one dashboard with the golden signals per
 * service (traffic, errors, latency, saturation) and the database. Every alarm is built by
 * cdk-monitoring-constructs: its ready-made alarms for services and the database, and its
 * custom-metric monitoring (`monitorCustom`) for the rate alarms it has no ready-made one for;
 * both go through the same alarm factory, action and naming.
 */
export class Monitoring extends Construct {
  readonly facade: MonitoringFacade;
  readonly dashboardName: string;
  private readonly prefix: string;
  private pending: CustomAlarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { profile } = props;
    const prefix = `CloudTodo-${profile.name}`;
    this.prefix = prefix;
    this.dashboardName = prefix;

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: props.topic }),
        datapointsToAlarm: 3,
        evaluationPeriods: 3,
      },
      metricFactoryDefaults: { period: FIVE_MINUTES },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });

    this.facade.addLargeHeader(`cloud-todo (${profile.name})`);
    this.loadBalancerAlarms(props.loadBalancer);
    this.flush('load balancer');
    for (const s of props.services) {
      this.facade.monitorFargateApplicationLoadBalancer({
        fargateService: s.service,
        applicationLoadBalancer: props.loadBalancer,
        applicationTargetGroup: s.targetGroup,
        humanReadableName: `${s.name} service`,
        alarmFriendlyName: s.name,
        invertLoadBalancerTaskCountMetricsStatistics: true,
        addCpuUsageAlarm: { Critical: { maxUsagePercent: THRESHOLDS.serviceCpuPercent } },
        addMemoryUsageAlarm: { Critical: { maxUsagePercent: THRESHOLDS.serviceMemoryPercent } },
        addUnhealthyTaskCountAlarm: { Critical: { maxUnhealthyTasks: 0 } },
      });
      this.serviceAlarms(s, props.cluster);
      this.flush(`${s.name}: error rate, latency, tasks`);
    }
    this.facade.addMediumHeader('Golden signals per service: traffic, errors, latency');
    for (const s of props.services) this.goldenSignals(s);
    this.apiErrorLogAlarm(props.services.find((s) => s.name === 'api')?.logGroup, props.namespace);
    this.flush('api: error-level log lines');

    this.facade.monitorRdsInstance({
      instance: props.database,
      humanReadableName: 'database',
      alarmFriendlyName: 'database',
      addCpuUsageAlarm: { Critical: { maxUsagePercent: THRESHOLDS.databaseCpuPercent } },
      addFreeStorageSpaceAlarm: { Critical: { minCount: THRESHOLDS.databaseFreeStorageBytes } },
    });
    this.databaseAlarms(props.database, profile.database);
    this.flush('database: connections, memory');
    this.backupAlarms(props.backupVault, props.topic);
    this.flush('backups');
  }

  /** One of the custom alarms, by its id (e.g. `ApiTarget5xxRate`). */
  customAlarm(id: string): cloudwatch.AlarmBase {
    const name = `${this.prefix}-${id}`;
    const found = this.facade.createdAlarms().find((a) => a.alarmName === name);
    if (!found) throw new Error(`No alarm ${name} in ${this.node.path}`);
    return found.alarm;
  }

  /** Collects one custom alarm for the next {@link flush}. */
  private alarm(
    id: string,
    props: Omit<CustomAlarm, 'id' | 'description' | 'datapointsToAlarm'> & {
      readonly alarmDescription: string;
      readonly datapointsToAlarm?: number;
    },
  ) {
    this.pending.push({
      ...props,
      id,
      description: props.alarmDescription,
      datapointsToAlarm: props.datapointsToAlarm ?? props.evaluationPeriods,
    });
  }

  /** A dashboard section with one graph per collected alarm, built by the library's factory. */
  private flush(title: string) {
    const alarms = this.pending;
    this.pending = [];
    this.facade.monitorCustom({
      humanReadableName: title,
      alarmFriendlyName: title,
      metricGroups: alarms.map((a) => ({
        title: a.id,
        metrics: [
          {
            metric: a.metric,
            alarmFriendlyName: a.id,
            addAlarm: {
              Critical: {
                alarmNameOverride: `${this.prefix}-${a.id}`,
                alarmDescriptionOverride: a.description,
                threshold: a.threshold,
                comparisonOperator: a.comparisonOperator,
                evaluationPeriods: a.evaluationPeriods,
                datapointsToAlarm: a.datapointsToAlarm,
                treatMissingDataOverride: a.treatMissingData,
              },
            },
          },
        ],
      })),
    });
  }

  /** `100 × errors / requests`, 0 while traffic is below the noise floor. */
  private errorRate(errors: cloudwatch.IMetric, requests: cloudwatch.IMetric, label: string) {
    return new cloudwatch.MathExpression({
      expression: `IF(FILL(req, 0) >= ${THRESHOLDS.minRequestsPerMinute}, 100 * FILL(err, 0) / FILL(req, 0), 0)`,
      usingMetrics: { err: errors, req: requests },
      period: ONE_MINUTE,
      label,
    });
  }

  private loadBalancerAlarms(alb: elbv2.ApplicationLoadBalancer) {
    const sum = { period: ONE_MINUTE, statistic: cloudwatch.Stats.SUM };
    this.alarm('AlbElb5xxRate', {
      alarmDescription: `ALB-generated 5xx above ${THRESHOLDS.albElb5xxPercent} % of requests in 3 of 5 minutes: no healthy target, or targets time out.`,
      metric: this.errorRate(
        alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum),
        alb.metrics.requestCount(sum),
        'ALB 5xx %',
      ),
      threshold: THRESHOLDS.albElb5xxPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private serviceAlarms(s: MonitoredService, cluster: ecs.ICluster) {
    const tg = s.targetGroup;
    const sum = { period: ONE_MINUTE, statistic: cloudwatch.Stats.SUM };
    const label = s.name === 'api' ? 'Api' : 'Web';
    this.alarm(`${label}Target5xxRate`, {
      alarmDescription: `${s.name}: 5xx answered by the tasks above ${THRESHOLDS.target5xxPercent} % of requests in 3 of 5 minutes.`,
      metric: this.errorRate(
        tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum),
        tg.metrics.requestCount(sum),
        `${s.name} target 5xx %`,
      ),
      threshold: THRESHOLDS.target5xxPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm(`${label}P99Latency`, {
      alarmDescription: `${s.name}: p99 target response time above ${s.p99Seconds} s in 3 of 5 minutes.`,
      metric: tg.metrics.targetResponseTime({
        period: ONE_MINUTE,
        statistic: cloudwatch.Stats.p(99),
      }),
      threshold: s.p99Seconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Container Insights: tasks the service wants but does not have (crash loop, no capacity,
    // image pull failure). Five minutes covers a normal task start and a scale-out.
    const insight = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: s.service.serviceName },
        period: ONE_MINUTE,
        statistic: cloudwatch.Stats.AVERAGE,
      });
    this.alarm(`${label}TasksBelowDesired`, {
      alarmDescription: `${s.name}: fewer running tasks than desired for 5 consecutive minutes.`,
      metric: new cloudwatch.MathExpression({
        expression: 'desired - FILL(running, 0)',
        usingMetrics: {
          desired: insight('DesiredTaskCount'),
          running: insight('RunningTaskCount'),
        },
        period: ONE_MINUTE,
        label: `${s.name} tasks missing`,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  private apiErrorLogAlarm(logGroup: logs.ILogGroup | undefined, namespace: string) {
    if (!logGroup) return;
    // The API logs JSON lines with pino's numeric levels: 50 = error, 60 = fatal.
    const filter = new logs.MetricFilter(this, 'ApiErrorLogFilter', {
      logGroup,
      filterPattern: logs.FilterPattern.numberValue('$.level', '>=', 50),
      metricNamespace: namespace,
      metricName: 'ApiErrorLogs',
      metricValue: '1',
      defaultValue: 0,
    });
    this.alarm('ApiErrorLogRate', {
      alarmDescription: `api: ${THRESHOLDS.apiErrorLogsPer5Min} or more error-level log lines within 5 minutes.`,
      metric: filter.metric({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: THRESHOLDS.apiErrorLogsPer5Min,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private goldenSignals(s: MonitoredService) {
    const tg = s.targetGroup;
    const sum = { period: ONE_MINUTE, statistic: cloudwatch.Stats.SUM };
    const latency = (stat: string) =>
      tg.metrics.targetResponseTime({ period: ONE_MINUTE, statistic: stat, label: stat });
    this.facade.addWidget(
      new cloudwatch.GraphWidget({
        title: `${s.name}: requests / min`,
        left: [tg.metrics.requestCount({ ...sum, label: 'requests' })],
        width: 8,
      }),
    );
    this.facade.addWidget(
      new cloudwatch.GraphWidget({
        title: `${s.name}: 5xx / min`,
        left: [
          tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            ...sum,
            label: 'target 5xx',
          }),
          tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, {
            ...sum,
            label: 'target 4xx',
          }),
        ],
        width: 8,
      }),
    );
    this.facade.addWidget(
      new cloudwatch.GraphWidget({
        title: `${s.name}: response time (s)`,
        left: [latency('p50'), latency('p99')],
        leftAnnotations: [{ value: s.p99Seconds, label: 'p99 alarm' }],
        width: 8,
      }),
    );
  }

  private databaseAlarms(database: rds.IDatabaseInstance, config: Profile['database']) {
    // The library's connection alarm sums the per-minute samples over its period; the
    // question here is the peak count.
    this.alarm('DatabaseConnections', {
      alarmDescription: `database: more than ${config.maxConnectionsAlarm} connections (≈ 80 % of max_connections) for 15 minutes.`,
      metric: database.metricDatabaseConnections({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: config.maxConnectionsAlarm,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    const memoryMiB = config.instanceMemoryMiB;
    const threshold = Math.round(
      memoryMiB * 1024 * 1024 * THRESHOLDS.databaseFreeableMemoryFraction,
    );
    this.alarm('DatabaseFreeableMemory', {
      alarmDescription: `database: freeable memory below ${THRESHOLDS.databaseFreeableMemoryFraction * 100} % of the instance's ${memoryMiB} MiB for 15 minutes (swapping is next).`,
      metric: database.metricFreeableMemory({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MINIMUM,
      }),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  private backupAlarms(vault: backup.IBackupVault, topic: sns.ITopic) {
    this.alarm('BackupJobFailed', {
      alarmDescription: 'AWS Backup: a backup job of the database vault failed.',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Backup',
        metricName: 'NumberOfBackupJobsFailed',
        dimensionsMap: { BackupVaultName: vault.backupVaultName },
        period: Duration.hours(1),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // The event carries the job id and the reason; the alarm above is the dashboard's view.
    new events.Rule(this, 'BackupJobFailedEvent', {
      description: 'AWS Backup job or copy job of the database vault did not complete',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change', 'Copy Job State Change'],
        detail: {
          state: ['FAILED', 'ABORTED', 'EXPIRED'],
          backupVaultName: [vault.backupVaultName],
        },
      },
      targets: [new eventTargets.SnsTopic(topic)],
    });
  }
}
