import { type Kysely, sql } from 'kysely'
import { isStorableText } from '../../users/char-field.js'
import { usernameKey } from '../../users/username.js'
import type { ImportState, ImportStore } from '../import-store.js'
import { planImport } from '../plan-import.js'
import type { UserRecord } from '../user-store.js'
import type { SqlContext } from './sql-context.js'
import type { Database } from './sql-database.js'
import { guard } from './sql-errors.js'
import { toColumns, toUser } from './sql-user-store.js'

// Well under both drivers' limits on bound parameters (SQLite 32766, PostgreSQL 65535).
const CHUNK = 500

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

/** Imports in one write transaction: read what the plan needs, plan, write the plan. */
export function createSqlImportStore(context: SqlContext): ImportStore {
  return {
    importSnapshot: (snapshot, options) =>
      guard(() =>
        context.writeTransaction(async (db) => {
          const plan = planImport(snapshot, await readState(db, snapshot), options)
          if (options.dryRun) return plan.report
          await writeUsers(context, db, plan.insertUsers, plan.updateUsers)
          const permissionIds = await ensurePermissions(db, snapshot.permissions)
          const groupIds = await ensureGroups(db, snapshot.groups, permissionIds)
          for (const batch of chunks(plan.setLinks)) {
            const ids = batch.map((link) => link.userId)
            await db.deleteFrom('user_groups').where('user_id', 'in', ids).execute()
            await db.deleteFrom('user_permissions').where('user_id', 'in', ids).execute()
          }
          const groupRows = plan.setLinks.flatMap(({ userId, groups }) =>
            groups.flatMap((name) => {
              const id = groupIds.get(name)
              return id === undefined ? [] : [{ user_id: userId, group_id: id }]
            }),
          )
          const permissionRows = plan.setLinks.flatMap(({ userId, permissions }) =>
            permissions.flatMap((key) => {
              const id = permissionIds.get(key)
              return id === undefined ? [] : [{ user_id: userId, permission_id: id }]
            }),
          )
          for (const rows of chunks(groupRows))
            await db.insertInto('user_groups').values(rows).execute()
          for (const rows of chunks(permissionRows)) {
            await db.insertInto('user_permissions').values(rows).execute()
          }
          for (const batch of chunks(plan.newSessions)) {
            await db
              .insertInto('sessions')
              .values(
                batch.map(({ session }) => ({
                  id: session.id,
                  user_id: session.userId,
                  created_at: session.createdAt,
                  last_used_at: session.lastUsedAt,
                  expires_at: session.expiresAt,
                  device: session.device,
                  ip: session.ip,
                  revoked_at: null,
                  revoke_reason: null,
                })),
              )
              .execute()
            await db
              .insertInto('refresh_tokens')
              .values(
                batch.map(({ token }) => ({
                  jti: token.jti,
                  family_id: token.familyId,
                  user_id: token.userId,
                  issued_at: token.issuedAt,
                  expires_at: token.expiresAt,
                  consumed_at: null,
                  replaced_by: null,
                })),
              )
              .execute()
          }
          for (const ids of chunks(plan.revokeFamilies)) {
            await db
              .updateTable('sessions')
              .set({ revoked_at: options.now, revoke_reason: 'blacklisted_at_import' })
              .where('id', 'in', ids)
              .where('revoked_at', 'is', null)
              .execute()
          }
          return plan.report
        }),
      ),
  }
}

