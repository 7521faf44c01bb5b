import {
  type GroupDetail,
  GroupNameTakenError,
  type GroupRecord,
  type NameQuery,
  type PermissionRecord,
  type PermissionStore,
} from '../permission-store.js'
import { byCodeUnits, checkText, isDecimalId } from '../store-input.js'
import { byCodePoints, checkPageWindow, containsIgnoringAsciiCase, pageOf } from '../store-page.js'
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

  const nameOf = (permission: PermissionRecord) => `${permission.appLabel}.${permission.codename}`

  function detail(group: GroupRecord): GroupDetail {
    const names = [...(state.groupPermissions.get(group.id) ?? [])]
      .map((id) => permissions.get(id))
      .filter((permission) => permission !== undefined)
      .map(nameOf)
    let memberCount = 0
    for (const links of state.userGroups.values()) if (links.has(group.id)) memberCount += 1
    return { ...group, permissions: [...new Set(names)].sort(byCodePoints), memberCount }
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

    async revokeGroupPermission(groupId: string, permissionId: string) {
      state.groupPermissions.get(groupId)?.delete(permissionId)
    },

    async createGroup(name: string) {
      checkText(name, 'group.name')
      if (state.groupIdByName.has(name)) throw new GroupNameTakenError()
      state.sequences.group += 1
      const record: GroupRecord = { id: String(state.sequences.group), name }
      groups.set(record.id, record)
      state.groupIdByName.set(name, record.id)
      return { ...record }
    },

    async renameGroup(id: string, name: string) {
      checkText(name, 'group.name')
      const current = groups.get(id)
      if (current === undefined) return undefined
      if (current.name === name) return { ...current }
      if (state.groupIdByName.has(name)) throw new GroupNameTakenError()
      const record: GroupRecord = { id, name }
      groups.set(id, record)
      state.groupIdByName.delete(current.name)
      state.groupIdByName.set(name, id)
      return { ...record }
    },

    async deleteGroup(id: string) {
      const group = groups.get(id)
      if (group === undefined) return false
      groups.delete(id)
      state.groupIdByName.delete(group.name)
      // The cascades of the SQL foreign keys.
      state.groupPermissions.delete(id)
      for (const links of state.userGroups.values()) links.delete(id)
      return true
    },

    async findGroup(id: string) {
      const group = groups.get(id)
      return group && detail(group)
    },

    async listGroups(query: NameQuery) {
      checkPageWindow(query)
      const { search } = query
      const matching = [...groups.values()]
        .filter((group) => search === undefined || containsIgnoringAsciiCase(group.name, search))
        .sort((a, b) => byCodePoints(a.name, b.name))
      const page = pageOf(matching, query)
      return { count: page.count, items: page.items.map(detail) }
    },

    async findPermission(appLabel: string, codename: string) {
      const id = state.permissionIdByKey.get(JSON.stringify([appLabel, codename]))
      const found = id === undefined ? undefined : permissions.get(id)
      return found && { ...found }
    },

    async listPermissions(query: NameQuery) {
      checkPageWindow(query)
      const { search } = query
      const matching = [...permissions.values()]
        .filter(
          (permission) =>
            search === undefined ||
            [permission.appLabel, permission.codename, permission.name].some((text) =>
              containsIgnoringAsciiCase(text, search),
            ),
        )
        .sort(
          (a, b) =>
            byCodePoints(a.appLabel, b.appLabel) ||
            byCodePoints(a.codename, b.codename) ||
            Number(BigInt(a.id) - BigInt(b.id)),
        )
      const page = pageOf(matching, query)
      return { count: page.count, items: page.items.map((permission) => ({ ...permission })) }
    },

    async listUserDirectPermissions(userId: string) {
      if (!isDecimalId(userId)) return []
      const names = [...(state.userPermissions.get(userId) ?? [])]
        .map((id) => permissions.get(id))
        .filter((permission) => permission !== undefined)
        .map(nameOf)
      return [...new Set(names)].sort(byCodeUnits)
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
