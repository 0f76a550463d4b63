import { describe, expect, it } from 'vitest';
import { resourcesOf, templates, TEST_IMAGE_TAG, type Variant } from './templates.ts';

describe.each(['dev', 'prod'] as Variant[])('image repositories (%s)', (variant) => {
  const { stateful, services } = templates(variant);

  it('has one repository per image: scanned on push, immutable tags, lifecycle, retained', () => {
    const repositories = Object.values(resourcesOf(stateful, 'AWS::ECR::Repository'));
    expect(repositories).toHaveLength(2);
    for (const repo of repositories) {
      expect(repo.Properties).toMatchObject({
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
      });
      expect(repo.DeletionPolicy).toBe('Retain');
      const policy = JSON.parse(
        (repo.Properties?.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText,
      ) as {
        rules: { selection: Record<string, unknown> }[];
      };
      expect(policy.rules.map((r) => r.selection)).toEqual([
        expect.objectContaining({
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countNumber: 1,
        }),
        expect.objectContaining({
          tagStatus: 'any',
          countType: 'imageCountMoreThan',
          countNumber: 50,
        }),
      ]);
    }
  });

  it('deploys the given commit tag, never latest', () => {
    const images = Object.values(resourcesOf(services, 'AWS::ECS::TaskDefinition')).flatMap((t) =>
      (t.Properties?.ContainerDefinitions as { Image: unknown }[]).map((c) =>
        JSON.stringify(c.Image),
      ),
    );
    expect(images).toHaveLength(2);
    for (const image of images) {
      expect(image).toContain(`:${TEST_IMAGE_TAG}`);
      expect(image).not.toContain(':latest');
    }
  });
});
