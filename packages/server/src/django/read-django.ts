import type { ImportedRefreshToken, ImportedUser, ImportSnapshot } from '@tessera/core'
import type { DjangoSource, Row } from './django-source.js'

/** Where the users are: Django's `auth_user`, or a custom user model's table and columns. */
export interface UserTable {
  /** Default `auth_user`. */
  readonly table: string
  /** Tessera field -> column, for columns named otherwise (`email=email_address`). */
  readonly columns: Readonly<Partial<Record<UserColumn, string>>>
  /** The user's column in the link tables, Django's `<model>_id`. Default `user_id`. */
  readonly linkColumn: string
}

/** The `auth_user` columns an import reads. */
export const USER_COLUMNS = [
  'id',
  'username',
  'email',
  'first_name',
  'last_name',
  'password',
  'is_active',
  'is_staff',
  'is_superuser',
  'last_login',
  'date_joined',
] as const

/** One of {@link USER_COLUMNS}. */
export type UserColumn = (typeof USER_COLUMNS)[number]

/** Progress of the reading, for a terminal. */
export type ReadProgress = (step: string) => void

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A table or column name as SQL, refused unless it is a plain identifier. */
export function identifier(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new RangeError(`not a table or column name: ${JSON.stringify(name)}`)
  return `"${name}"`
}

/**
 * Reads what Tessera imports from a Django database: users (ids, password hashes, flags, dates,
 * names, email), permissions with their content type's app label, groups with their permissions,
 * memberships and direct grants, and simplejwt's outstanding tokens with their blacklist state.
 */
export async function readDjango(
  source: DjangoSource,
  users: UserTable,
  progress: ReadProgress = () => {},
): Promise<ImportSnapshot> {
  const column = (name: UserColumn) => identifier(users.columns[name] ?? name)
  const table = identifier(users.table)
  const link = identifier(users.linkColumn)
  progress(`users (${users.table})`)
  const userRows = await source.query(
    `select ${USER_COLUMNS.map((name) => `${column(name)} as "${name}"`).join(', ')} from ${table} order by ${column('id')}`,
  )
  progress('permissions and groups')
  const permissionRows = await source.query(
    'select p.codename as codename, p.name as name, ct.app_label as app_label ' +
      'from auth_permission p join django_content_type ct on ct.id = p.content_type_id ' +
      'order by ct.app_label, p.codename',
  )
  const groupRows = await source.query('select id, name from auth_group order by name')
  const groupPermissionRows = await source.query(
    'select gp.group_id as group_id, ct.app_label as app_label, p.codename as codename ' +
      'from auth_group_permissions gp join auth_permission p on p.id = gp.permission_id ' +
      'join django_content_type ct on ct.id = p.content_type_id',
  )
  progress('memberships and grants')
  const membershipRows = await source.query(
    `select ug.${link} as user_id, g.name as name from ${identifier(`${users.table}_groups`)} ug ` +
      'join auth_group g on g.id = ug.group_id',
  )
  const grantRows = await source.query(
    `select up.${link} as user_id, ct.app_label as app_label, p.codename as codename ` +
      `from ${identifier(`${users.table}_user_permissions`)} up ` +
      'join auth_permission p on p.id = up.permission_id ' +
      'join django_content_type ct on ct.id = p.content_type_id',
  )
  progress('refresh tokens (simplejwt)')
  const tokenRows = (await source.hasTable('token_blacklist_outstandingtoken'))
    ? await source.query(
        'select o.jti as jti, o.user_id as user_id, o.created_at as created_at, ' +
          'o.expires_at as expires_at, b.id as blacklisted ' +
          'from token_blacklist_outstandingtoken o ' +
          'left join token_blacklist_blacklistedtoken b on b.token_id = o.id ' +
          'where o.user_id is not null order by o.id',
      )
    : []

  const groupNames = new Map(groupRows.map((row) => [String(row.id), String(row.name)]))
  const groupPermissions = new Map<string, string[]>()
  for (const row of groupPermissionRows) {
    const name = groupNames.get(String(row.group_id))
    if (name === undefined) continue
    const list = groupPermissions.get(name) ?? []
    list.push(`${row.app_label}.${row.codename}`)
    groupPermissions.set(name, list)
  }
  return {
    users: userRows.map(toUser),
    permissions: permissionRows.map((row) => ({
      appLabel: String(row.app_label),
      codename: String(row.codename),
      name: String(row.name),
    })),
    groups: [...groupNames.values()].map((name) => ({
      name,
      permissions: groupPermissions.get(name) ?? [],
    })),
    userGroups: membershipRows.map((row) => ({
      userId: String(row.user_id),
      group: String(row.name),
    })),
    userPermissions: grantRows.map((row) => ({
      userId: String(row.user_id),
      permission: `${row.app_label}.${row.codename}`,
    })),
    refreshTokens: tokenRows.map(toToken),
  }
}

function toUser(row: Row): ImportedUser {
  return {
    id: String(row.id),
    username: String(row.username ?? ''),
    email: String(row.email ?? ''),
    firstName: String(row.first_name ?? ''),
    lastName: String(row.last_name ?? ''),
    password: row.password === null || row.password === '' ? null : String(row.password),
    isActive: truthy(row.is_active),
    isStaff: truthy(row.is_staff),
    isSuperuser: truthy(row.is_superuser),
    lastLogin: row.last_login === null ? null : seconds(row.last_login),
    dateJoined: seconds(row.date_joined),
  }
}

function toToken(row: Row): ImportedRefreshToken {
  return {
    jti: String(row.jti),
    userId: String(row.user_id),
    issuedAt: Math.floor(seconds(row.created_at)),
    expiresAt: Math.floor(seconds(row.expires_at)),
    blacklisted: row.blacklisted !== null && row.blacklisted !== undefined,
  }
}

// SQLite keeps booleans as 0/1, PostgreSQL as booleans.
function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't'
}

/**
 * Epoch seconds of a Django datetime: a Date from pg, or SQLite's text `2026-11-22 19:27:42.842181`
 * (UTC, as Django writes it with USE_TZ; a `+00:00` suffix is honoured when present).
 */
function seconds(value: unknown): number {
  if (value instanceof Date) return value.getTime() / 1000
  const text = String(value).trim().replace(' ', 'T')
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`
  const ms = Date.parse(zoned)
  if (Number.isNaN(ms)) throw new RangeError(`not a date: ${JSON.stringify(value)}`)
  return ms / 1000
}
