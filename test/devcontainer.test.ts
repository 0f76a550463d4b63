import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dev container cannot be started here (no container engine); what can drift is checked:
// it parses, and it installs and runs what the README says a machine needs.
const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface DevContainer {
  image: string;
  features: Record<string, { version?: string }>;
  postCreateCommand: string;
  forwardPorts: number[];
  remoteUser: string;
}

describe('.devcontainer/devcontainer.json', () => {
  // Strict JSON (no comments), so that every tool and this test read it the same way.
  const config = JSON.parse(read('.devcontainer/devcontainer.json')) as DevContainer;
  const readme = read('README.md');

  it('is Debian 12, like CI, so that the install script finds the same packages', () => {
    expect(config.image).toMatch(/^mcr\.microsoft\.com\/devcontainers\/base:bookworm$/);
  });

  it("has the README's Node.js major and the AWS CLI", () => {
    const readmeMajor = /\*\*Node\.js (\d+) LTS\*\*/.exec(readme)?.[1];
    const pinned = (JSON.parse(read('package.json')) as { devDependencies: Record<string, string> })
      .devDependencies.node;
    expect(readmeMajor).toBeDefined();
    expect(pinned?.split('.')[0]).toBe(readmeMajor);
    expect(config.features['ghcr.io/devcontainers/features/node:1']?.version).toBe(readmeMajor);
    expect(Object.keys(config.features)).toContain('ghcr.io/devcontainers/features/aws-cli:1');
  });

  it("runs the README's install line on creation, and the CDK CLI comes with it", () => {
    expect(readme).toContain(`${config.postCreateCommand} && npm test`);
    const infra = JSON.parse(read('infra/package.json')) as {
      devDependencies: Record<string, string>;
    };
    expect(infra.devDependencies['aws-cdk']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('installs every Debian package that the README says the tests need', () => {
    const line = /installs those from Debian when missing \(root or sudo\):\s+([^.]+)\./.exec(
      readme,
    );
    expect(line, 'the README lists the Debian packages').not.toBeNull();
    const names = [...line![1]!.matchAll(/`([a-z0-9.-]+)`/g)].map((m) => m[1]!);
    expect(names).toEqual(
      expect.arrayContaining(['postgresql', 'chromium', 'nginx-light', 'haproxy']),
    );
    const script = read('scripts/install-system-deps.sh');
    for (const name of names) expect(script, name).toMatch(new RegExp(`packages\\+=\\(${name}\\)`));
  });

  it("forwards the app's port and works as a user with sudo (the script elevates itself)", () => {
    const port = /npm start\s+#.*http:\/\/localhost:(\d+)/.exec(readme)?.[1];
    expect(config.forwardPorts).toContain(Number(port));
    expect(config.remoteUser).toBe('vscode');
    expect(read('scripts/install-system-deps.sh')).toMatch(
      /\[ "\$\(id -u\)" -eq 0 \] \|\| sudo=\(sudo\)/,
    );
  });
});
