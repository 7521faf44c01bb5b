import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { PasskeyChallenge } from '@tessera/core'
import { createSqliteStores } from '@tessera/core/sqlite'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { NOW, newUser } from './conformance/fixtures.js'
import { createTempSqliteFile, type TempSqliteFile } from './sqlite-fixture.js'
import { race } from './sqlite-race.js'

const BUILT_ENTRY = new URL('../../dist/stores/sqlite/index.js', import.meta.url)
const CONTENDERS = 20
const WORKER_TEST_TIMEOUT = 180_000

// The conformance suite runs every adapter's atomicity in one process; SQLite serves several
// processes through one file, so the passkey writes race here on separate connections (threads).
describe('sqlite: passkey challenges and counters under real parallelism (one WAL file)', () => {
  let file: TempSqliteFile | undefined

  beforeAll(() => {
    if (!existsSync(fileURLToPath(BUILT_ENTRY))) {
      throw new Error('packages/core/dist is missing: the workers import the built package')
    }
  })

  afterEach(async () => {
    await file?.remove()
    file = undefined
  })

  it(
    `gives one challenge to exactly one of ${CONTENDERS} connections`,
    async () => {
      file = await createTempSqliteFile()
      const stores = await createSqliteStores({ database: await file.open() })
      const user = await stores.users.createUser(newUser('racer'))
      const challenge = {
        challenge: 'c'.repeat(43),
        purpose: 'login' as const,
        userId: user.id,
        expiresAt: NOW + 300,
      }
      await stores.passkeys.saveChallenge(challenge)
      const results = await race<PasskeyChallenge | undefined>(
        Array.from({ length: CONTENDERS }, () => ({
          task: 'passkeys',
          path: file?.path,
          method: 'consumeChallenge',
          args: [challenge.challenge, NOW],
        })),
      )
      expect(results.filter((result) => result !== undefined)).toEqual([challenge])
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    `moves a counter past one value for exactly one of ${CONTENDERS} connections`,
    async () => {
      file = await createTempSqliteFile()
      const stores = await createSqliteStores({ database: await file.open() })
      const user = await stores.users.createUser(newUser('counter'))
      await stores.passkeys.createPasskey({
        id: 'credential-1',
        userId: user.id,
        publicKey: 'pQECAyYgASFYIA',
        counter: 4,
        transports: ['internal'],
        name: 'Laptop',
        createdAt: NOW,
        deviceType: 'singleDevice',
        backedUp: false,
      })
      const results = await race<boolean>(
        Array.from({ length: CONTENDERS }, () => ({
          task: 'passkeys',
          path: file?.path,
          method: 'usePasskey',
          args: ['credential-1', 5, false, NOW],
        })),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await stores.passkeys.findPasskey('credential-1'))?.counter).toBe(5)
    },
    WORKER_TEST_TIMEOUT,
  )
})
