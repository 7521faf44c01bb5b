import { describe } from 'vitest'
import { serviceNotConfigured } from '../../../core/test/service-gate.js'
import { POSTGRES_URL } from '../cli/service-fixtures.js'
import { describeUpgrades } from './upgrade-checks.js'
import { loadUpgradeFixtures, restorePostgres } from './upgrade-fixtures.js'

// Upgrades lose nothing (issue 31, item 6): pg_dump dumps of databases written by earlier
// versions, each restored into a fresh database and migrated by the current code.
describe('upgrading PostgreSQL databases of earlier versions', () => {
  if (POSTGRES_URL === undefined) {
    serviceNotConfigured('PostgreSQL upgrades', ['TESSERA_TEST_POSTGRES_URL'])
    return
  }
  const serverUrl = POSTGRES_URL
  describeUpgrades('postgres', loadUpgradeFixtures(), (fixture) =>
    restorePostgres(fixture, serverUrl),
  )
})
