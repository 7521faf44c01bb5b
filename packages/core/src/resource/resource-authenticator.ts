import { readAuthorizationHeader } from '../auth/authorization-header.js'
import type { ErrorCode } from '../errors/error-codes.js'
import { ServiceUnavailableError } from '../errors/request-errors.js'
import type { ClaimsUser } from '../permissions/permission.js'
import { type ClaimsUserOptions, createClaimsUser } from './claims-user.js'
import {
  type ResourceVerifier,
  type ResourceVerifierOptions,
  type ResourceVerifyResult,
  ResourceVerifier as Verifier,
} from './resource-verifier.js'

/** What the `Authorization` header of a request says on a resource server. */
export type ResourceAuthentication =
  | { readonly status: 'anonymous' }
  | { readonly status: 'authenticated'; readonly user: ClaimsUser }
  | {
      readonly status: 'failed'
      readonly code: ErrorCode
      /** For `service_unavailable` (503): seconds to wait before retrying. */
      readonly retryAfterSeconds?: number
    }

/** How the resource-server middlewares read requests and build users. */
export interface ResourceAuthenticatorOptions extends ClaimsUserOptions {
  /** `AUTH_HEADER_TYPES`: the accepted schemes, case-sensitive. Default `['Bearer']`. */
  readonly authHeaderTypes?: readonly string[]
}

/**
 * Options of the resource-server middlewares (`@tessera/express`, `@tessera/fastify`): a
 * verifier's options (or a ready {@link ResourceVerifier} as `verifier`) plus how requests are
 * read.
 */
export type ResourceServerOptions = (
  | ResourceVerifierOptions
  | { readonly verifier: ResourceVerifier }
) &
  ResourceAuthenticatorOptions

const ANONYMOUS: ResourceAuthentication = Object.freeze({ status: 'anonymous' })
const BAD_HEADER: ResourceAuthentication = Object.freeze({
  status: 'failed',
  code: 'bad_authorization_header',
})

/**
 * simplejwt's `JWTAuthentication` for a resource server: the same header rules and failure
 * codes as the auth server's `BearerAuthenticator`, with a {@link ClaimsUser} instead of a user
 * row. Synchronous unless the verifier must fetch the JWKS.
 */
export class ResourceAuthenticator {
  readonly #verifier: ResourceVerifier
  readonly #schemes: ReadonlySet<string>
  readonly #claims: ClaimsUserOptions

  constructor(verifier: ResourceVerifier, options: ResourceAuthenticatorOptions = {}) {
    this.#verifier = verifier
    const schemes = options.authHeaderTypes ?? ['Bearer']
    if (schemes.length === 0) throw new TypeError('authHeaderTypes must name at least one scheme')
    this.#schemes = new Set(schemes)
    this.#claims = {
      ...(options.staffClaim === undefined ? {} : { staffClaim: options.staffClaim }),
      ...(options.superuserClaim === undefined ? {} : { superuserClaim: options.superuserClaim }),
      ...(options.permissionsClaim === undefined
        ? {}
        : { permissionsClaim: options.permissionsClaim }),
    }
  }

  /** The verifier behind this authenticator. */
  get verifier(): ResourceVerifier {
    return this.#verifier
  }

  /** The first accepted scheme: the one the `WWW-Authenticate` challenge names. */
  get challengeScheme(): string {
    return this.#schemes.values().next().value as string
  }

  /** Authenticates from an `Authorization` header value (undefined when absent). */
  authenticate(
    header: string | undefined,
  ): ResourceAuthentication | Promise<ResourceAuthentication> {
    const credentials = readAuthorizationHeader(header, this.#schemes)
    if (credentials.kind === 'none') return ANONYMOUS
    if (credentials.kind === 'malformed') return BAD_HEADER
    const result = this.#verifier.verify(credentials.token, 'access')
    return result instanceof Promise
      ? result.then((settled) => this.#finish(settled))
      : this.#finish(result)
  }

  #finish(result: ResourceVerifyResult): ResourceAuthentication {
    if (!result.ok) {
      const { error } = result
      return error instanceof ServiceUnavailableError
        ? { status: 'failed', code: error.code, retryAfterSeconds: error.retryAfterSeconds }
        : { status: 'failed', code: error.code }
    }
    const { token } = result
    if (token.userId === undefined) return { status: 'failed', code: 'token_no_user_id' }
    return {
      status: 'authenticated',
      user: createClaimsUser({ ...token, userId: token.userId }, this.#claims),
    }
  }
}

/** Builds the authenticator the middlewares use from their options. */
export function createResourceAuthenticator(options: ResourceServerOptions): ResourceAuthenticator {
  const verifier = 'verifier' in options ? options.verifier : new Verifier(options)
  return new ResourceAuthenticator(verifier, options)
}
