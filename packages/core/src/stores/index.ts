/**
 * The store contracts: what Tessera persists and the atomicity each call guarantees. Adapters
 * live in subpath modules (`@tessera/core/memory`, `/sqlite`, `/postgres`) so that the main
 * entry never loads a database driver.
 */
export type { AuditEvent, AuditEventType, AuditRecord, AuditStore } from './audit-store.js'
export type {
  ImportedRefreshToken,
  ImportedUser,
  ImportOptions,
  ImportProblem,
  ImportReport,
  ImportSnapshot,
  ImportStore,
} from './import-store.js'
export {
  KeyExistsError,
  type KeyRotation,
  type KeyStore,
  type StoredKey,
  type StoredPublicJwk,
} from './key-store.js'
export type {
  MailOutboxStore,
  NewOutboxMessage,
  OutboxFailure,
  OutboxMessage,
  OutboxStatus,
} from './mail-outbox-store.js'
export type { MfaStore, TotpRecord, TrustedDeviceRecord } from './mfa-store.js'
export type {
  PasskeyChallenge,
  PasskeyChallengePurpose,
  PasskeyDeviceType,
  PasskeyRecord,
  PasskeyStore,
} from './passkey-store.js'
export type { GroupRecord, PermissionRecord, PermissionStore } from './permission-store.js'
export type {
  LiveRevocations,
  RevocationStore,
  RevokedAccessToken,
  RevokedSession,
  RevokedSessions,
  UserTokenCutoff,
} from './revocation-store.js'
export type {
  ConsumeResult,
  NewSession,
  RefreshTokenRecord,
  SessionRecord,
  SessionStore,
} from './session-store.js'
export {
  type MigrationReport,
  StoreInputError,
  type Stores,
  StoreUnavailableError,
} from './stores.js'
export {
  type CreateUserOptions,
  EmailTakenError,
  type NewUser,
  type UserExpectation,
  UsernameTakenError,
  type UserPatch,
  type UserRecord,
  type UserStore,
} from './user-store.js'
