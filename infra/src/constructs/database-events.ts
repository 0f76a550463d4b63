import * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * The RDS event categories an operator must hear about
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html#USER_Events.Messages.instance):
 * a failover started or finished, the instance failed or became unavailable, maintenance
 * (patches, reboots) is scheduled or applied, storage runs low, a setting changed.
 */
export const DATABASE_EVENT_CATEGORIES = [
  'availability',
  'configuration change',
  'failover',
  'failure',
  'low storage',
  'maintenance',
] as const;

export interface DatabaseEventsProps {
  readonly instanceIdentifier: string;
  readonly topic: sns.ITopic;
}

/** RDS event notifications of the database instance, to the alarm topic. */
export class DatabaseEvents extends Construct {
  readonly subscription: rds.CfnEventSubscription;

  constructor(scope: Construct, id: string, props: DatabaseEventsProps) {
    super(scope, id);
    this.subscription = new rds.CfnEventSubscription(this, 'Subscription', {
      snsTopicArn: props.topic.topicArn,
      sourceType: 'db-instance',
      sourceIds: [props.instanceIdentifier],
      eventCategories: [...DATABASE_EVENT_CATEGORIES],
      enabled: true,
    });
  }
}
