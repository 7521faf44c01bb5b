import { NotFoundError } from '../errors/admin-errors.js'
import { KeyError } from '../errors/config-errors.js'
import { ValidationError } from '../errors/request-errors.js'
import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import type { KeyManager, KeySummary, RotationResult } from '../keys/key-manager.js'
import { type AdminActor, auditAdmin } from './admin-actor.js'
import type { ServiceContext } from './service-context.js'

/** A key-ring refusal (another instance rotated, nothing to rotate) as a DRF 400. */
async function keyChange<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change()
  } catch (error) {
    // Key errors name kids and states only (public values), never key material.
    if (error instanceof KeyError) throw new ValidationError({ non_field_errors: [error.message] })
    throw error
  }
}

/** Rotates the key ring (next -> current -> retired); audited as `key_rotated`. */
export async function adminRotateKey(
  context: ServiceContext,
  actor: AdminActor,
  manager: KeyManager,
  alg?: AsymmetricAlgorithm,
): Promise<RotationResult> {
  const result = await keyChange(() => manager.rotate(alg === undefined ? {} : { alg }))
  await auditAdmin(context, actor, 'key_rotated', null, {
    current: result.current.kid,
    retired: result.retired?.kid ?? null,
    next: result.next.kid,
  })
  return result
}

/** Retires one key; {@link NotFoundError} for an unknown kid. Audited as `key_retired`. */
export async function adminRetireKey(
  context: ServiceContext,
  actor: AdminActor,
  manager: KeyManager,
  kid: string,
): Promise<KeySummary> {
  if (!(await manager.list()).some((key) => key.kid === kid)) throw new NotFoundError('key')
  const key = await keyChange(() => manager.retire(kid))
  await auditAdmin(context, actor, 'key_retired', null, { kid })
  return key
}

/**
 * Puts a failed (or pending) message of the outbox back in the queue, due now; 404 for an
 * unknown id, 400 for a message already sent. Audited as `mail_retried`.
 */
export async function adminRetryMail(
  context: ServiceContext,
  actor: AdminActor,
  id: string,
): Promise<void> {
  const { mail } = context.stores
  const message = await mail.findMessage(id)
  if (message === undefined) throw new NotFoundError('message')
  if (!(await mail.retry(message.id, context.clock()))) {
    throw new ValidationError({ non_field_errors: ['This message was sent already.'] })
  }
  await auditAdmin(context, actor, 'mail_retried', message.userId, { message_id: message.id })
}
