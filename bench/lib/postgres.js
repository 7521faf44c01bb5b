// A throwaway PostgreSQL database for Tessera, when TESSERA_BENCH_POSTGRES_URL (or the test
// suite's TESSERA_TEST_POSTGRES_URL) names a server: created fresh, dropped at clean-up.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { onCleanup } from './processes.js'

// pg is a dependency of @tessera/server, not of the repository root.
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url))

export const postgresAdminUrl = () =>
  process.env.TESSERA_BENCH_POSTGRES_URL ?? process.env.TESSERA_TEST_POSTGRES_URL

/** Creates `tessera_bench_<hex>` on the server of `adminUrl`; resolves to its URL. */
export async function createBenchDatabase(adminUrl) {
  const { Client } = require('pg')
  const name = `tessera_bench_${randomBytes(6).toString('hex')}`
  const admin = new Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  onCleanup(`database ${name}`, async () => {
    const client = new Client({ connectionString: adminUrl })
    await client.connect()
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    } finally {
      await client.end()
    }
  })
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}
