import { describe } from 'vitest'
import { describeUpgrades } from './upgrade-checks.js'
import { loadUpgradeFixtures, restoreSqlite } from './upgrade-fixtures.js'

// Upgrades lose nothing (issue 31, item 6): SQLite files written by earlier versions, migrated
// by the current code. A copy per fixture, so the committed files stay as the old version left
// them.
describe('upgrading SQLite databases of earlier versions', () => {
  describeUpgrades('sqlite', loadUpgradeFixtures(), async (fixture) => restoreSqlite(fixture))
})
