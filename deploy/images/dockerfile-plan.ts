import { DockerfileParser, From, type Instruction } from 'dockerfile-ast';

/**
 * A Dockerfile read into what a build does: its stages with their steps, and the final
 * stage's image configuration, for the lint's rules (dockerfile-policy.ts) to check.
 *
 * Only the instructions our Dockerfiles use are understood; any other one fails loudly, so a
 * change to a Dockerfile that the lint cannot check is noticed (and this file extended).
 */
export type Step =
  | { readonly kind: 'WORKDIR'; readonly path: string; readonly line: number }
  | {
      readonly kind: 'ENV';
      readonly values: Readonly<Record<string, string>>;
      readonly line: number;
    }
  | {
      readonly kind: 'COPY';
      /** The stage copied from, or undefined for the build context. */
      readonly from: string | undefined;
      readonly sources: readonly string[];
      readonly destination: string;
      readonly line: number;
    }
  | { readonly kind: 'RUN'; readonly command: string; readonly line: number };

export interface Stage {
  readonly index: number;
  readonly name: string;
  /** The base image, build arguments substituted. */
  readonly base: string;
  readonly steps: readonly Step[];
}

export interface HealthCheck {
  /** The command in exec form (`CMD-SHELL` forms become `['/bin/sh', '-c', …]`). */
  readonly command: readonly string[];
  readonly flags: Readonly<Record<string, string>>;
}

/** The runtime configuration the final stage sets (what `docker inspect` would show of it). */
export interface ImageConfig {
  readonly user: string | undefined;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly healthcheck: HealthCheck | undefined;
  readonly stopSignal: string | undefined;
  readonly exposedPorts: readonly number[];
  /** Paths declared with VOLUME: writable even when the root file system is read-only. */
  readonly volumes: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface DockerfilePlan {
  readonly stages: readonly Stage[];
  readonly config: ImageConfig;
}

export function planDockerfile(
  text: string,
  buildArgs: Readonly<Record<string, string>> = {},
): DockerfilePlan {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs: Record<string, string> = {};
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property)
      globalArgs[property.getName()] = buildArgs[property.getName()] ?? property.getValue() ?? '';
  }
  // Split the instructions at each FROM: instructions before the first are global ARGs.
  const groups: { from: From; instructions: Instruction[] }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) groups.push({ from: instruction, instructions: [] });
    else groups.at(-1)?.instructions.push(instruction);
  }
  const stages: Stage[] = [];
  let config: ImageConfig | undefined;
  for (const [index, { from, instructions }] of groups.entries()) {
    const scope: Record<string, string> = {};
    const expand = (value: string) => substitute(value, scope);
    const base = substitute(from.getImage() ?? '', globalArgs);
    const steps: Step[] = [];
    const env: Record<string, string> = {};
    const labels: Record<string, string> = {};
    let user: string | undefined;
    let workdir = '/';
    let cmd: string[] = [];
    let entrypoint: string[] = [];
    let healthcheck: HealthCheck | undefined;
    let stopSignal: string | undefined;
    const exposedPorts: number[] = [];
    const volumes: string[] = [];
    for (const instruction of instructions) {
      const keyword = instruction.getKeyword();
      const line = instruction.getRange().start.line + 1;
      const args = instruction.getArguments().map((a) => a.getValue());
      switch (keyword) {
        case 'ARG':
          for (const declared of args) {
            const [name = '', value] = splitOnce(declared, '=');
            scope[name] =
              buildArgs[name] ?? globalArgs[name] ?? (value === undefined ? '' : unquote(value));
          }
          break;
        case 'LABEL':
          for (const [name, value] of properties(instruction)) labels[name] = expand(value);
          break;
        case 'ENV': {
          const values: Record<string, string> = {};
          for (const [name, value] of properties(instruction)) values[name] = expand(value);
          Object.assign(env, values);
          Object.assign(scope, values);
          steps.push({ kind: 'ENV', values, line });
          break;
        }
        case 'WORKDIR':
          workdir = resolvePosix(workdir, expand(args.join(' ')));
          steps.push({ kind: 'WORKDIR', path: workdir, line });
          break;
        case 'COPY': {
          const flags = flagsOf(instruction);
          for (const name of Object.keys(flags)) {
            if (name !== 'from')
              throw new Error(`line ${line}: COPY --${name} is not checked by the lint`);
          }
          const paths = args.filter((a) => !a.startsWith('--')).map(expand);
          const destination = paths.pop();
          if (!destination || paths.length === 0)
            throw new Error(`line ${line}: COPY needs a source and a destination`);
          steps.push({
            kind: 'COPY',
            from: flags.from,
            sources: paths,
            destination: resolvePosix(workdir, destination),
            line,
          });
          break;
        }
        case 'RUN': {
          const command = instruction.getRawArgumentsContent() ?? '';
          if (command.trimStart().startsWith('[') || command.trimStart().startsWith('--')) {
            throw new Error(
              `line ${line}: only shell-form RUN without flags is checked by the lint`,
            );
          }
          steps.push({ kind: 'RUN', command: command.replace(/\\\r?\n/g, ' '), line });
          break;
        }
        case 'USER':
          user = expand(args.join(''));
          break;
        case 'EXPOSE':
          for (const port of args) exposedPorts.push(Number.parseInt(port, 10));
          break;
        case 'VOLUME': {
          const content = (instruction.getArgumentsContent() ?? '').trim();
          volumes.push(
            ...(content.startsWith('[') ? parseExecForm(content, `line ${line}`) : args),
          );
          break;
        }
        case 'STOPSIGNAL':
          stopSignal = args[0];
          break;
        case 'CMD':
          cmd = execForm(instruction, line);
          break;
        case 'ENTRYPOINT':
          entrypoint = execForm(instruction, line);
          break;
        case 'HEALTHCHECK':
          healthcheck = parseHealthcheck(instruction, line);
          break;
        default:
          throw new Error(`line ${line}: ${keyword} is not checked by the lint`);
      }
    }
    const name = from.getBuildStage() ?? String(index);
    stages.push({ index, name, base, steps });
    config = {
      user,
      workdir,
      env,
      entrypoint,
      cmd,
      healthcheck,
      stopSignal,
      exposedPorts,
      volumes,
      labels,
    };
  }
  if (!config) throw new Error('the Dockerfile has no FROM');
  return { stages, config };
}

