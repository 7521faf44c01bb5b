import { usernameKey } from '../users/username.js'
import type {
  ImportOptions,
  ImportPlan,
  ImportProblem,
  ImportSnapshot,
  ImportState,
} from './import-store.js'
import type { NewSession } from './session-store.js'
import { StoreInputError } from './stores.js'
import { checkUserText, type UserRecord } from './user-store.js'

const DECIMAL_ID = /^(?:0|[1-9][0-9]*)$/
/** The device name of an imported session, as the sessions list shows it. */
export const IMPORTED_DEVICE = 'imported (Django)'

/**
 * Decides what an import writes, the same for every adapter: which users are new, changed or
 * the same; which rows are left out and why; whose groups and permissions change; which
 * outstanding tokens become sessions and which imported sessions end. Pure: the adapters read
 * {@link ImportState} in their transaction, plan, then write the plan.
 */
export function planImport(
  snapshot: ImportSnapshot,
  state: ImportState,
  options: Pick<ImportOptions, 'now' | 'newSessionId'>,
): ImportPlan {
  const problems: ImportProblem[] = []
  const insertUsers: UserRecord[] = []
  const updateUsers: UserRecord[] = []
  let unchanged = 0
  const kept = new Set<string>()
  const keyOwner = new Map(state.userIdByKey)
  for (const user of snapshot.users) {
    const reason = userProblem(user.id, user.username)
    const key = reason === undefined ? usernameKey(user.username) : ''
    const owner = keyOwner.get(key)
    const clash =
      owner !== undefined && owner !== user.id
        ? `username "${user.username}" is taken here by user ${owner} (usernames are unique without regard to case)`
        : undefined
    const existing = state.usersById.get(user.id)
    const record: UserRecord = { ...user, usernameKey: key, profile: existing?.profile ?? {} }
    const invalid = reason ?? clash ?? storableProblem(record)
    if (invalid !== undefined) {
      problems.push({ table: 'user', id: user.id, reason: invalid })
      continue
    }
    if (existing !== undefined && existing.usernameKey !== key)
      keyOwner.delete(existing.usernameKey)
    keyOwner.set(key, user.id)
    kept.add(user.id)
    if (existing === undefined) insertUsers.push(record)
    else if (sameUser(existing, record)) unchanged += 1
    else updateUsers.push(record)
  }

  const setLinks: { userId: string; groups: string[]; permissions: string[] }[] = []
  const groupsOf = collect(snapshot.userGroups, (link) => [link.userId, link.group])
  const permissionsOf = collect(snapshot.userPermissions, (link) => [link.userId, link.permission])
  for (const userId of kept) {
    const groups = [...(groupsOf.get(userId) ?? [])].sort()
    const permissions = [...(permissionsOf.get(userId) ?? [])].sort()
    const current = state.links.get(userId)
    const same =
      current !== undefined &&
      sameSet(current.groups, groups) &&
      sameSet(current.permissions, permissions)
    if (!same && (current !== undefined || groups.length > 0 || permissions.length > 0)) {
      setLinks.push({ userId, groups, permissions })
    }
  }

  const newSessions: NewSession[] = []
  const revokeFamilies: string[] = []
  let sessionsUnchanged = 0
  for (const token of snapshot.refreshTokens) {
    const known = state.tokens.get(token.jti)
    if (!kept.has(token.userId)) {
      problems.push({
        table: 'refresh_token',
        id: token.jti,
        reason: `its user ${token.userId} is not imported`,
      })
    } else if (token.blacklisted && known !== undefined && !known.revoked) {
      revokeFamilies.push(known.familyId)
    } else if (token.blacklisted || known !== undefined || token.expiresAt <= options.now) {
      sessionsUnchanged += 1
    } else {
      const familyId = options.newSessionId()
      newSessions.push({
        session: {
          id: familyId,
          userId: token.userId,
          createdAt: token.issuedAt,
          lastUsedAt: token.issuedAt,
          expiresAt: token.expiresAt,
          device: IMPORTED_DEVICE,
          ip: '',
        },
        token: {
          jti: token.jti,
          familyId,
          userId: token.userId,
          issuedAt: token.issuedAt,
          expiresAt: token.expiresAt,
        },
      })
    }
  }

  return {
    insertUsers,
    updateUsers,
    setLinks,
    newSessions,
    revokeFamilies,
    report: {
      users: {
        created: insertUsers.map((user) => user.id),
        updated: updateUsers.map((user) => user.id),
        unchanged,
      },
      permissions: snapshot.permissions.length,
      groups: snapshot.groups.length,
      linksChanged: setLinks.length,
      sessions: {
        created: newSessions.length,
        revoked: revokeFamilies.length,
        unchanged: sessionsUnchanged,
      },
      problems,
    },
  }
}

function userProblem(id: string, username: string): string | undefined {
  if (!DECIMAL_ID.test(id) || !Number.isSafeInteger(Number(id))) return 'the id is not an integer'
  if (username.trim() === '') return 'the username is blank'
  return undefined
}

function storableProblem(user: UserRecord): string | undefined {
  try {
    checkUserText(user)
    return undefined
  } catch (error) {
    if (error instanceof StoreInputError) return error.message
    throw error
  }
}

function sameUser(a: UserRecord, b: UserRecord): boolean {
  return (
    a.username === b.username &&
    a.email === b.email &&
    a.firstName === b.firstName &&
    a.lastName === b.lastName &&
    a.password === b.password &&
    a.isActive === b.isActive &&
    a.isStaff === b.isStaff &&
    a.isSuperuser === b.isSuperuser &&
    a.lastLogin === b.lastLogin &&
    a.dateJoined === b.dateJoined
  )
}

function collect<T>(
  items: readonly T[],
  pair: (item: T) => readonly [string, string],
): Map<string, Set<string>> {
  const sets = new Map<string, Set<string>>()
  for (const item of items) {
    const [key, value] = pair(item)
    const set = sets.get(key)
    if (set === undefined) sets.set(key, new Set([value]))
    else set.add(value)
  }
  return sets
}

function sameSet(current: ReadonlySet<string>, wanted: readonly string[]): boolean {
  return current.size === wanted.length && wanted.every((value) => current.has(value))
}
