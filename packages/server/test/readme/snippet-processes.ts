import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'

/**
 * The environment of a fresh terminal: the parent's, without Tessera's settings, npm's script
 * variables (`npm test` sets them) or Vitest's, plus `env`.
 */
export function terminalEnv(env: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(TESSERA_|npm_|VITEST)/.test(name) && name !== 'NODE_ENV',
    ),
  )
  return { ...clean, ...env }
}

/** Where and how a README command runs. */
export interface CommandOptions {
  readonly cwd: string
  /** Added to {@link terminalEnv}. */
  readonly env?: Readonly<Record<string, string>>
  /** Default 90 s: a bound on a hang on a loaded machine, not a timing goal. */
  readonly timeoutMs?: number
}

/** A finished command. */
export interface CommandRun {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

const running = new Set<ChildProcess>()

// Each command leads a process group of its own, so `npm start` (npm, sh, node) stops as a whole.
function start(command: string, args: readonly string[], options: CommandOptions): ChildProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: terminalEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  running.add(child)
  child.on('exit', () => running.delete(child))
  return child
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is gone already.
  }
}

/** Runs `bash -e -c script` to its end; rejects with the output when it outlives its timeout. */
export function runBash(script: string, options: CommandOptions): Promise<CommandRun> {
  const child = start('bash', ['-e', '-o', 'pipefail', '-c', script], options)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL')
      reject(
        new Error(`still running after ${options.timeoutMs ?? 90_000} ms:\n${stdout}${stderr}`),
      )
    }, options.timeoutMs ?? 90_000)
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** Runs `script` and fails with its output unless it exits 0; resolves to its stdout. */
export async function runBashOk(script: string, options: CommandOptions): Promise<string> {
  const run = await runBash(script, options)
  if (run.status !== 0) {
    throw new Error(`exit ${run.status} from:\n${script}\n--- output:\n${run.stdout}${run.stderr}`)
  }
  return run.stdout
}

/** A long-running command (a server) that said where it listens. */
export interface Listening {
  /** The first `http://...` URL it printed after "listening on" or "listening at". */
  readonly url: string
  /** Everything it wrote so far, stdout and stderr. */
  output(): string
  /** SIGTERM to its process group; resolves once the command exited. */
  stop(): Promise<void>
}

const LISTENING = /listening (?:on|at) (http:\/\/[^\s"]+)/i

/**
 * Starts `bash -c script` and resolves once it printed that it listens (the event, not a
 * delay); rejects with its output if it exits first or stays silent for the timeout.
 */
export async function startListening(script: string, options: CommandOptions): Promise<Listening> {
  const child = start('bash', ['-c', script], options)
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL')
      reject(new Error(`never said it listens:\n${script}\n--- output:\n${output}`))
    }, options.timeoutMs ?? 90_000)
    const read = (chunk: Buffer) => {
      output += chunk
      const match = LISTENING.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before listening:\n${script}\n--- output:\n${output}`))
    })
  })
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      signalGroup(child, 'SIGTERM')
      await exited
      // Whatever the leader left behind in its group (npm's child, say).
      signalGroup(child, 'SIGKILL')
    },
  }
}

/** Kills every command still running (for `afterAll`, after a failed test). */
export function killCommands(): void {
  for (const child of running) signalGroup(child, 'SIGKILL')
  running.clear()
}

/** Runs a block of curl commands; resolves to their answers, one per `curl` line. */
export async function curlAnswers(script: string, cwd: string): Promise<string[]> {
  const separated = script
    .split('\n')
    .map((line) => (line.startsWith('curl ') ? `echo; ${line}` : line))
    .join('\n')
  const output = await runBashOk(separated, { cwd })
  return output.split('\n').filter((line) => line.trim() !== '')
}

/** The value `script` (an `export` line, say) leaves in the variable `name`. */
export async function exported(script: string, name: string, cwd: string): Promise<string> {
  const stdout = await runBashOk(`${script}\nprintf '\\n%s' "$${name}"`, { cwd })
  return stdout.split('\n').at(-1) ?? ''
}
