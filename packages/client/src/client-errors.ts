/** The JSON body of an error answer: DRF's `{"detail", "code"?}` or field errors. */
export type ErrorBody = Readonly<Record<string, unknown>>

/**
 * An answer of the API that is not a success, as a typed error: its status, and the server's
 * `detail` and `code` when it sent them (DRF's body), or its field errors (`{"username": [...]}`).
 */
export class TesseraApiError extends Error {
  override readonly name: string = 'TesseraApiError'
  /** HTTP status. */
  readonly status: number
  /** The server's `detail` message, when its body had one. */
  readonly detail: string | undefined
  /** The server's `code` (`token_not_valid`, `csrf_failed`, ...), when its body had one. */
  readonly code: string | undefined
  /** The whole JSON body (field errors live here), or undefined when it was not JSON. */
  readonly body: ErrorBody | undefined
  /** Seconds to wait, from `Retry-After` (429, 503). */
  readonly retryAfterSeconds: number | undefined

  constructor(status: number, body: ErrorBody | undefined, retryAfterSeconds?: number) {
    const detail = typeof body?.detail === 'string' ? body.detail : undefined
    super(detail ?? `HTTP ${status}`)
    this.status = status
    this.detail = detail
    this.code = typeof body?.code === 'string' ? body.code : undefined
    this.body = body
    this.retryAfterSeconds = retryAfterSeconds
  }

  /** The messages of one field (`error.fieldErrors('username')`), empty when it has none. */
  fieldErrors(field: string): readonly string[] {
    const value = this.body?.[field]
    return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : []
  }
}

/** Thrown by calls that need a session when there is none (never signed in, or it ended). */
export class SessionEndedError extends TesseraApiError {
  override readonly name: string = 'SessionEndedError'
}

/** Reads an error answer into a {@link TesseraApiError}. */
export async function apiError(response: Response): Promise<TesseraApiError> {
  let body: ErrorBody | undefined
  try {
    const parsed: unknown = await response.json()
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      body = parsed as ErrorBody
    }
  } catch {
    body = undefined
  }
  const retryAfter = Number(response.headers.get('retry-after'))
  return new TesseraApiError(
    response.status,
    body,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  )
}
