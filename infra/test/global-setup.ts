import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../src/app.ts';
import {
  TEST_IMAGE_TAG,
  VARIANTS,
  type Acknowledgement,
  type SynthResult,
  type Variant,
} from './synth-variants.ts';

interface ValidationReport {
  readonly pluginReports: readonly { readonly violations: readonly unknown[] }[];
}

/**
 * Synthesizes each variant once per test run — with the cdk-nag AwsSolutions gate, which
 * throws on any unacknowledged error — and provides the templates to every test file.
 * CDK_VALIDATION=false turns off only aws-cdk-lib's built-in CloudFormation schema check
 * (seconds per synth); plugins such as cdk-nag still run.
 */
export default function setup(project: TestProject) {
  process.env.CDK_VALIDATION = 'false';
  const results = {} as Record<Variant, SynthResult>;
  for (const [variant, profile] of Object.entries(VARIANTS) as [
    Variant,
    (typeof VARIANTS)[Variant],
  ][]) {
    const outdir = mkdtempSync(join(tmpdir(), `cloud-todo-infra-${variant}-`));
    const started = performance.now();
    try {
      const { app, stateful, stateless, migration, backupCopy } = buildApp({
        profile,
        imageTag: TEST_IMAGE_TAG,
        outdir,
      });
      const assembly = app.synth();
      const report = JSON.parse(
        readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
      ) as ValidationReport;
      const acknowledgements: Acknowledgement[] = [];
      for (const construct of app.node.findAll()) {
        for (const entry of construct.node.metadata) {
          if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
            acknowledgements.push({ path: construct.node.path, id, reason });
          }
        }
      }
      results[variant] = {
        stateful: assembly.getStackByName(stateful.stackName).template as Record<string, unknown>,
        services: assembly.getStackByName(stateless.stackName).template as Record<string, unknown>,
        migration: assembly.getStackByName(migration.stackName).template as Record<string, unknown>,
        backupCopy: backupCopy
          ? (assembly.getStackByName(backupCopy.stackName).template as Record<string, unknown>)
          : undefined,
        statefulTerminationProtection:
          stateful.terminationProtection && (backupCopy?.terminationProtection ?? true),
        violations: report.pluginReports.flatMap((r) => r.violations),
        missingContext: assembly.manifest.missing ?? [],
        acknowledgements,
        seconds: (performance.now() - started) / 1000,
      };
    } catch (error) {
      results[variant] = { error: error instanceof Error ? error.message : String(error) };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }
  project.provide('synth', results);
}