async function readState(
  db: Kysely<Database>,
  snapshot: Parameters<ImportStore['importSnapshot']>[0],
): Promise<ImportState> {
  const usersById = new Map<string, UserRecord>()
  const userIdByKey = new Map<string, string>()
  for (const ids of chunks(snapshot.users.map((user) => user.id).filter(isId))) {
    for (const row of await db.selectFrom('users').selectAll().where('id', 'in', ids).execute()) {
      const user = toUser(row)
      usersById.set(user.id, user)
      userIdByKey.set(user.usernameKey, user.id)
    }
  }
  // PostgreSQL cannot even be asked about text it refuses to hold: the plan reports those users.
  const keys = snapshot.users.flatMap((user) =>
    user.username.trim() === '' || !isStorableText(user.username)
      ? []
      : [usernameKey(user.username)],
  )
  for (const batch of chunks(keys)) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'username_key'])
      .where('username_key', 'in', batch)
      .execute()
    for (const row of rows) userIdByKey.set(row.username_key, String(row.id))
  }
  const links = new Map<string, { groups: Set<string>; permissions: Set<string> }>()
  for (const id of usersById.keys()) links.set(id, { groups: new Set(), permissions: new Set() })
  for (const ids of chunks([...usersById.keys()])) {
    const groups = await db
      .selectFrom('user_groups')
      .innerJoin('auth_groups', 'auth_groups.id', 'user_groups.group_id')
      .select(['user_groups.user_id', 'auth_groups.name'])
      .where('user_groups.user_id', 'in', ids)
      .execute()
    for (const row of groups) links.get(String(row.user_id))?.groups.add(row.name)
    const permissions = await db
      .selectFrom('user_permissions')
      .innerJoin('auth_permissions', 'auth_permissions.id', 'user_permissions.permission_id')
      .select([
        'user_permissions.user_id',
        'auth_permissions.app_label',
        'auth_permissions.codename',
      ])
      .where('user_permissions.user_id', 'in', ids)
      .execute()
    for (const row of permissions) {
      links.get(String(row.user_id))?.permissions.add(`${row.app_label}.${row.codename}`)
    }
  }
  const tokens = new Map<string, { familyId: string; revoked: boolean }>()
  for (const jtis of chunks(snapshot.refreshTokens.map((token) => token.jti))) {
    const rows = await db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.family_id')
      .select(['refresh_tokens.jti', 'refresh_tokens.family_id', 'sessions.revoked_at'])
      .where('refresh_tokens.jti', 'in', jtis)
      .execute()
    for (const row of rows) {
      tokens.set(row.jti, { familyId: row.family_id, revoked: row.revoked_at !== null })
    }
  }
  return { usersById, userIdByKey, links, tokens }
}

const isId = (id: string) => /^(?:0|[1-9][0-9]{0,15})$/.test(id)

async function writeUsers(
  context: SqlContext,
  db: Kysely<Database>,
  inserts: readonly UserRecord[],
  updates: readonly UserRecord[],
): Promise<void> {
  // Updated first: a user renamed here frees a username key that a new one may take.
  for (const user of updates) {
    const { id, ...rest } = user
    await db.updateTable('users').set(toColumns(context, rest)).where('id', '=', id).execute()
  }
  for (const batch of chunks(inserts)) {
    await db
      .insertInto('users')
      .values(batch.map((user) => ({ ...toColumns(context, user), id: user.id }) as never))
      .execute()
  }
  if (inserts.length > 0 && context.dialect === 'postgres') {
    // Ids were given: move the sequence past them, or the next registration would collide.
    const table = context.schema === undefined ? 'users' : `${context.schema}.users`
    await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max("id") from ${sql.table(table)}))`.execute(
      db,
    )
  }
}

async function ensurePermissions(
  db: Kysely<Database>,
  permissions: Parameters<ImportStore['importSnapshot']>[0]['permissions'],
): Promise<Map<string, string>> {
  for (const batch of chunks(permissions)) {
    await db
      .insertInto('auth_permissions')
      .values(batch.map((p) => ({ app_label: p.appLabel, codename: p.codename, name: p.name })))
      .onConflict((conflict) => conflict.columns(['app_label', 'codename']).doNothing())
      .execute()
  }
  const ids = new Map<string, string>()
  const rows = await db
    .selectFrom('auth_permissions')
    .select(['id', 'app_label', 'codename'])
    .execute()
  for (const row of rows) ids.set(`${row.app_label}.${row.codename}`, String(row.id))
  return ids
}

async function ensureGroups(
  db: Kysely<Database>,
  groups: Parameters<ImportStore['importSnapshot']>[0]['groups'],
  permissionIds: ReadonlyMap<string, string>,
): Promise<Map<string, string>> {
  for (const batch of chunks(groups)) {
    await db
      .insertInto('auth_groups')
      .values(batch.map((group) => ({ name: group.name })))
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute()
  }
  const ids = new Map<string, string>()
  for (const row of await db.selectFrom('auth_groups').select(['id', 'name']).execute()) {
    ids.set(row.name, String(row.id))
  }
  // A group's permissions mirror the source's.
  for (const group of groups) {
    const id = ids.get(group.name)
    if (id === undefined) continue
    await db.deleteFrom('group_permissions').where('group_id', '=', id).execute()
    const rows = group.permissions.flatMap((key) => {
      const permissionId = permissionIds.get(key)
      return permissionId === undefined ? [] : [{ group_id: id, permission_id: permissionId }]
    })
    if (rows.length > 0) await db.insertInto('group_permissions').values(rows).execute()
  }
  return ids
}
