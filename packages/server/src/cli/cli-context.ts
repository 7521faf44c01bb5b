import {
  AuthService,
  createTokenEngine,
  normalizeUsername,
  type Stores,
  type TokenEngine,
  type TokenSubject,
  type UserRecord,
  usernameKey,
} from '@tessera/core'
import { openServerKeyRing } from '../keys/server-key-ring.js'
import { type Backplane, openBackplane } from '../revocation/open-backplane.js'
import { publishingRevocationWriter } from '../revocation/publishing-writer.js'
import {
  databaseLocation,
  loadServerConfig,
  type ServerConfig,
} from '../settings/load-server-config.js'
import { loadServerSettings } from '../settings/load-server-settings.js'
import type { ServerSettings } from '../settings/server-settings.js'
import { openStores } from '../stores/open-stores.js'
import { CommandError } from './cli-errors.js'
import type { CliIo } from './cli-io.js'

/** What an administrative command works with. */
export interface StoreContext {
  readonly settings: ServerSettings
  readonly stores: Stores
  /** Closes the stores (and their connection). */
  close(): Promise<void>
}

/** A {@link StoreContext} with the services, for commands that revoke tokens. */
export interface AuthContext extends StoreContext {
  readonly config: ServerConfig
  readonly auth: AuthService
}

/** Loads the settings (no signing key needed) and opens the migrated stores. */
export async function openStoreContext(io: CliIo): Promise<StoreContext> {
  const settings = loadServerSettings({ env: io.env, cwd: io.cwd })
  const stores = await openStores(databaseLocation(settings, io.cwd))
  return { settings, stores, close: () => stores.close() }
}

/**
 * Loads the full configuration (signing key included: revocations need the services), opens
 * the stores and the revocation bus the servers listen on, so a cut-off written here (users
 * deactivate, changepassword) reaches every running server at once. On SQLite without Redis
 * there is no bus between processes: servers read it within a second (their reconciliation).
 */
export async function openAuthContext(io: CliIo): Promise<AuthContext> {
  const config = loadServerConfig({ env: io.env, cwd: io.cwd })
  const stores = await openStores(config.database)
  let backplane: Backplane
  try {
    backplane = await openBackplane(config.settings, config.database, { onError: () => {} })
  } catch (error) {
    await stores.close()
    throw error
  }
  const sync = publishingRevocationWriter(stores.revocations, backplane.bus, () =>
    io.stderr.write(
      'warning: the revocation is stored but could not be broadcast; running servers apply it ' +
        'within 30 seconds\n',
    ),
  )
  let tokens: TokenEngine<TokenSubject>
  try {
    // Key-ring mode: the ring the servers use (the store's), read once: the CLI never rotates.
    const keys = await openServerKeyRing(stores, config.settings, { timers: false })
    tokens = createTokenEngine(config.settings, { keyRing: keys.ring })
  } catch (error) {
    await backplane.close()
    await stores.close()
    throw error
  }
  const auth = new AuthService({
    stores,
    settings: config.settings,
    tokens,
    reuseInterval: config.settings.REFRESH_REUSE_INTERVAL,
    revocation: { sync },
    ...(config.profileFields === undefined ? {} : { profileFields: config.profileFields }),
  })
  const close = async () => {
    try {
      await backplane.close()
    } finally {
      await stores.close()
    }
  }
  return { settings: config.settings, config, stores, auth, close }
}

/** Runs `work` with a context, closing the stores whatever happens. */
export async function withContext<C extends StoreContext, T>(
  open: Promise<C>,
  work: (context: C) => Promise<T>,
): Promise<T> {
  const context = await open
  try {
    return await work(context)
  } finally {
    await context.close()
  }
}

/** Finds a user by username the way login does (canonical key); undefined when there is none. */
export function findUser(stores: Stores, username: string): Promise<UserRecord | undefined> {
  return stores.users.findUserByUsernameKey(usernameKey(normalizeUsername(username)))
}

/** Finds a user by username, or fails with Django's "user 'x' does not exist". */
export async function requireUser(stores: Stores, username: string): Promise<UserRecord> {
  const user = await findUser(stores, username)
  if (user === undefined) throw new CommandError(`user '${username}' does not exist`)
  return user
}

/** Epoch seconds now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** Writes an audit event; like core, an audit failure never fails the command. */
export async function recordAudit(
  stores: Stores,
  type: 'user_registered' | 'user_deactivated' | 'user_activated' | 'password_changed',
  userId: string,
  data: Readonly<Record<string, string | boolean>>,
): Promise<void> {
  try {
    await stores.audit.record({ type, at: nowSeconds(), userId, ip: null, data })
  } catch {
    // Best-effort by design, as in core's services.
  }
}
