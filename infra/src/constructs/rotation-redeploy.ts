import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface RotationRedeployProps {
  /** The database secret that Secrets Manager rotates. */
  readonly secret: secretsmanager.ISecret;
  readonly cluster: ecs.ICluster;
  /** The service that reads the secret at task start. */
  readonly service: ecs.FargateService;
  readonly logRetentionDays: number;
}

/**
 * ECS injects secrets when a task starts, so after a rotation the running api tasks hold the
 * old password. Their open connections stay valid (PostgreSQL checks a password only when a
 * connection opens), and this rolls the service onto the new secret right away: Secrets
 * Manager's RotationSucceeded event → a one-step state machine → ecs:UpdateService with
 * forceNewDeployment (a normal rolling deployment, circuit breaker included). No code.
 */
export class RotationRedeploy extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RotationRedeployProps) {
    super(scope, id);
    const redeploy = new tasks.CallAwsService(this, 'ForceNewDeployment', {
      service: 'ecs',
      action: 'updateService',
      parameters: {
        Cluster: props.cluster.clusterArn,
        Service: props.service.serviceName,
        ForceNewDeployment: true,
      },
      iamResources: [props.service.serviceArn],
      iamAction: 'ecs:UpdateService',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(redeploy),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray trace submission and CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and friends) support no resource-level permissions (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html); the only action on our resources, ecs:UpdateService, is scoped to the api service.',
    });
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
    this.rule = new events.Rule(this, 'OnRotation', {
      description: 'Redeploy the api when its database secret has been rotated',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventName: ['RotationSucceeded'],
          additionalEventData: { SecretId: [props.secret.secretArn] },
        },
      },
      targets: [new eventTargets.SfnStateMachine(this.stateMachine)],
    });
  }
}
