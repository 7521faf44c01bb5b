import { StoreUnavailableError } from '@tessera/core'
import { createPostgresStores, type PostgresPool } from '@tessera/core/postgres'
import { describe, expect, it } from 'vitest'
import { loadPg } from './postgres-fixture.js'

const pg = await loadPg()

// These need no PostgreSQL server: they cover the adapter's own checks and its failure path.
describe('postgres adapter without a server', () => {
  it('refuses a schema that is not a plain identifier with a TypeError naming it', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1 })
    for (const schema of ['a"b', 'x; drop', '', '1abc']) {
      await expect(createPostgresStores({ pool, schema, migrate: false })).rejects.toThrow(
        /schema must be a plain identifier/,
      )
    }
    await pool.end()
  })

  it('fails closed with StoreUnavailableError when the server is unreachable', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 })
    pool.on('error', () => {})
    const stores = await createPostgresStores({ pool, migrate: false })
    const failure = await stores.users.findUserByUsernameKey('secret-value').catch((e) => e)
    expect(failure).toBeInstanceOf(StoreUnavailableError)
    expect(failure).toMatchObject({ code: 'service_unavailable', driverCode: 'ECONNREFUSED' })
    expect(failure.message).not.toMatch(/secret-value|select|users/i)
    // The migration's failure names the driver's code, never its message.
    const migration = await createPostgresStores({ pool }).catch((e) => e)
    expect(migration).toBeInstanceOf(StoreUnavailableError)
    expect(migration).toMatchObject({
      message: 'migration failed (ECONNREFUSED)',
      driverCode: 'ECONNREFUSED',
    })
    await expect(stores.ping()).rejects.toThrow(StoreUnavailableError)
    await pool.end()
  })

  it('never ends the injected pool', async () => {
    let ended = false
    const pool: PostgresPool = {
      connect: () => Promise.reject(new Error('unused')),
      end: async () => {
        ended = true
      },
    }
    const stores = await createPostgresStores({ pool, migrate: false })
    await stores.close()
    expect(ended).toBe(false)
  })
})
