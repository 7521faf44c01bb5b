import type { Generated } from 'kysely'

/**
 * An integer key as the drivers return it: pg gives bigint as a decimal string, better-sqlite3
 * a number. The stores turn both into strings.
 */
export type SqlId = string | number

/** A boolean as stored: PostgreSQL `boolean`, SQLite `integer` 0/1 (it has no boolean type). */
export type SqlBool = boolean | number

/** Django's auth_user plus the declared profile fields (JSON text). */
export interface UsersTable {
  id: Generated<SqlId>
  username: string
  username_key: string
  email: string
  /** `emailKey(email)`: what case-insensitive lookups compare (0006). */
  email_key: string
  first_name: string
  last_name: string
  password: string | null
  is_active: SqlBool
  is_staff: SqlBool
  is_superuser: SqlBool
  last_login: number | null
  date_joined: number
  profile: string
}

/** Django's auth_group: `name` is unique. */
export interface GroupsTable {
  id: Generated<SqlId>
  name: string
}

/** Django's auth_permission: (`app_label`, `codename`) is unique. */
export interface PermissionsTable {
  id: Generated<SqlId>
  app_label: string
  codename: string
  name: string
}

/** Group memberships; the composite primary key makes adding twice a no-op. */
export interface UserGroupsTable {
  user_id: SqlId
  group_id: SqlId
}

/** Permissions granted to a user directly. */
export interface UserPermissionsTable {
  user_id: SqlId
  permission_id: SqlId
}

/** Permissions granted to a group. */
export interface GroupPermissionsTable {
  group_id: SqlId
  permission_id: SqlId
}

/** One refresh-token family. */
export interface SessionsTable {
  id: string
  user_id: SqlId
  created_at: number
  last_used_at: number
  expires_at: number
  device: string
  ip: string
  revoked_at: number | null
  revoke_reason: string | null
}

/** One refresh token (by jti) of a family; deleted with its family. */
export interface RefreshTokensTable {
  jti: string
  family_id: string
  user_id: SqlId
  issued_at: number
  expires_at: number
  consumed_at: number | null
  replaced_by: string | null
}

/** User ids here are the `user_id` claim as text: revocations outlive the user row. */
export interface RevokedAccessTokensTable {
  jti: string
  user_id: string
  expires_at: number
  created_at: number
}

/** A revoked session, kept while tokens it minted may still verify. */
export interface RevokedSessionsTable {
  session_id: string
  user_id: string
  expires_at: number
  created_at: number
}

/** Per-user cut-off; `updated_at` is when it last moved (for `loadChangedSince`). */
export interface UserTokenCutoffsTable {
  user_id: string
  not_before: number
  updated_at: number
}

/** User ids as text, without a foreign key: the audit log outlives users. */
export interface AuditEventsTable {
  id: Generated<SqlId>
  at: number
  type: string
  user_id: string | null
  ip: string | null
  data: string
}

/** An asymmetric signing key; `public_jwk` is JSON text. */
export interface SigningKeysTable {
  kid: string
  alg: string
  status: string
  public_jwk: string
  private_key: string
  created_at: number
  activated_at: number | null
  retired_at: number | null
  verify_until: number | null
}

/** One row (`id = 1`): the signing keys' change counter, bumped by every key write. */
export interface SigningKeyVersionTable {
  id: number
  version: SqlId
}

/** One TOTP authenticator per user (migration 0005). */
export interface MfaTotpTable {
  user_id: SqlId
  secret: string
  created_at: number
  confirmed_at: number | null
  last_used_step: SqlId | null
}

/** Recovery codes as SHA-256 digests; `used_at` is set once. */
export interface MfaRecoveryCodesTable {
  user_id: SqlId
  code_hash: string
  created_at: number
  used_at: number | null
}

/** Spent MFA tokens, kept until they expire. */
export interface MfaUsedTokensTable {
  jti: string
  user_id: string
  expires_at: number
}

/** Devices that skip the second factor until `expires_at`. */
export interface MfaTrustedDevicesTable {
  id: string
  user_id: SqlId
  token_hash: string
  device: string
  ip: string
  created_at: number
  expires_at: number
  revoked_at: number | null
}

/** One message of the mail outbox (0006); the body is erased once sent. */
export interface MailOutboxTable {
  id: Generated<SqlId>
  kind: string
  from_address: string
  to_address: string
  subject: string
  body_text: string
  body_html: string | null
  user_id: string | null
  status: string
  attempts: number
  created_at: number
  next_attempt_at: number
  sent_at: number | null
  last_error: string | null
}

/** Passkeys (0008): one WebAuthn credential per row, keyed by its credential id. */
export interface PasskeysTable {
  id: string
  user_id: SqlId
  public_key: string
  counter: SqlId
  /** A JSON array of transport names. */
  transports: string
  name: string
  device_type: string
  backed_up: SqlBool
  created_at: number
  last_used_at: number | null
  cloned_at: number | null
}

/** Challenges of passkey ceremonies, deleted when answered (0008). */
export interface PasskeyChallengesTable {
  challenge: string
  purpose: string
  user_id: SqlId | null
  expires_at: number
}

/** Tessera's tables, as Kysely sees them. */
export interface Database {
  users: UsersTable
  auth_groups: GroupsTable
  auth_permissions: PermissionsTable
  user_groups: UserGroupsTable
  user_permissions: UserPermissionsTable
  group_permissions: GroupPermissionsTable
  sessions: SessionsTable
  refresh_tokens: RefreshTokensTable
  revoked_access_tokens: RevokedAccessTokensTable
  revoked_sessions: RevokedSessionsTable
  user_token_cutoffs: UserTokenCutoffsTable
  audit_events: AuditEventsTable
  signing_keys: SigningKeysTable
  signing_key_version: SigningKeyVersionTable
  mfa_totp: MfaTotpTable
  mfa_recovery_codes: MfaRecoveryCodesTable
  mfa_used_tokens: MfaUsedTokensTable
  mfa_trusted_devices: MfaTrustedDevicesTable
  mail_outbox: MailOutboxTable
  passkeys: PasskeysTable
  passkey_challenges: PasskeyChallengesTable
}
