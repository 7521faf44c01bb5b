import { databaseLocation } from '../../settings/load-server-config.js'
import { loadServerSettings } from '../../settings/load-server-settings.js'
import { describeDatabase, openStores } from '../../stores/open-stores.js'
import type { Command } from '../command.js'

/** `tessera migrate`: applies pending migrations. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations',
  usage: 'tessera migrate',
  help: `Creates or updates the tables in the database of the settings (SQLite in DATA_DIR by
default; TESSERA_DATABASE_URL=postgres://... for PostgreSQL). Safe to run at every deploy,
from several processes at once. 'tessera serve' migrates on start too.

Options:
  -h, --help   show this help
`,
  options: {},
  positionals: { min: 0, max: 0, names: '' },
  async run({ io }) {
    const settings = loadServerSettings({ env: io.env, cwd: io.cwd })
    const location = databaseLocation(settings, io.cwd)
    const stores = await openStores(location, { migrate: false })
    try {
      io.stdout.write(`Database: ${describeDatabase(location)}\n`)
      const { applied } = await stores.migrate()
      if (applied.length === 0) io.stdout.write('No migrations to apply.\n')
      for (const name of applied) io.stdout.write(`  Applying ${name}... OK\n`)
      return 0
    } finally {
      await stores.close()
    }
  },
}
