import type { ErrorCode } from '../errors/error-codes.js'
import { RevocationUnavailableError } from '../errors/request-errors.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import type { TokenVerifier } from '../tokens/token-verifier.js'

/** What the `Authorization` header of a request says about its sender. */
export type Authentication =
  | { readonly status: 'anonymous' }
  | { readonly status: 'authenticated'; readonly userId: string; readonly token: VerifiedToken }
  | {
      readonly status: 'failed'
      readonly code: ErrorCode
      /** Set when the token is genuine but its revocation could not be checked (503). */
      readonly genuine?: VerifiedToken
    }

/** JWS compact characters only: such a value has no whitespace to split on. */
const TOKEN_TEXT = /^[A-Za-z0-9_.-]+$/

const ANONYMOUS: Authentication = Object.freeze({ status: 'anonymous' })
const BAD_HEADER: Authentication = Object.freeze({
  status: 'failed',
  code: 'bad_authorization_header',
})

/**
 * simplejwt's `JWTAuthentication`, framework-agnostic and synchronous: no header or another
 * scheme is anonymous; the scheme with zero or several values is `bad_authorization_header`;
 * otherwise the value must be a valid access token with a user id. The framework plugins are
 * thin shells over this one function.
 */
export class BearerAuthenticator {
  readonly #verifier: TokenVerifier
  readonly #schemes: ReadonlySet<string>

  /** `headerTypes` is `AUTH_HEADER_TYPES` (default `['Bearer']`); the match is case-sensitive, as in simplejwt. */
  constructor(verifier: TokenVerifier, headerTypes: readonly string[] = ['Bearer']) {
    this.#verifier = verifier
    this.#schemes = new Set(headerTypes)
  }

  /** Authenticates from an `Authorization` header value (undefined when absent). */
  authenticate(header: string | undefined): Authentication {
    if (header === undefined) return ANONYMOUS
    // The common case, `Bearer <token>` with one space and a token without whitespace, splits
    // the same as below without the split's allocations.
    const space = header.indexOf(' ')
    if (space > 0) {
      const token = header.slice(space + 1)
      if (this.#schemes.has(header.slice(0, space)) && TOKEN_TEXT.test(token)) {
        return this.#verify(token)
      }
    }
    // Python's str.split(): any run of whitespace separates, leading/trailing ignored.
    const parts = header.trim().split(/\s+/)
    const scheme = parts[0]
    if (scheme === undefined || scheme === '' || !this.#schemes.has(scheme)) return ANONYMOUS
    if (parts.length !== 2) return BAD_HEADER
    return this.#verify(parts[1] as string)
  }

  #verify(bearer: string): Authentication {
    const result = this.#verifier.verify(bearer, 'access')
    if (!result.ok) {
      const { error } = result
      return error instanceof RevocationUnavailableError
        ? { status: 'failed', code: error.code, genuine: error.token }
        : { status: 'failed', code: error.code }
    }
    const userId = result.token.userId
    if (userId === undefined) return { status: 'failed', code: 'token_no_user_id' }
    return { status: 'authenticated', userId, token: result.token }
  }
}
