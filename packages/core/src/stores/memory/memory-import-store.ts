import type { ImportState, ImportStore } from '../import-store.js'
import { planImport } from '../plan-import.js'
import { addLink, type MemoryState } from './memory-state.js'

const permissionKey = (appLabel: string, codename: string) => JSON.stringify([appLabel, codename])

/** Imports into `state`: planned, then written within one tick (so all or nothing). */
export function createMemoryImportStore(state: MemoryState): ImportStore {
  return {
    async importSnapshot(snapshot, options) {
      const plan = planImport(snapshot, readState(state, snapshot), options)
      if (options.dryRun) return plan.report
      for (const user of [...plan.insertUsers, ...plan.updateUsers]) {
        const previous = state.users.get(user.id)
        if (previous !== undefined) state.userIdByKey.delete(previous.usernameKey)
        state.users.set(user.id, user)
        state.userIdByKey.set(user.usernameKey, user.id)
        state.sequences.user = Math.max(state.sequences.user, Number(user.id))
      }
      const permissionIds = new Map<string, string>()
      for (const { appLabel, codename, name } of snapshot.permissions) {
        const key = permissionKey(appLabel, codename)
        let id = state.permissionIdByKey.get(key)
        if (id === undefined) {
          state.sequences.permission += 1
          id = String(state.sequences.permission)
          state.permissions.set(id, { id, appLabel, codename, name })
          state.permissionIdByKey.set(key, id)
        }
        permissionIds.set(`${appLabel}.${codename}`, id)
      }
      const groupIds = new Map<string, string>()
      for (const group of snapshot.groups) {
        let id = state.groupIdByName.get(group.name)
        if (id === undefined) {
          state.sequences.group += 1
          id = String(state.sequences.group)
          state.groups.set(id, { id, name: group.name })
          state.groupIdByName.set(group.name, id)
        }
        groupIds.set(group.name, id)
        const granted = new Set<string>()
        for (const permission of group.permissions) {
          const permissionId = permissionIds.get(permission)
          if (permissionId !== undefined) granted.add(permissionId)
        }
        state.groupPermissions.set(id, granted)
      }
      for (const { userId, groups, permissions } of plan.setLinks) {
        state.userGroups.delete(userId)
        state.userPermissions.delete(userId)
        for (const name of groups) {
          const id = groupIds.get(name) ?? state.groupIdByName.get(name)
          if (id !== undefined) addLink(state.userGroups, userId, id)
        }
        for (const permission of permissions) {
          const id = permissionIds.get(permission)
          if (id !== undefined) addLink(state.userPermissions, userId, id)
        }
      }
      for (const { session, token } of plan.newSessions) {
        state.sessions.set(session.id, { ...session, revokedAt: null, revokeReason: null })
        state.refreshTokens.set(token.jti, { ...token, consumedAt: null, replacedBy: null })
      }
      for (const familyId of plan.revokeFamilies) {
        const session = state.sessions.get(familyId)
        if (session !== undefined) {
          state.sessions.set(familyId, {
            ...session,
            revokedAt: options.now,
            revokeReason: 'blacklisted_at_import',
          })
        }
      }
      return plan.report
    },
  }
}

function readState(
  state: MemoryState,
  snapshot: Parameters<ImportStore['importSnapshot']>[0],
): ImportState {
  const usersById = new Map(
    snapshot.users.flatMap((user) => {
      const found = state.users.get(user.id)
      return found === undefined ? [] : [[user.id, found] as const]
    }),
  )
  const links = new Map<string, { groups: Set<string>; permissions: Set<string> }>()
  for (const id of usersById.keys()) {
    const groups = new Set<string>()
    for (const groupId of state.userGroups.get(id) ?? []) {
      const group = state.groups.get(groupId)
      if (group !== undefined) groups.add(group.name)
    }
    const permissions = new Set<string>()
    for (const permissionId of state.userPermissions.get(id) ?? []) {
      const permission = state.permissions.get(permissionId)
      if (permission !== undefined) permissions.add(`${permission.appLabel}.${permission.codename}`)
    }
    links.set(id, { groups, permissions })
  }
  const tokens = new Map<string, { familyId: string; revoked: boolean }>()
  for (const { jti } of snapshot.refreshTokens) {
    const token = state.refreshTokens.get(jti)
    if (token === undefined) continue
    const revoked = state.sessions.get(token.familyId)?.revokedAt != null
    tokens.set(jti, { familyId: token.familyId, revoked })
  }
  return { usersById, userIdByKey: state.userIdByKey, links, tokens }
}
