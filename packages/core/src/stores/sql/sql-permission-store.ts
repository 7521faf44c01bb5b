import { sql } from 'kysely'
import { isStorableText } from '../../users/char-field.js'
import {
  type GroupDetail,
  GroupNameTakenError,
  type GroupRecord,
  type NameQuery,
  type PermissionRecord,
  type PermissionStore,
} from '../permission-store.js'
import { byCodeUnits, checkText, isDecimalId } from '../store-input.js'
import { byCodePoints, checkPageWindow } from '../store-page.js'
import type { SqlContext } from './sql-context.js'
import { guard, isUniqueViolation, missingReference } from './sql-errors.js'
import { sqlCodePointOrder, sqlContainsIgnoringAsciiCase } from './sql-text-match.js'

/** The unique constraint on `auth_groups.name`, named in `0001_initial`. */
const GROUP_NAME_CONSTRAINT = 'auth_groups_name_unique'

function toPermission(row: {
  id: string | number | bigint
  app_label: string
  codename: string
  name: string
}): PermissionRecord {
  return { id: String(row.id), appLabel: row.app_label, codename: row.codename, name: row.name }
}

/** Runs a write that may hit the group name's unique key, as {@link GroupNameTakenError}. */
async function guardGroupName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (isUniqueViolation(error, GROUP_NAME_CONSTRAINT, 'auth_groups.name')) {
      throw new GroupNameTakenError()
    }
    throw error
  }
}

/** Throws what the foreign key would unless every id could name a row. */
function checkReferences(...ids: string[]): void {
  if (!ids.every(isDecimalId)) throw missingReference()
}

