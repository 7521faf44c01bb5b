import { createClient, type LockManagerLike, type TokenStorage, webStorage } from '@tessera/client'
import { describe, expect, it } from 'vitest'
import { deferred, FakeApi, fakeJwt, reply } from './fake-api.js'

// Two clients in one process stand for two tabs: one storage (localStorage's role), one
// BroadcastChannel name, one lock manager (Web Locks in Node 24; a FIFO lock on Node 22, which
// has none). The real thing, tabs of one Chromium, is test/browser/.

function fifoLocks(): LockManagerLike {
  let tail: Promise<unknown> = Promise.resolve()
  return {
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const run = tail.then(callback)
      tail = run.catch(() => undefined)
      return run
    },
  }
}

const locks: LockManagerLike =
  (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks ?? fifoLocks()

function sharedStorage(): TokenStorage {
  const items = new Map<string, string>()
  return webStorage({
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  })
}

describe('two tabs on one session', () => {
  it('refresh once between them, so rotation with reuse detection ends neither', async () => {
    const api = new FakeApi()
    let current = fakeJwt('a1')
    let refresh = 'r1'
    let reused = false
    const gate = deferred()
    api.on('GET', '/api/hello/', (request) =>
      request.headers.get('authorization') === `Bearer ${current}`
        ? reply(200, {})
        : reply(401, {}),
    )
    api.on('POST', '/api/token/refresh/', async (request) => {
      await gate.promise
      const body = (await request.json()) as { refresh: string }
      if (body.refresh !== refresh) {
        reused = true
        return reply(401, { detail: 'Token is blacklisted', code: 'token_not_valid' })
      }
      current = fakeJwt(`a-after-${refresh}`)
      refresh = `${refresh}+`
      return reply(200, { access: current, refresh })
    })
    const storage = sharedStorage()
    storage.set({ access: fakeJwt('expired'), refresh: 'r1' })
    const ended: string[] = []
    const baseUrl = `https://tabs-${Math.random()}.example`
    const tab = (name: string) =>
      createClient({
        baseUrl,
        fetch: api.fetch,
        storage,
        crossTab: true,
        locks,
        onSessionEnd: () => ended.push(name),
      })
    const [one, two] = [tab('one'), tab('two')]
    const answers = Promise.all([one.fetch('/api/hello/'), two.fetch('/api/hello/')])
    await new Promise((resolve) => setImmediate(resolve))
    gate.resolve()
    expect((await answers).map((answer) => answer.status)).toEqual([200, 200])
    expect(api.count('POST', '/api/token/refresh/')).toBe(1)
    expect(reused).toBe(false)
    expect(ended).toEqual([])
    one.close()
    two.close()
  })

  it("tell each other when one logs out: the other's onSessionEnd runs", async () => {
    const api = new FakeApi().on('POST', '/api/token/blacklist/', () => reply(200, {}))
    const storage = sharedStorage()
    storage.set({ access: fakeJwt('a'), refresh: 'r' })
    const baseUrl = `https://tabs-${Math.random()}.example`
    const heard = deferred<string>()
    const one = createClient({ baseUrl, fetch: api.fetch, storage, crossTab: true, locks })
    const two = createClient({
      baseUrl,
      fetch: api.fetch,
      storage,
      crossTab: true,
      locks,
      onSessionEnd: (reason) => heard.resolve(reason),
    })
    await one.logout()
    expect(await heard.promise).toBe('signed_out')
    expect(two.signedIn).toBe(false)
    one.close()
    two.close()
  })
})
