import { createSqliteStores } from '@tessera/core/sqlite'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createMigrationProvider,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
} from '../../src/stores/sql/sql-migrations.js'
import { createTempSqliteFile, type TempSqliteFile } from './sqlite-fixture.js'

let file: TempSqliteFile | undefined
afterEach(async () => {
  await file?.remove()
  file = undefined
})

describe('migration 0006_mail_outbox on a database with users', () => {
  it('keys the addresses users already have, so resets and email logins find them', async () => {
    file = await createTempSqliteFile()
    const database = await file.open()
    // biome-ignore lint/suspicious/noExplicitAny: the schema as it was at 0004.
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) })
    const migrator = new Migrator({
      db,
      provider: createMigrationProvider('sqlite'),
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    })
    expect((await migrator.migrateTo('0004_revoked_sessions')).error).toBeUndefined()
    for (const [username, email] of [
      ['ann', 'Ann.Smith@Example.COM'],
      ['bob', ''],
      ['cem', 'ÇEM@example.com'],
    ]) {
      await db
        .insertInto('users')
        .values({
          username,
          username_key: username,
          email,
          first_name: '',
          last_name: '',
          password: null,
          is_active: 1,
          is_staff: 0,
          is_superuser: 0,
          last_login: null,
          date_joined: 1_800_000_000,
          profile: '{}',
        })
        .execute()
    }
    const stores = await createSqliteStores({ database: await file.open() })
    expect(
      (await stores.users.findUsersByEmail('ann.smith@example.com')).map((u) => u.username),
    ).toEqual(['ann'])
    // Beyond ASCII, where SQLite's lower() would not fold.
    expect((await stores.users.findUsersByEmail('çem@EXAMPLE.com')).map((u) => u.username)).toEqual(
      ['cem'],
    )
    expect(await stores.users.findUsersByEmail('')).toEqual([])
    await db.destroy()
  })
})
