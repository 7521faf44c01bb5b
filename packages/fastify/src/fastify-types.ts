import type {
  AuthService,
  BearerAuthenticator,
  RequestUser,
  ResourceAuthenticator,
  ResourceVerifier,
  Stores,
  UserCache,
} from '@tessera/core'
import type { CookieTransport } from './browser/cookie-transport.js'

/** Per-route switches, under `config.tessera`. */
export interface TesseraRouteConfig {
  /**
   * Authenticate the request from its `Authorization` header. Default true; the token views
   * turn it off, as simplejwt's do (`authentication_classes = ()`).
   */
  readonly authenticate?: boolean
  /**
   * Answer with `Cache-Control: no-store` whatever the outcome, 401s and other errors included:
   * tokens (RFC 6749 5.1) and personal data must not be kept by a cache. Default false; the
   * plugin sets it on every route of its API. Set it on your own routes that answer with
   * personal data.
   */
  readonly noStore?: boolean
}

/** What the plugin exposes on the Fastify instance as `app.tessera`. */
export interface TesseraDecoration {
  readonly auth: AuthService
  readonly stores: Stores
  readonly users: UserCache
  /** Reads the `Authorization` header (the routes that do not authenticate may still look). */
  readonly authenticator: BearerAuthenticator
  /** The `WWW-Authenticate` value of every 401. */
  readonly challenge: string
  /** Cookie mode's cookies and CSRF check; undefined in body mode. */
  readonly cookies: CookieTransport | undefined
}

/** What the verify-only plugin exposes on the Fastify instance as `app.tesseraResource`. */
export interface TesseraResourceDecoration {
  /** Verifies tokens locally (JWKS source, revocation view, `ready()`). */
  readonly verifier: ResourceVerifier
  /** Reads the `Authorization` header into a claims user. */
  readonly authenticator: ResourceAuthenticator
  /** The `WWW-Authenticate` value of every 401. */
  readonly challenge: string
}

declare module 'fastify' {
  interface FastifyInstance {
    tessera: TesseraDecoration
    tesseraResource: TesseraResourceDecoration
  }
  interface FastifyRequest {
    /** The sender: anonymous, or the authenticated user with their verified access token. */
    user: RequestUser
  }
  // The OpenAPI members @fastify/swagger reads; declared here too so the plugin needs no swagger.
  interface FastifySchema {
    summary?: string
    /** A longer, Markdown explanation for the API docs (OpenAPI `description`). */
    description?: string
    tags?: readonly string[]
    /** Left out of the OpenAPI document. */
    hide?: boolean
  }
  interface FastifyContextConfig {
    tessera?: TesseraRouteConfig
  }
}
