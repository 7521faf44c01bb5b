import type { JsonValue } from '../tokens/token-types.js'
import { checkJsonText, checkText } from './store-input.js'
import { checkPageWindow, type PageWindow, type StorePage } from './store-page.js'

/** A user as stored: Django's `auth_user` columns plus declared profile fields. */
export interface UserRecord {
  /** Decimal string of the integer primary key (`"1"`), as it appears in `user_id` claims. */
  readonly id: string
  /** As entered, NFKC-normalized. */
  readonly username: string
  /** NFKC + case fold of the username: unique, so look-alikes cannot coexist. */
  readonly usernameKey: string
  readonly email: string
  readonly firstName: string
  readonly lastName: string
  /** Django-encoded password hash (`argon2$argon2id$...`), `!...` when unusable, or null. */
  readonly password: string | null
  readonly isActive: boolean
  readonly isStaff: boolean
  readonly isSuperuser: boolean
  /** Epoch seconds, or null before the first login. */
  readonly lastLogin: number | null
  /** Epoch seconds. */
  readonly dateJoined: number
  /** Values of the profile fields declared in configuration. */
  readonly profile: Readonly<Record<string, JsonValue>>
}

/** What creating a user needs; the store assigns `id`. */
export type NewUser = Omit<UserRecord, 'id'>

/** The fields an update may change (never `id`). */
export type UserPatch = Partial<Omit<UserRecord, 'id'>>

/**
 * Throws a `StoreInputError` naming the field unless every text of `user` (a new user or a
 * patch) is storable as given; the check every adapter runs before a write.
 */
export function checkUserText(user: UserPatch): void {
  for (const field of ['username', 'usernameKey', 'email', 'firstName', 'lastName'] as const) {
    const value = user[field]
    if (value !== undefined) checkText(value, `user.${field}`)
  }
  if (user.password !== undefined) checkText(user.password, 'user.password')
  if (user.profile !== undefined) checkJsonText(user.profile, 'user.profile')
}

/**
 * The stored state a conditional update expects (`updateUserIf`): each given field must still
 * hold exactly this value (`null` included).
 */
export type UserExpectation = Partial<
  Pick<UserRecord, 'password' | 'lastLogin' | 'username' | 'email' | 'isActive'>
>

/** Thrown by `createUser`/`updateUser` when `usernameKey` is taken. */
export class UsernameTakenError extends Error {
  constructor() {
    super('a user with that username already exists')
    this.name = 'UsernameTakenError'
  }
}

/**
 * Thrown by `createUser` with `uniqueEmail` when another user has the address (compared on the
 * case-folded `emailKey`).
 */
export class EmailTakenError extends Error {
  constructor() {
    super('a user with that email address already exists')
    this.name = 'EmailTakenError'
  }
}

/** Options of {@link UserStore.createUser}. */
export interface CreateUserOptions {
  /**
   * Refuse (with {@link EmailTakenError}) when another user has the address, case-insensitively
   * (`LOGIN_FIELD=email`). Atomic: of concurrent creations with one address exactly one
   * succeeds (SQLite: one write transaction; PostgreSQL: an advisory lock on the address).
   */
  readonly uniqueEmail?: boolean
}

/** What {@link UserStore.searchUsers} may order by. */
export type UserOrderField = 'id' | 'username' | 'email' | 'date_joined' | 'last_login'

/** An order field, ascending, or descending with a leading `-` (Django's `ordering`). */
export type UserOrdering = UserOrderField | `-${UserOrderField}`

/** The order fields, for callers validating input. */
export const USER_ORDER_FIELDS: readonly UserOrderField[] = Object.freeze([
  'id',
  'username',
  'email',
  'date_joined',
  'last_login',
])

