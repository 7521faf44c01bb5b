import { TesseraError } from './tessera-error.js'

/**
 * The actor may read but not make this change (DRF's 403 "You do not have permission to
 * perform this action."): a staff member without the model permission, or one who is not a
 * superuser touching `is_staff`/`is_superuser`.
 */
export class PermissionDeniedError extends TesseraError {
  constructor(reason: string) {
    super('permission_denied', reason)
  }
}

/** The object of an admin request does not exist: 404 "Not found.". */
export class NotFoundError extends TesseraError {
  constructor(what: string) {
    super('not_found', `${what} not found`)
  }
}

/** A page number past the last page, or not a positive integer: DRF's 404 "Invalid page.". */
export class InvalidPageError extends TesseraError {
  constructor() {
    super('invalid_page', 'no such page')
  }
}
