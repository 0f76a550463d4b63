import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

/** One repository per image. */
export const IMAGE_NAMES = ['api', 'web'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/**
 * ECR repositories: scanned on push, immutable tags (a tag is a git commit and always means
 * the same image), a lifecycle that bounds storage while keeping enough history to roll back.
 */
export class ImageRepositories extends Construct {
  readonly repositories: Readonly<Record<ImageName, ecr.Repository>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const make = (name: ImageName) =>
      new ecr.Repository(this, name === 'api' ? 'Api' : 'Web', {
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: RemovalPolicy.RETAIN, // images of running tasks must not vanish
        lifecycleRules: [
          {
            rulePriority: 1,
            description: 'drop untagged layers after a day',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(1),
          },
          {
            rulePriority: 2,
            description: 'keep the last 50 commits',
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: 50,
          },
        ],
      });
    this.repositories = { api: make('api'), web: make('web') };
  }
}
