import type { GroupRecord, PermissionRecord, PermissionStore } from '../permission-store.js'
import { byCodeUnits, isDecimalId } from '../store-input.js'
import type { SqlContext } from './sql-context.js'
import { guard, missingReference } from './sql-errors.js'

/** Throws what the foreign key would unless every id could name a row. */
function checkReferences(...ids: string[]): void {
  if (!ids.every(isDecimalId)) throw missingReference()
}

/** Groups, permissions and their links in SQL; link primary keys make grants idempotent. */
export function createSqlPermissionStore({ db }: SqlContext): PermissionStore {
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
