import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assembleImage, type AssembledImage } from '../../images/assemble-image.ts';
import { makeReadOnly } from '../../images/run-image.ts';

/** The repository root: the build context of both images. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** An image's file set assembled in a temporary folder, read-only, ready to start. */
export interface Rehearsal {
  readonly image: AssembledImage;
  readonly workDir: string;
  readonly runtimeDir: string;
  dispose(): Promise<void>;
}

/**
 * Assembles `dockerfile` (relative to the repository root) as the builder would, then makes
 * the result read-only. IMAGE_BUILD_CONTEXT points the build at another checkout.
 */
export async function rehearse(dockerfile: string): Promise<Rehearsal> {
  const context = process.env.IMAGE_BUILD_CONTEXT ?? REPO_ROOT;
  const workDir = await mkdtemp(join(tmpdir(), 'cloud-todo-image-'));
  await chmod(workDir, 0o755);
  const dispose = async () => {
    // The file set was made read-only: give the owner the write bit back to delete it.
    await import('node:child_process').then(
      ({ execFileSync }) => void execFileSync('chmod', ['-R', 'u+w', workDir]),
    );
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const image = await assembleImage({
      dockerfile: join(context, dockerfile),
      context,
      workDir: join(workDir, 'stages'),
      buildArgs: { REVISION: 'rehearsal' },
      // The machine's npm cache first: CI has the registry, but needs no second download.
      runEnv: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
    });
    await makeReadOnly(image.root, image.config.volumes);
    return { image, workDir, runtimeDir: join(workDir, 'runtime'), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
