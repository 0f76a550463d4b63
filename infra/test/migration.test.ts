import { describe, expect, it } from 'vitest';
import { MIGRATE_COMMAND } from '../src/constructs/migration-task.ts';
import { MIGRATION_OUTPUTS } from '../src/stack-outputs.ts';
import { resourcesOf, templates, TEST_IMAGE_TAG, type Variant } from './templates.ts';

interface Container {
  Command?: string[];
  Image: unknown;
  Environment?: { Name: string; Value: string }[];
  Secrets?: { Name: string }[];
  ReadonlyRootFilesystem?: boolean;
  User?: string;
}

describe.each(['dev', 'prod'] as Variant[])('migrations as a one-off task (%s)', (variant) => {
  const { migration, services } = templates(variant);
  const containersOf = (t: typeof migration) =>
    Object.values(resourcesOf(t, 'AWS::ECS::TaskDefinition')).flatMap(
      (d) => d.Properties?.ContainerDefinitions as Container[],
    );

  it('runs dist/migrate.js from the api image of the deployed commit, with the api’s credentials', () => {
    const [task, ...others] = containersOf(migration);
    expect(others).toHaveLength(0);
    expect(task!.Command).toEqual([...MIGRATE_COMMAND]);
    expect(MIGRATE_COMMAND).toContain('dist/migrate.js');
    const image = JSON.stringify(task!.Image);
    expect(image).toContain('ImagesApi');
    expect(image).toContain(`:${TEST_IMAGE_TAG}`);
    expect((task!.Secrets ?? []).map((s) => s.Name).sort()).toEqual([
      'DB_HOST',
      'DB_NAME',
      'DB_PASSWORD',
      'DB_PORT',
      'DB_USER',
    ]);
    expect(task).toMatchObject({ ReadonlyRootFilesystem: true, User: '1000:1000' });
  });

  it('no service migrates at start', () => {
    const serviceContainers = containersOf(services);
    expect(serviceContainers.length).toBeGreaterThanOrEqual(2);
    for (const c of serviceContainers) {
      const env = Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, e.Value]));
      expect(env.MIGRATE_ON_START ?? 'false').toBe('false');
      expect(c.Command ?? []).not.toContain('dist/migrate.js');
    }
  });

  it('outputs what `aws ecs run-task` needs', () => {
    const outputs = Object.keys(migration.toJSON().Outputs as Record<string, unknown>);
    expect(outputs.sort()).toEqual(Object.values(MIGRATION_OUTPUTS).sort());
  });
});
