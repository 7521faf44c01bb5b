import type { UserRecord } from '../stores/user-store.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'
import { endAllSessions } from './session-endings.js'

/**
 * The last step of every password change by its owner (`/api/password/change/`, djoser's
 * `set_password`): the new hash stored, every session of the user ended on every instance,
 * audited. Undefined when the user is gone.
 */
export async function storeNewPassword(
  context: ServiceContext,
  userId: string,
  newPassword: string,
  request: RequestContext,
): Promise<UserRecord | undefined> {
  const updated = await context.stores.users.updateUser(userId, {
    password: await context.hasher.hash(newPassword),
  })
  if (updated === undefined) return undefined
  await context.revocation.userChanged(userId)
  await endAllSessions(context, userId, { reason: 'password_change', by: 'user', ip: request.ip })
  await audit(context, { type: 'password_changed', userId, ip: request.ip, data: {} })
  return updated
}
