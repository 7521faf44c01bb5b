import type { IncomingMessage } from 'node:http'
import {
  authenticationFailureResponse,
  bearerChallenge,
  createResourceAuthenticator,
  type RequestUser,
  type ResourceAuthentication,
  type ResourceAuthenticator,
  type ResourceServerOptions,
  type ResourceVerifier,
} from '@tessera/core'
import type { Middleware, TesseraRequest } from './express-types.js'
import { sendResponse } from './responses.js'

const ANONYMOUS: RequestUser = Object.freeze({ isAuthenticated: false })

/** What the guards read from a request the resource middleware saw. */
export interface RequestContext {
  /** The `WWW-Authenticate` value of every 401. */
  readonly challenge: string
}

const CONTEXT = Symbol('tessera.express')

/** The context `tesseraResourceServer` left on `request`, if it ran. */
export function requestContext(request: IncomingMessage): RequestContext | undefined {
  return (request as IncomingMessage & { [CONTEXT]?: RequestContext })[CONTEXT]
}

/** The middleware `tesseraResourceServer` returns, with its verifier at hand. */
export interface TesseraResourceMiddleware extends Middleware {
  /** The verifier behind the middleware (JWKS source, revocation view). */
  readonly verifier: ResourceVerifier
  /** Resolves once the first JWKS is loaded and the revocation view vouches. */
  ready(): Promise<void>
  /** Stops the revocation sync's timers. */
  close(): void
}

/**
 * Express middleware for a resource server: authenticates `Authorization: <scheme> <token>`
 * (schemes from `authHeaderTypes`, default `Bearer`) with a {@link ResourceVerifier} and sets
 * `req.user`, a claims user or anonymous. As DRF, a bad token is a 401 on every route, with
 * the same body and `WWW-Authenticate` challenge as the Fastify plugin; a revocation view
 * failing closed (or a JWKS never fetched) is a 503 with `Retry-After`. Works with Express 4
 * and 5.
 *
 * @example
 * app.use(tesseraResourceServer({ issuer: 'https://auth.example.com', audience: 'api' }))
 * app.get('/articles', requirePermission(isAuthenticated), listArticles)
 */
export function tesseraResourceServer(options: ResourceServerOptions): TesseraResourceMiddleware {
  const authenticator: ResourceAuthenticator = createResourceAuthenticator(options)
  const context: RequestContext = {
    challenge: bearerChallenge(authenticator.challengeScheme),
  }
  const { challenge } = context
  const middleware: Middleware = (request, response, next) => {
    const tagged = request as TesseraRequest & { [CONTEXT]?: RequestContext }
    tagged[CONTEXT] = context
    tagged.user = ANONYMOUS
    const finish = (result: ResourceAuthentication): void => {
      if (result.status === 'anonymous') {
        next()
        return
      }
      if (result.status === 'failed') {
        sendResponse(
          response,
          authenticationFailureResponse(result.code, {
            challenge,
            retryAfterSeconds: result.retryAfterSeconds,
          }),
        )
        return
      }
      tagged.user = result.user
      next()
    }
    let result: ResourceAuthentication | Promise<ResourceAuthentication>
    try {
      result = authenticator.authenticate(request.headers.authorization)
    } catch (error) {
      next(error)
      return
    }
    if (result instanceof Promise) result.then(finish, next)
    else finish(result)
  }
  const verifier = authenticator.verifier
  return Object.assign(middleware, {
    verifier,
    ready: () => verifier.ready(),
    close: () => verifier.close(),
  })
}
