import { ValidationError } from '../errors/request-errors.js'
import type { PasskeyRecord } from '../stores/passkey-store.js'
import { isStorableText } from '../users/char-field.js'
import { MAX_PASSKEY_NAME_LENGTH } from './passkey-ceremonies.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'

/** A user's passkeys, oldest first (their own list, or an admin's view). */
export function listPasskeys(context: ServiceContext, userId: string): Promise<PasskeyRecord[]> {
  return context.stores.passkeys.listPasskeys(userId)
}

/**
 * Renames one passkey of `userId`; false when it is not theirs or unknown. Throws
 * `ValidationError` for a blank name, one over 128 characters, or text no store can hold.
 */
export async function renamePasskey(
  context: ServiceContext,
  userId: string,
  id: string,
  name: unknown,
  request: RequestContext,
): Promise<boolean> {
  if (typeof name !== 'string' || name.trim() === '' || !isStorableText(name)) {
    throw new ValidationError({ name: ['This field may not be blank.'] })
  }
  if (name.length > MAX_PASSKEY_NAME_LENGTH) {
    throw new ValidationError({
      name: [`Ensure this field has no more than ${MAX_PASSKEY_NAME_LENGTH} characters.`],
    })
  }
  const renamed = await context.stores.passkeys.renamePasskey(userId, id, name.trim())
  if (renamed) {
    await audit(context, {
      type: 'passkey_renamed',
      userId,
      ip: request.ip,
      data: { passkey: id, name: name.trim() },
    })
  }
  return renamed
}

/**
 * Deletes one passkey of `userId`; false when it is not theirs or unknown. Sessions it opened
 * stay (like a password change's own device): logout everywhere ends them.
 */
export async function deletePasskey(
  context: ServiceContext,
  userId: string,
  id: string,
  request: RequestContext,
): Promise<boolean> {
  const deleted = await context.stores.passkeys.deletePasskey(userId, id)
  if (deleted) {
    await audit(context, { type: 'passkey_deleted', userId, ip: request.ip, data: { passkey: id } })
  }
  return deleted
}
