import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import type { SynthResult, Variant } from './synth-variants.ts';

export { VARIANTS, TEST_IMAGE_TAG, type Variant } from './synth-variants.ts';

export function synthResult(variant: Variant): SynthResult {
  const result = inject('synth')[variant];
  if (result.error !== undefined) throw new Error(`synth of ${variant} failed:\n${result.error}`);
  return result;
}

interface Templates {
  stateful: Template;
  services: Template;
  migration: Template;
}
const cache = new Map<Variant, Templates>();

/** The templates of a variant, parsed once per test file. */
export function templates(variant: Variant): Templates {
  let entry = cache.get(variant);
  if (!entry) {
    const result = synthResult(variant);
    entry = {
      stateful: Template.fromJSON(result.stateful ?? {}),
      services: Template.fromJSON(result.services ?? {}),
      migration: Template.fromJSON(result.migration ?? {}),
    };
    cache.set(variant, entry);
  }
  return entry;
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

/** The resources of one type, as plain objects (for assertions that need the whole list). */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}
