import {
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  sql,
  type Updateable,
} from 'kysely'
import type { JsonValue } from '../../tokens/token-types.js'
import { isStorableText } from '../../users/char-field.js'
import { emailKey } from '../../users/email.js'
import { usernameKey } from '../../users/username.js'
import { checkDecimalId, checkLimit, isDecimalId } from '../store-input.js'
import {
  type CreateUserOptions,
  checkUserQuery,
  checkUserText,
  EmailTakenError,
  type NewUser,
  type UserExpectation,
  type UserOrderField,
  type UserPatch,
  type UserQuery,
  type UserRecord,
  type UserStore,
} from '../user-store.js'
import { type SqlContext, toSqlBool } from './sql-context.js'
import type { Database, UsersTable } from './sql-database.js'
import { guard } from './sql-errors.js'
import { type FixedQuery, fixedQuery } from './sql-fixed-query.js'
import { sqlCodePointOrder, sqlContains, sqlContainsIgnoringAsciiCase } from './sql-text-match.js'

export function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: String(row.id),
    username: row.username,
    usernameKey: row.username_key,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    password: row.password,
    isActive: Boolean(row.is_active),
    isStaff: Boolean(row.is_staff),
    isSuperuser: Boolean(row.is_superuser),
    lastLogin: row.last_login,
    dateJoined: row.date_joined,
    profile: JSON.parse(row.profile) as Record<string, JsonValue>,
  }
}

/** The columns of the fields present in `patch` (undefined members are left alone). */
export function toColumns(context: SqlContext, patch: UserPatch): Updateable<UsersTable> {
  const bool = (value: boolean) => toSqlBool(context, value)
  const columns: Updateable<UsersTable> = {}
  if (patch.username !== undefined) columns.username = patch.username
  if (patch.usernameKey !== undefined) columns.username_key = patch.usernameKey
  if (patch.email !== undefined) {
    columns.email = patch.email
    columns.email_key = patch.email === '' ? '' : emailKey(patch.email)
  }
  if (patch.firstName !== undefined) columns.first_name = patch.firstName
  if (patch.lastName !== undefined) columns.last_name = patch.lastName
  if (patch.password !== undefined) columns.password = patch.password
  if (patch.isActive !== undefined) columns.is_active = bool(patch.isActive)
  if (patch.isStaff !== undefined) columns.is_staff = bool(patch.isStaff)
  if (patch.isSuperuser !== undefined) columns.is_superuser = bool(patch.isSuperuser)
  if (patch.lastLogin !== undefined) columns.last_login = patch.lastLogin
  if (patch.dateJoined !== undefined) columns.date_joined = patch.dateJoined
  if (patch.profile !== undefined) columns.profile = JSON.stringify(patch.profile)
  return columns
}

// Every authentication and refresh reads a user by id: written out (see fixedQuery).
const USER_BY_ID = fixedQuery<Selectable<UsersTable>>('select * from {users} where "id" = ?')
// Every login reads a user by username (and updates its last_login): written out too.
const USER_BY_USERNAME_KEY = fixedQuery<Selectable<UsersTable>>(
  'select * from {users} where "username_key" = ?',
)

/** The UPDATE of one set of columns, written out once per set (names from toColumns only). */
const updatesByColumns = new Map<string, FixedQuery<Selectable<UsersTable>>>()
function updateOf(columns: readonly string[]): FixedQuery<Selectable<UsersTable>> {
  const key = columns.join(',')
  let update = updatesByColumns.get(key)
  if (update === undefined) {
    const assignments = columns.map((column) => `"${column}" = ?`).join(', ')
    update = fixedQuery(`update {users} set ${assignments} where "id" = ? returning *`)
    updatesByColumns.set(key, update)
  }
  return update
}

