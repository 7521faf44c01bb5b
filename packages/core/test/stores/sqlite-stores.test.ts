import { StoreUnavailableError } from '@tessera/core'
import { createSqliteStores } from '@tessera/core/sqlite'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTempSqliteFile, type TempSqliteFile } from './sqlite-fixture.js'
import { describeStoreConformance } from './store-conformance.js'

// Room for CPU starvation: sqlite-concurrency.test.ts may be starting 50 worker isolates on the
// other test thread meanwhile, and every test here creates and migrates a new file.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })

describeStoreConformance('sqlite (WAL file)', async () => {
  const file = await createTempSqliteFile()
  const stores = await createSqliteStores({ database: await file.open() })
  return {
    stores,
    cleanup: async () => {
      await stores.close()
      await file.remove()
    },
  }
})

describe('sqlite adapter', () => {
  let file: TempSqliteFile | undefined
  afterEach(async () => {
    await file?.remove()
    file = undefined
  })

  it('configures the connection: WAL, busy_timeout, foreign keys, synchronous NORMAL', async () => {
    file = await createTempSqliteFile()
    const database = await file.open()
    await createSqliteStores({ database })
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000)
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
    // NORMAL is 1.
    expect(database.pragma('synchronous', { simple: true })).toBe(1)
  })

  it('migrates once: the first call applies every migration, later ones nothing', async () => {
    file = await createTempSqliteFile()
    const stores = await createSqliteStores({ database: await file.open(), migrate: false })
    expect(await stores.migrate()).toEqual({
      applied: [
        '0001_initial',
        '0002_revocation_change_indexes',
        '0003_signing_keys',
        '0004_revoked_sessions',
        '0005_mfa',
        '0006_mail_outbox',
        '0007_admin_indexes',
        '0008_passkeys',
      ],
    })
    expect(await stores.migrate()).toEqual({ applied: [] })
    const again = await createSqliteStores({ database: await file.open() })
    expect(await again.migrate()).toEqual({ applied: [] })
  })

  it('keeps the injected connection open on close()', async () => {
    file = await createTempSqliteFile()
    const database = await file.open()
    const stores = await createSqliteStores({ database })
    await stores.close()
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
  })

  it('fails closed with StoreUnavailableError, without SQL or values, once the file is gone', async () => {
    file = await createTempSqliteFile()
    const database = await file.open()
    const stores = await createSqliteStores({ database })
    database.close()
    const failure = await stores.users.findUserByUsernameKey('secret-value').catch((e) => e)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect(failure.code).toBe('service_unavailable')
    expect(failure.message).not.toMatch(/secret-value|select|users/i)
    expect(failure.cause).toBeUndefined()
    await expect(stores.ping()).rejects.toThrow(StoreUnavailableError)
  })
})
