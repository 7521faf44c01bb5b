import type { NewSession } from './session-store.js'
import type { UserRecord } from './user-store.js'

/** A user as another system (Django's `auth_user`) has it: its id is kept. */
export type ImportedUser = Omit<UserRecord, 'usernameKey' | 'profile'>

/** A refresh token the other system issued (simplejwt's outstanding tokens), and its state. */
export interface ImportedRefreshToken {
  readonly jti: string
  readonly userId: string
  /** Epoch seconds. */
  readonly issuedAt: number
  /** Epoch seconds. */
  readonly expiresAt: number
  /** On the other system's blacklist. */
  readonly blacklisted: boolean
}

/**
 * What an import writes: the users (ids kept), the permissions (`app_label.codename`), the groups
 * with their permissions, each user's groups and direct permissions, and the refresh tokens.
 */
export interface ImportSnapshot {
  readonly users: readonly ImportedUser[]
  readonly permissions: readonly {
    readonly appLabel: string
    readonly codename: string
    readonly name: string
  }[]
  readonly groups: readonly { readonly name: string; readonly permissions: readonly string[] }[]
  readonly userGroups: readonly { readonly userId: string; readonly group: string }[]
  readonly userPermissions: readonly { readonly userId: string; readonly permission: string }[]
  readonly refreshTokens: readonly ImportedRefreshToken[]
}

/** A row the import left out, and why (the rest is imported). */
export interface ImportProblem {
  readonly table: 'user' | 'refresh_token'
  readonly id: string
  readonly reason: string
}

/** What an import did (or, in a dry run, would do). */
export interface ImportReport {
  readonly users: {
    readonly created: readonly string[]
    readonly updated: readonly string[]
    readonly unchanged: number
  }
  readonly permissions: number
  readonly groups: number
  /** Users whose groups or direct permissions were set (they mirror the source). */
  readonly linksChanged: number
  readonly sessions: {
    /** Outstanding refresh tokens made sessions (refreshable here). */
    readonly created: number
    /** Imported sessions ended because their token was blacklisted at the source since. */
    readonly revoked: number
    /** Already imported, or blacklisted or expired and never imported: nothing to do. */
    readonly unchanged: number
  }
  readonly problems: readonly ImportProblem[]
}

/** Options of {@link ImportStore.importSnapshot}. */
export interface ImportOptions {
  /** Compute the report, write nothing. */
  readonly dryRun: boolean
  /** Epoch seconds: tokens that expired by then are not made sessions. */
  readonly now: number
  /** Makes the id of each new session. */
  readonly newSessionId: () => string
}

/**
 * Imports users, groups, permissions and sessions from another system. Atomicity: one
 * transaction, all or nothing; a row that cannot be imported (a username another user holds
 * here, text a store refuses, a token of a left-out user) is reported and left out, and so is
 * everything that hangs on it, before anything is written. Idempotent: importing the same
 * snapshot again changes nothing and reports so; a later snapshot updates the users, mirrors
 * their groups and permissions, adds new sessions and ends the sessions of newly blacklisted
 * tokens. Ids are kept, and the id sequence moves past them.
 */
export interface ImportStore {
  importSnapshot(snapshot: ImportSnapshot, options: ImportOptions): Promise<ImportReport>
}

/** What the import reads of the current state before it plans. */
export interface ImportState {
  /** Users by id, for the ids the snapshot names. */
  readonly usersById: ReadonlyMap<string, UserRecord>
  /** User ids by username key, for the keys the snapshot's users would take. */
  readonly userIdByKey: ReadonlyMap<string, string>
  /** Each user's group names and `app_label.codename` permissions, for the snapshot's users. */
  readonly links: ReadonlyMap<
    string,
    { groups: ReadonlySet<string>; permissions: ReadonlySet<string> }
  >
  /** Family ids and whether revoked, by jti, for the snapshot's tokens. */
  readonly tokens: ReadonlyMap<string, { readonly familyId: string; readonly revoked: boolean }>
}

/** The writes of an import, decided from the snapshot and the state. */
export interface ImportPlan {
  readonly insertUsers: readonly UserRecord[]
  readonly updateUsers: readonly UserRecord[]
  /** Users whose links are set to exactly these. */
  readonly setLinks: readonly {
    readonly userId: string
    readonly groups: readonly string[]
    readonly permissions: readonly string[]
  }[]
  readonly newSessions: readonly NewSession[]
  readonly revokeFamilies: readonly string[]
  readonly report: ImportReport
}