/** Users in SQL; the unique index on `username_key` decides registrations. */
export function createSqlUserStore(context: SqlContext): UserStore {
  const { db } = context

  async function findUserById(id: string): Promise<UserRecord | undefined> {
    if (!isDecimalId(id)) return undefined
    return guard(async () => {
      const [row] = await USER_BY_ID(db, context, [id])
      return row && toUser(row)
    })
  }

  return {
    findUserById,

    async createUser(user: NewUser, options: CreateUserOptions = {}) {
      checkUserText(user)
      const insert = async (on: Kysely<Database>) =>
        toUser(
          await on
            .insertInto('users')
            .values(toColumns(context, user) as NewRow)
            .returningAll()
            .executeTakeFirstOrThrow(),
        )
      if (options.uniqueEmail !== true || user.email === '') return guard(() => insert(db))
      const key = emailKey(user.email)
      return guard(() =>
        context.writeTransaction(async (trx) => {
          // PostgreSQL: concurrent creators of one address queue on this lock until commit, so
          // the second one sees the first one's row (SQLite's BEGIN IMMEDIATE already does).
          if (context.dialect === 'postgres') {
            await sql`select pg_advisory_xact_lock(hashtextextended(${`tessera.email:${key}`}, 0))`.execute(
              trx,
            )
          }
          const taken = await trx
            .selectFrom('users')
            .select('id')
            .where('email_key', '=', key)
            .limit(1)
            .executeTakeFirst()
          if (taken !== undefined) throw new EmailTakenError()
          return insert(trx)
        }),
      )
    },

    async findUserByUsernameKey(usernameKey: string) {
      // No user has such a key (see checkUserText), and PostgreSQL cannot even be asked.
      if (!isStorableText(usernameKey)) return undefined
      return guard(async () => {
        const [row] = await USER_BY_USERNAME_KEY(db, context, [usernameKey])
        return row && toUser(row)
      })
    },

    async findUsersByEmail(email: string) {
      if (email === '' || !isStorableText(email)) return []
      return guard(async () => {
        const rows = await db
          .selectFrom('users')
          .selectAll()
          .where('email_key', '=', emailKey(email))
          .orderBy('id')
          .execute()
        return rows.map(toUser)
      })
    },

    async updateUser(id: string, patch: UserPatch) {
      checkUserText(patch)
      const columns = toColumns(context, patch)
      if (Object.keys(columns).length === 0) return findUserById(id)
      if (!isDecimalId(id)) return undefined
      const update = updateOf(Object.keys(columns))
      return guard(async () => {
        const [row] = await update(db, context, [...Object.values(columns), id])
        return row && toUser(row)
      })
    },

    async updateUserIf(id: string, expected: UserExpectation, patch: UserPatch) {
      checkUserText(patch)
      if (!isDecimalId(id)) return undefined
      const columns = toColumns(context, patch)
      if (Object.keys(columns).length === 0) return findUserById(id)
      const wanted = toColumns(context, expected)
      // The expected email is compared as stored, not by its key.
      delete wanted.email_key
      return guard(async () => {
        let update = db.updateTable('users').set(columns).where('id', '=', id)
        for (const [column, value] of Object.entries(wanted)) {
          const ref = column as keyof UsersTable & string
          update =
            value === null ? update.where(ref, 'is', null) : update.where(ref, '=', value as never)
        }
        const row = await update.returningAll().executeTakeFirst()
        return row && toUser(row)
      })
    },

    async listUsers({ limit, afterId }: { limit: number; afterId?: string }) {
      checkLimit(limit)
      if (afterId !== undefined) checkDecimalId(afterId, 'afterId')
      return guard(async () => {
        let query = db.selectFrom('users').selectAll().orderBy('id').limit(limit)
        if (afterId !== undefined) query = query.where('id', '>', afterId)
        return (await query.execute()).map(toUser)
      })
    },

    async searchUsers(query: UserQuery) {
      const { field, descending } = checkUserQuery(query)
      const { search, groupId } = query
      if (search !== undefined && !isStorableText(search)) return { count: 0, items: [] }
      if (groupId !== undefined && !isDecimalId(groupId)) return { count: 0, items: [] }
      const filtered = <O>(
        base: SelectQueryBuilder<Database, 'users', O>,
      ): SelectQueryBuilder<Database, 'users', O> => {
        let next = base
        if (query.isActive !== undefined)
          next = next.where('is_active', '=', toSqlBool(context, query.isActive))
        if (query.isStaff !== undefined)
          next = next.where('is_staff', '=', toSqlBool(context, query.isStaff))
        if (query.isSuperuser !== undefined)
          next = next.where('is_superuser', '=', toSqlBool(context, query.isSuperuser))
        if (groupId !== undefined) {
          next = next.where('id', 'in', (eb: ExpressionBuilder<Database, 'users'>) =>
            eb.selectFrom('user_groups').select('user_id').where('group_id', '=', groupId),
          )
        }
        if (search !== undefined && search !== '') {
          next = next.where(
            () =>
              sql<boolean>`(${sqlContains('username_key', usernameKey(search))} or ${sqlContains(
                'email_key',
                emailKey(search),
              )} or ${sqlContainsIgnoringAsciiCase(context, 'first_name', search)} or ${sqlContainsIgnoringAsciiCase(
                context,
                'last_name',
                search,
              )})`,
          )
        }
        return next
      }
      const direction = descending ? 'desc' : 'asc'
      return guard(async () => {
        const counted = await filtered(
          db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('count')),
        ).executeTakeFirstOrThrow()
        let rows = filtered(db.selectFrom('users').selectAll())
        for (const term of orderTerms(context, field)) rows = rows.orderBy(term, direction)
        const page = await rows
          .orderBy('id', direction)
          .limit(query.limit)
          .offset(query.offset)
          .execute()
        return { count: Number(counted.count), items: page.map(toUser) }
      })
    },

    async deleteUser(id: string) {
      if (!isDecimalId(id)) return false
      return guard(async () => {
        const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()
        return result.numDeletedRows > 0n
      })
    },
  }
}

/** A complete users row: `toColumns` of a whole `NewUser` sets every column. */
type NewRow = Omit<Selectable<UsersTable>, 'id'>

/** The ORDER BY terms of a field before the id tie-break (never-logged-in users first). */
function orderTerms(context: SqlContext, field: UserOrderField) {
  switch (field) {
    case 'id':
      return []
    case 'username':
      return [sqlCodePointOrder(context, 'username_key')]
    case 'email':
      return [sqlCodePointOrder(context, 'email_key')]
    case 'date_joined':
      return [sql`${sql.ref('date_joined')}`]
    case 'last_login':
      // NULLS FIRST is spelled differently and defaulted differently per backend: a flag first.
      return [
        sql`(case when ${sql.ref('last_login')} is null then 0 else 1 end)`,
        sql`${sql.ref('last_login')}`,
      ]
  }
}