/** Groups, permissions and their links in SQL; link primary keys make grants idempotent. */
export function createSqlPermissionStore(context: SqlContext): PermissionStore {
  const { db } = context

  /** The permissions and member counts of `groups`, in two statements for the whole page. */
  async function details(groups: readonly GroupRecord[]): Promise<GroupDetail[]> {
    if (groups.length === 0) return []
    const ids = groups.map((group) => group.id)
    const [granted, counts] = await Promise.all([
      db
        .selectFrom('group_permissions as gp')
        .innerJoin('auth_permissions as p', 'p.id', 'gp.permission_id')
        .select(['gp.group_id', 'p.app_label', 'p.codename'])
        .where('gp.group_id', 'in', ids)
        .execute(),
      db
        .selectFrom('user_groups')
        .select((eb) => ['group_id', eb.fn.countAll<number | string>().as('count')])
        .where('group_id', 'in', ids)
        .groupBy('group_id')
        .execute(),
    ])
    return groups.map((group) => {
      const names = granted
        .filter((row) => String(row.group_id) === group.id)
        .map((row) => `${row.app_label}.${row.codename}`)
      const count = counts.find((row) => String(row.group_id) === group.id)?.count ?? 0
      return {
        ...group,
        permissions: [...new Set(names)].sort(byCodePoints),
        memberCount: Number(count),
      }
    })
  }

  return {
    ensurePermission: (appLabel: string, codename: string, name: string) =>
      guard(async () => {
        // Insert-or-ignore then read: the unique key decides between concurrent callers.
        await db
          .insertInto('auth_permissions')
          .values({ app_label: appLabel, codename, name })
          .onConflict((conflict) => conflict.columns(['app_label', 'codename']).doNothing())
          .execute()
        const row = await db
          .selectFrom('auth_permissions')
          .selectAll()
          .where('app_label', '=', appLabel)
          .where('codename', '=', codename)
          .executeTakeFirstOrThrow()
        return {
          id: String(row.id),
          appLabel: row.app_label,
          codename: row.codename,
          name: row.name,
        } satisfies PermissionRecord
      }),

    ensureGroup: (name: string) =>
      guard(async () => {
        await db
          .insertInto('auth_groups')
          .values({ name })
          .onConflict((conflict) => conflict.column('name').doNothing())
          .execute()
        const row = await db
          .selectFrom('auth_groups')
          .selectAll()
          .where('name', '=', name)
          .executeTakeFirstOrThrow()
        return { id: String(row.id), name: row.name } satisfies GroupRecord
      }),

    async addUserToGroup(userId: string, groupId: string) {
      checkReferences(userId, groupId)
      await guard(() =>
        db
          .insertInto('user_groups')
          .values({ user_id: userId, group_id: groupId })
          .onConflict((conflict) => conflict.doNothing())
          .execute(),
      )
    },

    async removeUserFromGroup(userId: string, groupId: string) {
      if (!isDecimalId(userId) || !isDecimalId(groupId)) return
      await guard(() =>
        db
          .deleteFrom('user_groups')
          .where('user_id', '=', userId)
          .where('group_id', '=', groupId)
          .execute(),
      )
    },

    async grantUserPermission(userId: string, permissionId: string) {
      checkReferences(userId, permissionId)
      await guard(() =>
        db
          .insertInto('user_permissions')
          .values({ user_id: userId, permission_id: permissionId })
          .onConflict((conflict) => conflict.doNothing())
          .execute(),
      )
    },

    async revokeUserPermission(userId: string, permissionId: string) {
      if (!isDecimalId(userId) || !isDecimalId(permissionId)) return
      await guard(() =>
        db
          .deleteFrom('user_permissions')
          .where('user_id', '=', userId)
          .where('permission_id', '=', permissionId)
          .execute(),
      )
    },

    async grantGroupPermission(groupId: string, permissionId: string) {
      checkReferences(groupId, permissionId)
      await guard(() =>
        db
          .insertInto('group_permissions')
          .values({ group_id: groupId, permission_id: permissionId })
          .onConflict((conflict) => conflict.doNothing())
          .execute(),
      )
    },

    async revokeGroupPermission(groupId: string, permissionId: string) {
      if (!isDecimalId(groupId) || !isDecimalId(permissionId)) return
      await guard(() =>
        db
          .deleteFrom('group_permissions')
          .where('group_id', '=', groupId)
          .where('permission_id', '=', permissionId)
          .execute(),
      )
    },

    async createGroup(name: string) {
      checkText(name, 'group.name')
      return guard(() =>
        guardGroupName(async () => {
          const row = await db
            .insertInto('auth_groups')
            .values({ name })
            .returningAll()
            .executeTakeFirstOrThrow()
          return { id: String(row.id), name: row.name } satisfies GroupRecord
        }),
      )
    },

    async renameGroup(id: string, name: string) {
      checkText(name, 'group.name')
      if (!isDecimalId(id)) return undefined
      return guard(() =>
        guardGroupName(async () => {
          const row = await db
            .updateTable('auth_groups')
            .set({ name })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirst()
          return row && ({ id: String(row.id), name: row.name } satisfies GroupRecord)
        }),
      )
    },

    async deleteGroup(id: string) {
      if (!isDecimalId(id)) return false
      return guard(async () => {
        const result = await db.deleteFrom('auth_groups').where('id', '=', id).executeTakeFirst()
        return result.numDeletedRows > 0n
      })
    },

    async findGroup(id: string) {
      if (!isDecimalId(id)) return undefined
      return guard(async () => {
        const row = await db
          .selectFrom('auth_groups')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
        if (row === undefined) return undefined
        const [detail] = await details([{ id: String(row.id), name: row.name }])
        return detail
      })
    },

    async listGroups(query: NameQuery) {
      checkPageWindow(query)
      const { search } = query
      if (search !== undefined && !isStorableText(search)) return { count: 0, items: [] }
      return guard(async () => {
        let base = db.selectFrom('auth_groups')
        if (search !== undefined && search !== '') {
          base = base.where(() => sqlContainsIgnoringAsciiCase(context, 'name', search))
        }
        const counted = await base
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
        const rows = await base
          .selectAll()
          .orderBy(sqlCodePointOrder(context, 'name'))
          .limit(query.limit)
          .offset(query.offset)
          .execute()
        const items = await details(rows.map((row) => ({ id: String(row.id), name: row.name })))
        return { count: Number(counted.count), items }
      })
    },

    async findPermission(appLabel: string, codename: string) {
      if (!isStorableText(appLabel) || !isStorableText(codename)) return undefined
      return guard(async () => {
        const row = await db
          .selectFrom('auth_permissions')
          .selectAll()
          .where('app_label', '=', appLabel)
          .where('codename', '=', codename)
          .executeTakeFirst()
        return row && toPermission(row)
      })
    },

    async listPermissions(query: NameQuery) {
      checkPageWindow(query)
      const { search } = query
      if (search !== undefined && !isStorableText(search)) return { count: 0, items: [] }
      return guard(async () => {
        let base = db.selectFrom('auth_permissions')
        if (search !== undefined && search !== '') {
          base = base.where(
            () =>
              sql<boolean>`(${sqlContainsIgnoringAsciiCase(context, 'app_label', search)} or ${sqlContainsIgnoringAsciiCase(
                context,
                'codename',
                search,
              )} or ${sqlContainsIgnoringAsciiCase(context, 'name', search)})`,
          )
        }
        const counted = await base
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
        const rows = await base
          .selectAll()
          .orderBy(sqlCodePointOrder(context, 'app_label'))
          .orderBy(sqlCodePointOrder(context, 'codename'))
          .orderBy('id')
          .limit(query.limit)
          .offset(query.offset)
          .execute()
        return { count: Number(counted.count), items: rows.map(toPermission) }
      })
    },

    async listUserDirectPermissions(userId: string) {
      if (!isDecimalId(userId)) return []
      const rows = await guard(() =>
        db
          .selectFrom('auth_permissions as p')
          .innerJoin('user_permissions as up', 'up.permission_id', 'p.id')
          .select(['p.app_label', 'p.codename'])
          .where('up.user_id', '=', userId)
          .execute(),
      )
      const names = new Set(rows.map((row) => `${row.app_label}.${row.codename}`))
      return [...names].sort(byCodeUnits)
    },

    async listUserGroups(userId: string) {
      if (!isDecimalId(userId)) return []
      const rows = await guard(() =>
        db
          .selectFrom('auth_groups as g')
          .innerJoin('user_groups as ug', 'ug.group_id', 'g.id')
          .select(['g.id', 'g.name'])
          .where('ug.user_id', '=', userId)
          .execute(),
      )
      return rows
        .map((row): GroupRecord => ({ id: String(row.id), name: row.name }))
        .sort((a, b) => byCodeUnits(a.name, b.name))
    },

    async listUserPermissions(userId: string) {
      if (!isDecimalId(userId)) return []
      const rows = await guard(() =>
        db
          .selectFrom('auth_permissions as p')
          .select(['p.app_label', 'p.codename'])
          .where((eb) =>
            eb.or([
              eb(
                'p.id',
                'in',
                eb
                  .selectFrom('user_permissions')
                  .select('permission_id')
                  .where('user_id', '=', userId),
              ),
              eb(
                'p.id',
                'in',
                eb
                  .selectFrom('group_permissions as gp')
                  .innerJoin('user_groups as ug', 'ug.group_id', 'gp.group_id')
                  .select('gp.permission_id')
                  .where('ug.user_id', '=', userId),
              ),
            ]),
          )
          .execute(),
      )
      // A Set: `a.b` + `c` and `a` + `b.c` name the same permission string.
      const names = new Set(rows.map((row) => `${row.app_label}.${row.codename}`))
      return [...names].sort(byCodeUnits)
    },
  }
}
