import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { KeySummary, Stores } from '@tessera/core'
import { createSqliteStores } from '@tessera/core/sqlite'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { currentKey, storedKey } from './conformance/key-cases.js'
import { createTempSqliteFile, type TempSqliteFile } from './sqlite-fixture.js'
import { race } from './sqlite-race.js'

const BUILT_ENTRY = new URL('../../dist/stores/sqlite/index.js', import.meta.url)
// Fewer than the refresh races: each worker costs ~0.4 s of CPU to start, and four races run here.
const CONTENDERS = 16
const WORKER_TEST_TIMEOUT = 180_000
const T = 1_700_000_000

describe('sqlite: the key ring under real parallelism (worker threads, one WAL file)', () => {
  let file: TempSqliteFile | undefined
  let stores: Stores | undefined

  beforeAll(() => {
    if (!existsSync(fileURLToPath(BUILT_ENTRY))) {
      throw new Error(
        'packages/core/dist/stores/sqlite/index.js is missing: the workers import the built ' +
          'package, run npm run build first',
      )
    }
  })

  afterEach(async () => {
    await file?.remove()
    file = undefined
    stores = undefined
  })

  /** CONTENDERS KeyManagers, each on its own connection, calling rotateIfDue at time T at once. */
  function raceRotateIfDue(path: string): Promise<boolean[]> {
    return race<boolean>(
      Array.from({ length: CONTENDERS }, () => ({
        task: 'manager',
        path,
        method: 'rotateIfDue',
        args: [{ interval: 900, prePublish: 300 }],
        clock: T,
      })),
    )
  }

  async function openStores(): Promise<{ path: string; stores: Stores }> {
    file = await createTempSqliteFile()
    stores = await createSqliteStores({ database: await file.open() })
    return { path: file.path, stores }
  }

  it(
    `lets exactly one of ${CONTENDERS} connections insert the first current key`,
    async () => {
      const { path, stores } = await openStores()
      const candidates = Array.from({ length: CONTENDERS }, () => currentKey(T))
      const results = await race<boolean>(
        candidates.map((key) => ({
          task: 'keys',
          path,
          method: 'insertFirstCurrent',
          args: [key],
        })),
      )
      expect(results.filter((won) => won)).toHaveLength(1)
      expect(await stores.keys.list()).toEqual([candidates[results.indexOf(true)]])
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    `lets exactly one of ${CONTENDERS} connections rotate from the same current key`,
    async () => {
      const { path, stores } = await openStores()
      const old = currentKey(T - 100)
      await stores.keys.insertFirstCurrent(old)
      const nexts = Array.from({ length: CONTENDERS }, (_, index) =>
        storedKey({ createdAt: T - 50 + index }),
      )
      for (const next of nexts) await stores.keys.insert(next)
      const results = await race<boolean>(
        nexts.map((next) => ({
          task: 'keys',
          path,
          method: 'rotate',
          args: [{ expectedCurrentKid: old.kid, nextKid: next.kid, at: T, verifyUntil: T + 60 }],
        })),
      )
      expect(results.filter((won) => won)).toHaveLength(1)
      const keys = await stores.keys.list()
      const winner = nexts[results.indexOf(true)]
      expect(keys.filter((key) => key.status === 'current').map((key) => key.kid)).toEqual([
        winner?.kid,
      ])
      expect(keys.filter((key) => key.status === 'retired').map((key) => key.kid)).toEqual([
        old.kid,
      ])
      expect(keys.filter((key) => key.status === 'next')).toHaveLength(CONTENDERS - 1)
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    `starts ${CONTENDERS} KeyManagers on an empty ring at once: all settle on one current key`,
    async () => {
      const { path, stores } = await openStores()
      const results = await race<KeySummary>(
        Array.from({ length: CONTENDERS }, () => ({
          task: 'manager',
          path,
          method: 'ensureCurrent',
          args: ['EdDSA'],
          clock: T,
        })),
      )
      const keys = await stores.keys.list()
      expect(keys).toHaveLength(1)
      expect(keys[0]).toMatchObject({ status: 'current', alg: 'EdDSA', activatedAt: T })
      expect(new Set(results.map((summary) => summary.kid))).toEqual(new Set([keys[0]?.kid]))
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    `lets exactly one of ${CONTENDERS} KeyManagers rotate when rotation is due`,
    async () => {
      const { path, stores } = await openStores()
      const old = currentKey(T - 1000)
      const next = storedKey({ createdAt: T - 500 })
      await stores.keys.insertFirstCurrent(old)
      await stores.keys.insert(next)
      const results = await raceRotateIfDue(path)
      expect(results.filter((rotated) => rotated)).toHaveLength(1)
      const keys = await stores.keys.list()
      expect(keys.find((key) => key.kid === next.kid)).toMatchObject({
        status: 'current',
        activatedAt: T,
      })
      expect(keys.find((key) => key.kid === old.kid)).toMatchObject({
        status: 'retired',
        retiredAt: T,
        verifyUntil: T + 3600,
      })
      // The key of the following rotation: one, whether the winner or a loser published it.
      expect(keys.filter((key) => key.status === 'next')).toHaveLength(1)
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    `lets ${CONTENDERS} KeyManagers that find no next key at once publish exactly one`,
    async () => {
      const { path, stores } = await openStores()
      const old = currentKey(T - 100)
      await stores.keys.insertFirstCurrent(old)
      const results = await raceRotateIfDue(path)
      expect(results).toEqual(Array(CONTENDERS).fill(false))
      const keys = await stores.keys.list()
      expect(keys.filter((key) => key.status === 'next')).toMatchObject([{ createdAt: T }])
      expect(keys.filter((key) => key.status === 'current')).toEqual([old])
    },
    WORKER_TEST_TIMEOUT,
  )
})
