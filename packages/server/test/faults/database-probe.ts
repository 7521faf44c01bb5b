// Reads a Tessera database behind the server's back, to check what a fault left in it: the
// fault tests assert on rows, not only on answers. SQLite through better-sqlite3 (what the
// adapter uses), PostgreSQL through pg; `?` placeholders for both.

/** Where the database is: the SQLite file, or a PostgreSQL URL. */
export type DatabaseAt = { readonly sqlite: string } | { readonly postgres: string }

/** A read connection to a Tessera database. */
export interface DatabaseProbe {
  all(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

/** Opens a connection to the database at `at`. */
export async function probeDatabase(at: DatabaseAt): Promise<DatabaseProbe> {
  if ('sqlite' in at) {
    const { default: Sqlite } = await import('better-sqlite3')
    const db = new Sqlite(at.sqlite, { fileMustExist: true })
    db.pragma('busy_timeout = 5000')
    return {
      all: async (sql, params = []) => db.prepare(sql).all(...params) as Record<string, unknown>[],
      close: async () => {
        db.close()
      },
    }
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: at.postgres })
  await client.connect()
  return {
    async all(sql, params = []) {
      let index = 0
      const text = sql.replace(/\?/g, () => `$${++index}`)
      return (await client.query(text, [...params])).rows
    },
    close: () => client.end(),
  }
}

/** The refresh tokens of session `sessionId` and the session's revocation reason. */
export async function familyOf(probe: DatabaseProbe, sessionId: string) {
  const tokens = await probe.all(
    'select jti, consumed_at, replaced_by from refresh_tokens where family_id = ? order by issued_at',
    [sessionId],
  )
  const [session] = await probe.all('select revoked_at, revoke_reason from sessions where id = ?', [
    sessionId,
  ])
  return { tokens, session }
}
