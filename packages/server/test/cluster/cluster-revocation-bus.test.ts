import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  parseRevocationEvent,
  type RevocationBus,
  type RevocationBusStatus,
  type RevocationEvent,
  type RevocationEventHandler,
  serializeRevocationEvent,
} from '@tessera/core'
import { beforeAll } from 'vitest'
import { describeBusConformance } from '../../../core/test/revocation/bus-conformance.js'
import { cliEnv, requireBuiltCli } from '../cli/run-tessera.js'

const HOST = fileURLToPath(new URL('./cluster-bus-host.mjs', import.meta.url))

/** What the host's primary reports about one worker's bus. */
type Observation =
  | { op: 'opened'; name: string; connected: boolean }
  | { op: 'delivered'; name: string; event: string }
  | { op: 'status'; name: string; status: RevocationBusStatus }
  | { op: 'reported'; name: string; error: string }
  | { op: 'done'; name: string; id: number }

/**
 * The test's handle on the ClusterRevocationBus of one worker process: every call goes over IPC
 * to the worker's real bus, and what that bus delivers or reports comes back the same way.
 */
class WorkerBusHandle implements RevocationBus {
  readonly #handlers: RevocationEventHandler[] = []
  readonly #listeners: Record<RevocationBusStatus, (() => void)[]> = { down: [], up: [] }
  readonly #pending = new Map<number, () => void>()
  #connected = true

  constructor(
    readonly name: string,
    readonly host: { send(command: object): void; nextId(): number },
  ) {}

  observe(observation: Observation): void {
    if (observation.op === 'delivered') {
      const event = parseRevocationEvent(observation.event) as RevocationEvent
      for (const handler of this.#handlers) handler(event)
    } else if (observation.op === 'status') {
      this.#connected = observation.status === 'up'
      for (const listener of this.#listeners[observation.status]) listener()
    } else if (observation.op === 'done') {
      this.#pending.get(observation.id)?.()
    } else if (observation.op === 'opened') {
      this.#connected = observation.connected
    }
  }

  get connected(): boolean {
    return this.#connected
  }

  publish(event: RevocationEvent): Promise<void> {
    return this.#call({ op: 'publish', event: serializeRevocationEvent(event) })
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#handlers.push(handler)
  }

  on(status: RevocationBusStatus, listener: () => void): void {
    this.#listeners[status].push(listener)
  }

  close(): Promise<void> {
    return this.#call({ op: 'close' })
  }

  #call(command: object): Promise<void> {
    const id = this.host.nextId()
    return new Promise((resolve) => {
      this.#pending.set(id, resolve)
      this.host.send({ ...command, id, name: this.name })
    })
  }
}

beforeAll(requireBuiltCli)

describeBusConformance(
  'node:cluster IPC (tessera serve --workers)',
  async () => {
    // Plain Node, not the test runner's flags: the host runs the built packages.
    const primary: ChildProcess = fork(HOST, [], {
      execArgv: [],
      env: cliEnv({}),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const handles = new Map<string, WorkerBusHandle>()
    const opened = new Map<string, () => void>()
    const reported: unknown[] = []
    let ids = 0
    const host = {
      send: (command: object) => {
        primary.send(command)
      },
      nextId: () => ids++,
    }
    await new Promise<void>((resolve, reject) => {
      primary.once('error', reject)
      primary.once('exit', (code) => reject(new Error(`the cluster host exited (${code})`)))
      primary.on('message', (message: Observation | { op: 'started' }) => {
        if (message.op === 'started') return resolve()
        const observation = message
        if (observation.op === 'reported') reported.push(observation.error)
        handles.get(observation.name)?.observe(observation)
        if (observation.op === 'opened') opened.get(observation.name)?.()
      })
    })
    return {
      async open(name) {
        const handle = new WorkerBusHandle(name, host)
        handles.set(name, handle)
        await new Promise<void>((resolve) => {
          opened.set(name, resolve)
          host.send({ op: 'open', name })
        })
        return handle
      },
      publishRaw: {
        send: async (payload) => {
          host.send({ op: 'raw', payload })
        },
        reported: () => reported,
      },
      async close() {
        const exited = new Promise((resolve) => primary.once('exit', resolve))
        host.send({ op: 'exit' })
        await exited
      },
    }
  },
  {
    interrupt: "a worker's IPC pipe lives as long as the worker",
    throwingHandler: 'handlers run in the workers, each of which subscribes a throwing one first',
  },
)
