/** Rows of a query, as plain objects keyed by column. */
export type Row = Readonly<Record<string, unknown>>

/** A Django database opened read-only: SQLite through better-sqlite3, PostgreSQL through pg. */
export interface DjangoSource {
  /** What to print: the path, or the URL without its password. */
  readonly description: string
  /** Runs a SELECT with `?` placeholders. */
  query(text: string, params?: readonly unknown[]): Promise<Row[]>
  /** Whether a table exists (simplejwt's blacklist app is optional). */
  hasTable(name: string): Promise<boolean>
  close(): Promise<void>
}

/** Opens `from`: a `postgres://` / `postgresql://` URL, or a SQLite file (`sqlite:` prefix optional). */
export async function openDjangoSource(from: string): Promise<DjangoSource> {
  if (/^postgres(?:ql)?:\/\//.test(from)) return openPostgres(from)
  return openSqlite(from.replace(/^sqlite:/, ''))
}

async function openSqlite(path: string): Promise<DjangoSource> {
  const { default: Database } = await import('better-sqlite3')
  // Read-only and must exist: an import never creates or changes the Django database.
  const db = new Database(path, { readonly: true, fileMustExist: true })
  return {
    description: path,
    query: async (text, params = []) => db.prepare(text).all(...params) as Row[],
    hasTable: async (name) =>
      db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !==
      undefined,
    close: async () => {
      db.close()
    },
  }
}

async function openPostgres(url: string): Promise<DjangoSource> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  // Read-only for the whole import: one consistent snapshot of the Django database.
  await client.query('begin isolation level repeatable read read only')
  const toPg = (text: string) => {
    let n = 0
    return text.replace(/\?/g, () => `$${++n}`)
  }
  const parsed = new URL(url)
  parsed.password = ''
  return {
    description: parsed.toString(),
    query: async (text, params = []) => (await client.query(toPg(text), [...params])).rows,
    hasTable: async (name) =>
      (await client.query('select to_regclass($1) as found', [name])).rows[0]?.found !== null,
    close: async () => {
      await client.query('rollback').catch(() => undefined)
      await client.end()
    },
  }
}
