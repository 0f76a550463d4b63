import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Addresses that get every alarm by e-mail (each confirms once). */
  readonly emails: readonly string[];
  /**
   * The common prefix of every alarm name that may publish here (`CloudTodo-<profile>-`):
   * CloudWatch may publish only for alarms of this account whose name starts with it.
   */
  readonly alarmNamePrefix: string;
}

/** The AWS services that deliver into the alarm topic. */
export const PUBLISHERS = {
  cloudwatch: 'cloudwatch.amazonaws.com',
  eventBridge: 'events.amazonaws.com',
  rdsEvents: 'events.rds.amazonaws.com',
} as const;

/**
 * The one place alarms go: an SNS topic encrypted with a customer-managed key (CloudWatch,
 * EventBridge and RDS cannot publish to a topic under the AWS-managed SNS key) that refuses
 * non-TLS publishers.
 *
 * A topic policy replaces SNS's default policy, which would have let any principal of the
 * account publish. `enforceSSL` writes such a policy, so every publisher is named here: alarm
 * actions (CloudWatch, scoped to this account's alarms with our name prefix, as in
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html),
 * RDS event notifications (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html),
 * and EventBridge rules of this account (the rule targets add the allow; a deny here keeps
 * other accounts' rules out).
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    const key = new kms.Key(this, 'Key', {
      description: 'cloud-todo alarm notifications',
      enableKeyRotation: true,
      // Only transient notifications are encrypted with it; nothing to recover later.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const service of Object.values(PUBLISHERS)) {
      key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal(PUBLISHERS.cloudwatch)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: {
            'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:${props.alarmNamePrefix}*`,
          },
        },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RdsEventsOfThisAccount',
        principals: [new iam.ServicePrincipal(PUBLISHERS.rdsEvents)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:rds:${region}:${account}:*` },
        },
      }),
    );
    // The EventBridge rule targets add an unconditioned allow for events.amazonaws.com; this
    // narrows it to rules of this account, as EventBridge's SNS-target documentation advises
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeRulesOfThisAccountOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal(PUBLISHERS.eventBridge)],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnNotLike: { 'aws:SourceArn': `arn:${partition}:events:${region}:${account}:rule/*` },
        },
      }),
    );
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
