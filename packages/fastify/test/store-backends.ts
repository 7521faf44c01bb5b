import type { Stores } from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { createSqliteStores } from '@tessera/core/sqlite'
import { describe } from 'vitest'
import { serviceNotConfigured } from '../../core/test/service-gate.js'
import { openPostgresTestStores, POSTGRES_URL } from '../../core/test/stores/postgres-fixture.js'
import { createTempSqliteFile } from '../../core/test/stores/sqlite-fixture.js'

/** Fresh, migrated stores and how to dispose of them. */
export interface OpenedStores {
  readonly stores: Stores
  readonly close: () => Promise<void>
}

/** One store adapter the HTTP tests run on. */
export interface StoreBackend {
  readonly name: string
  readonly open: () => Promise<OpenedStores>
}

const memory: StoreBackend = {
  name: 'memory',
  open: async () => ({ stores: createMemoryStores(), close: async () => {} }),
}

const sqlite: StoreBackend = {
  name: 'SQLite',
  async open() {
    const file = await createTempSqliteFile()
    const stores = await createSqliteStores({ database: await file.open() })
    return {
      stores,
      close: async () => {
        await stores.close()
        await file.remove()
      },
    }
  },
}

function postgres(url: string): StoreBackend {
  return {
    name: 'PostgreSQL',
    async open() {
      const { stores, cleanup } = await openPostgresTestStores(url, 4)
      return { stores, close: cleanup }
    },
  }
}

/**
 * Runs `suite` once per store adapter: memory, SQLite and, when TESSERA_TEST_POSTGRES_URL is
 * set, PostgreSQL (a named skip otherwise, a failure under CI). For input that only one
 * database refuses: the HTTP answer must not depend on the store behind it.
 */
export function describeOnEveryStore(title: string, suite: (backend: StoreBackend) => void): void {
  for (const backend of [memory, sqlite])
    describe(`${title} (${backend.name})`, () => suite(backend))
  if (POSTGRES_URL === undefined) {
    describe(`${title} (PostgreSQL)`, () => {
      serviceNotConfigured(`${title} on PostgreSQL`, ['TESSERA_TEST_POSTGRES_URL'])
    })
  } else {
    const backend = postgres(POSTGRES_URL)
    describe(`${title} (PostgreSQL)`, () => suite(backend))
  }
}
