import type { GroupRecord, PermissionRecord, PermissionStore } from '../permission-store.js'
import { byCodeUnits } from '../store-input.js'
import { addLink, constraintFailure, type MemoryState } from './memory-state.js'

/** Groups, permissions and their links held in `state`, with SQL's foreign-key checks. */
export function createMemoryPermissionStore(state: MemoryState): PermissionStore {
  const { groups, permissions } = state

  function requireUser(userId: string): void {
    if (!state.users.has(userId)) throw constraintFailure()
  }
  function requireGroup(groupId: string): void {
    if (!groups.has(groupId)) throw constraintFailure()
  }
  function requirePermission(permissionId: string): void {
    if (!permissions.has(permissionId)) throw constraintFailure()
  }

  return {
    async ensurePermission(appLabel: string, codename: string, name: string) {
      // JSON of the pair is an unambiguous key whatever characters the parts hold.
      const key = JSON.stringify([appLabel, codename])
      const existing = state.permissionIdByKey.get(key)
      const found = existing === undefined ? undefined : permissions.get(existing)
      if (found) return { ...found }
      state.sequences.permission += 1
      const record: PermissionRecord = {
        id: String(state.sequences.permission),
        appLabel,
        codename,
        name,
      }
      permissions.set(record.id, record)
      state.permissionIdByKey.set(key, record.id)
      return { ...record }
    },

    async ensureGroup(name: string) {
      const existing = state.groupIdByName.get(name)
      const found = existing === undefined ? undefined : groups.get(existing)
      if (found) return { ...found }
      state.sequences.group += 1
      const record: GroupRecord = { id: String(state.sequences.group), name }
      groups.set(record.id, record)
      state.groupIdByName.set(name, record.id)
      return { ...record }
    },

    async addUserToGroup(userId: string, groupId: string) {
      requireUser(userId)
      requireGroup(groupId)
      addLink(state.userGroups, userId, groupId)
    },

    async removeUserFromGroup(userId: string, groupId: string) {
      state.userGroups.get(userId)?.delete(groupId)
    },

    async grantUserPermission(userId: string, permissionId: string) {
      requireUser(userId)
      requirePermission(permissionId)
      addLink(state.userPermissions, userId, permissionId)
    },

    async revokeUserPermission(userId: string, permissionId: string) {
      state.userPermissions.get(userId)?.delete(permissionId)
    },

    async grantGroupPermission(groupId: string, permissionId: string) {
      requireGroup(groupId)
      requirePermission(permissionId)
      addLink(state.groupPermissions, groupId, permissionId)
    },

    async listUserGroups(userId: string) {
      const found: GroupRecord[] = []
      for (const groupId of state.userGroups.get(userId) ?? []) {
        const group = groups.get(groupId)
        if (group) found.push({ ...group })
      }
      return found.sort((a, b) => byCodeUnits(a.name, b.name))
    },

    async listUserPermissions(userId: string) {
      const ids = new Set(state.userPermissions.get(userId) ?? [])
      for (const groupId of state.userGroups.get(userId) ?? []) {
        for (const permissionId of state.groupPermissions.get(groupId) ?? []) ids.add(permissionId)
      }
      const names = new Set<string>()
      for (const id of ids) {
        const permission = permissions.get(id)
        if (permission) names.add(`${permission.appLabel}.${permission.codename}`)
      }
      return [...names].sort(byCodeUnits)
    },
  }
}