/** Filters, order and window of {@link UserStore.searchUsers}; every filter is optional. */
export interface UserQuery extends PageWindow {
  /**
   * A fragment of the username or email (compared on their case-folded keys, any script) or of
   * the first or last name (ASCII letters without regard to case, other characters exactly).
   */
  readonly search?: string
  readonly isActive?: boolean
  readonly isStaff?: boolean
  readonly isSuperuser?: boolean
  /** Members of this group only (an unknown or malformed id matches nobody). */
  readonly groupId?: string
  /**
   * Default `id`. `username` orders by the case-folded key, `email` by the address's key,
   * `last_login` puts users who never logged in first (last when descending); ties go by id in
   * the same direction. Text orders by code point on every backend.
   */
  readonly ordering?: UserOrdering
}

/**
 * Users. Atomicity: `createUser` and `updateUser` are single statements; uniqueness of
 * `usernameKey` is enforced by the database (a unique index), never by a read-then-write, so
 * of two concurrent registrations of look-alike names exactly one succeeds.
 *
 * Ids are canonical decimal strings (`"1"`, never `"01"`); any other string finds no user.
 * Text holding U+0000 or a lone surrogate (which PostgreSQL refuses or UTF-8 cannot encode) is
 * refused by `createUser` and `updateUser` with a `StoreInputError` on every adapter, before any
 * query; `findUserByUsernameKey` finds no user by such a key.
 */
export interface UserStore {
  /**
   * Inserts a user; throws {@link UsernameTakenError} if `usernameKey` exists, and
   * {@link EmailTakenError} with `uniqueEmail` when the address is taken.
   */
  createUser(user: NewUser, options?: CreateUserOptions): Promise<UserRecord>
  findUserById(id: string): Promise<UserRecord | undefined>
  /** Looks up by the canonical key (NFKC + case fold), never by the raw username. */
  findUserByUsernameKey(usernameKey: string): Promise<UserRecord | undefined>
  /**
   * The users whose email equals `email` case-insensitively (on `emailKey`: NFKC + case fold),
   * by id; none for an empty address.
   */
  findUsersByEmail(email: string): Promise<UserRecord[]>
  /** Applies `patch`; returns the updated user, or undefined if there is none with `id`. */
  updateUser(id: string, patch: UserPatch): Promise<UserRecord | undefined>
  /**
   * Applies `patch` only if the user's stored fields still equal `expected`, in one conditional
   * write: of concurrent callers expecting the same state, exactly one succeeds (the others get
   * undefined). How a link works once: the reset compares the state its token was made for.
   */
  updateUserIf(
    id: string,
    expected: UserExpectation,
    patch: UserPatch,
  ): Promise<UserRecord | undefined>
  /**
   * Users ordered by id, `limit` at most, after the id `afterId` (keyset pagination). Throws a
   * RangeError when `limit` is not a non-negative integer or `afterId` not a decimal id.
   */
  listUsers(options: { limit: number; afterId?: string }): Promise<UserRecord[]>
  /**
   * The users matching `query`, one window of them in its order, and how many match in all.
   * Throws a RangeError for a bad window or ordering; a search text that cannot be stored
   * (U+0000, a lone surrogate) matches nobody.
   */
  searchUsers(query: UserQuery): Promise<StorePage<UserRecord>>
  /** Deletes a user and, by cascade, their sessions, groups and permissions links. */
  deleteUser(id: string): Promise<boolean>
}

/**
 * Throws a RangeError for a bad window or ordering of a user query; returns the order field and
 * whether it is descending (every adapter alike).
 */
export function checkUserQuery(query: UserQuery): { field: UserOrderField; descending: boolean } {
  checkPageWindow(query)
  const ordering = query.ordering ?? 'id'
  const descending = ordering.startsWith('-')
  const field = (descending ? ordering.slice(1) : ordering) as UserOrderField
  if (!USER_ORDER_FIELDS.includes(field)) {
    throw new RangeError(`ordering must be one of ${USER_ORDER_FIELDS.join(', ')}, or - and one`)
  }
  return { field, descending }
}
