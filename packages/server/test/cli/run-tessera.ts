import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built CLI the tests spawn, as `npx tessera` would run it. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

/** Fails the suite with a clear message when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI_PATH)) {
    throw new Error(
      `${CLI_PATH} is missing: the CLI tests spawn the built CLI. Build first with: npx tsc -b`,
    )
  }
}

/** The parent's environment without TESSERA_* variables, plus `env`. */
export function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')),
  )
  return { ...clean, ...env }
}

/** What a finished CLI run left. */
export interface CliRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Options of {@link runTessera}. */
export interface RunOptions {
  readonly env?: Record<string, string>
  /** Text piped to stdin (then closed); stdin is closed at once when omitted. */
  readonly input?: string
  readonly cwd?: string
  /**
   * {@link runTessera}: SIGKILL the process if it has not exited after this many milliseconds
   * and reject, so that a hang fails its test instead of outliving it. {@link serveTessera}: how
   * long to wait for the URL (default 30 s).
   */
  readonly timeoutMs?: number
}

/** Runs `node dist/cli.js ...args` to completion. */
export function runTessera(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const child = spawnTessera(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  child.stdin?.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL')
            reject(
              new Error(
                `tessera ${args.join(' ')} still running after ${options.timeoutMs} ms (killed):\n` +
                  `${stdout}${stderr}`,
              ),
            )
          }, options.timeoutMs)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** Starts `node dist/cli.js ...args` and returns the child (for `serve`). */
export function spawnTessera(args: readonly string[], options: RunOptions = {}): ChildProcess {
  requireBuiltCli()
  return spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cliEnv(options.env ?? {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** A `tessera serve` child process that printed the URL it listens on. */
export interface ServedTessera {
  readonly url: string
  readonly child: ChildProcess
  /** Everything it wrote so far, stdout and stderr. */
  output(): string
  /** Sends SIGTERM and resolves to the exit code. */
  stop(): Promise<number | null>
}

const servedChildren: ChildProcess[] = []

/** Kills whatever {@link serveTessera} started and is still running (call in `afterEach`). */
export function killServedTessera(): void {
  for (const child of servedChildren.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
}

/**
 * Starts `tessera serve --port 0 ...args` and resolves once a process printed the URL it
 * listens on; rejects with the output if it exits or stays silent for `timeoutMs`.
 */
export async function serveTessera(
  args: readonly string[],
  options: Omit<RunOptions, 'input'> = {},
): Promise<ServedTessera> {
  const child = spawnTessera(['serve', '--port', '0', ...args], options)
  servedChildren.push(child)
  child.stdin?.end()
  let output = ''
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve did not start:\n${output}`)),
      options.timeoutMs ?? 30_000,
    )
    child.stdout?.on('data', (chunk) => {
      output += chunk
      const match = /Tessera \S+ listening on (https?:\/\/\S+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}:\n${output}`))
    })
  })
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const [code] = await exited
      return code as number | null
    },
  }
}
