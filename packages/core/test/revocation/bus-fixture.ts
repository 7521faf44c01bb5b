import type {
  RevocationBus,
  RevocationBusStatus,
  RevocationEvent,
  RevocationEventHandler,
  VerifiedToken,
} from '@tessera/core'

export const T0 = 1_800_000_000

/** A frozen clock the test moves by hand. */
export function frozenClock(start = T0) {
  let now = start
  return {
    clock: () => now,
    set(value: number) {
      now = value
    },
    advance(seconds: number) {
      now += seconds
    },
  }
}

export function token(overrides: Partial<VerifiedToken> = {}): VerifiedToken {
  return {
    type: 'access',
    jti: 'jti-1',
    userId: 'u1',
    sessionId: undefined,
    exp: T0 + 300,
    iat: T0,
    kid: 'k1',
    claims: {},
    ...overrides,
  }
}

/** A bus the test takes down and up by hand; events published while down are lost. */
export class ManualBus implements RevocationBus {
  readonly published: RevocationEvent[] = []
  readonly #handlers: RevocationEventHandler[] = []
  readonly #listeners: Record<RevocationBusStatus, (() => void)[]> = { down: [], up: [] }
  connected = true
  failPublish = false

  async publish(event: RevocationEvent): Promise<void> {
    if (this.failPublish) throw new Error('publish failed')
    this.published.push(event)
    if (this.connected) for (const handler of this.#handlers) handler(event)
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#handlers.push(handler)
  }

  on(status: RevocationBusStatus, listener: () => void): void {
    this.#listeners[status].push(listener)
  }

  goDown(): void {
    this.connected = false
    for (const listener of this.#listeners.down) listener()
  }

  goUp(): void {
    this.connected = true
    for (const listener of this.#listeners.up) listener()
  }

  async close(): Promise<void> {}
}
