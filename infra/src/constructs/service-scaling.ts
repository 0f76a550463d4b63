import { Duration } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { ServiceSizing } from '../profile.ts';

/** Scale out fast (a new Fargate task is serving within ~1 min)… */
export const SCALE_OUT_COOLDOWN = Duration.seconds(60);
/** …and in slowly, so that a short lull does not throw away capacity that is needed again. */
export const SCALE_IN_COOLDOWN = Duration.seconds(300);

export interface ServiceScalingProps {
  readonly service: ecs.FargateService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly sizing: ServiceSizing;
}

/**
 * Target tracking on two signals: CPU (work per request) and ALB requests per target
 * (traffic, which rises before CPU does for an I/O-bound service). Application Auto
 * Scaling takes the larger of the two desired counts, and scales in only when both agree.
 */
export class ServiceScaling extends Construct {
  constructor(scope: Construct, id: string, props: ServiceScalingProps) {
    super(scope, id);
    const scaling = props.service.autoScaleTaskCount({
      minCapacity: props.sizing.minTasks,
      maxCapacity: props.sizing.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: props.sizing.cpuTargetPercent,
      scaleOutCooldown: SCALE_OUT_COOLDOWN,
      scaleInCooldown: SCALE_IN_COOLDOWN,
    });
    scaling.scaleOnRequestCount('Requests', {
      targetGroup: props.targetGroup,
      requestsPerTarget: props.sizing.requestsPerTargetPerMinute,
      scaleOutCooldown: SCALE_OUT_COOLDOWN,
      scaleInCooldown: SCALE_IN_COOLDOWN,
    });
  }
}