function properties(instruction: Instruction): [string, string][] {
  const withProperties = instruction as Instruction & {
    getProperties(): { getName(): string; getValue(): string | null }[];
  };
  return withProperties.getProperties().map((p) => [p.getName(), p.getValue() ?? '']);
}

function flagsOf(instruction: Instruction): Record<string, string> {
  const withFlags = instruction as Instruction & {
    getFlags?(): { getName(): string; getValue(): string | null }[];
  };
  return Object.fromEntries(
    (withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? '']),
  );
}

function execForm(instruction: Instruction, line: number): string[] {
  const content = (instruction.getArgumentsContent() ?? '').trim();
  return parseExecForm(content, `line ${line}`);
}

function parseExecForm(content: string, where: string): string[] {
  if (!content.startsWith('[')) throw new Error(`${where}: use the exec (JSON) form`);
  const parsed: unknown = JSON.parse(content);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(`${where}: not a JSON array of strings`);
  }
  return parsed;
}

function parseHealthcheck(instruction: Instruction, line: number): HealthCheck | undefined {
  const content = (instruction.getArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ').trim();
  const match = /^(?:--[a-z-]+=\S+\s+)*(CMD|NONE)\b\s*(.*)$/s.exec(content);
  if (!match) throw new Error(`line ${line}: HEALTHCHECK not understood`);
  if (match[1] === 'NONE') return undefined;
  const rest = (match[2] ?? '').trim();
  const command = rest.startsWith('[')
    ? parseExecForm(rest, `line ${line}`)
    : ['/bin/sh', '-c', rest];
  return { command, flags: flagsOf(instruction) };
}

/** `${NAME}` and `$NAME` from `scope`, as the Dockerfile's own substitution does. */
export function substitute(value: string, scope: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a?: string, b?: string) => {
      return scope[a ?? b ?? ''] ?? '';
    },
  );
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const at = value.indexOf(separator);
  return at < 0 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
}

function unquote(value: string): string {
  return /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
}

function resolvePosix(from: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${from.replace(/\/$/, '')}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}${path.endsWith('/') && parts.length > 0 ? '/' : ''}`;
}
