import {
  bearerChallenge,
  createResourceAuthenticator,
  type ResourceAuthentication,
  type ResourceServerOptions,
} from '@tessera/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { sendAuthenticationFailure } from './drf-responses.js'
import { prepareRequest } from './route-preamble.js'
import './fastify-types.js'

/** Options of {@link tesseraResourceServer}: a verifier's options and how requests are read. */
export type TesseraResourceServerOptions = ResourceServerOptions

async function resourceServer(
  app: FastifyInstance,
  options: TesseraResourceServerOptions,
): Promise<void> {
  const authenticator = createResourceAuthenticator(options)
  const verifier = authenticator.verifier
  const challenge = bearerChallenge(authenticator.challengeScheme)
  app.decorate('tesseraResource', { verifier, authenticator, challenge })
  app.decorateRequest('user', null as never)
  app.addHook('onClose', async () => verifier.close())

  const finish = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
    result: ResourceAuthentication,
  ): void => {
    if (result.status === 'failed') {
      sendAuthenticationFailure(reply, result.code, challenge, result.retryAfterSeconds)
      return
    }
    if (result.status === 'authenticated') request.user = result.user
    done()
  }
  // DRF authenticates before permissions: a bad token is a 401 even on a public route.
  app.addHook('onRequest', function authenticate(request, reply, done) {
    if (!prepareRequest(request, reply)) {
      done()
      return
    }
    const result = authenticator.authenticate(request.headers.authorization)
    if (result instanceof Promise) {
      result.then(
        (settled) => finish(request, reply, done, settled),
        (error: unknown) => done(error as Error),
      )
    } else finish(request, reply, done, result)
  })
}

/**
 * The verify-only Fastify plugin for resource servers: no routes, no stores. It verifies the
 * bearer token of every request locally with a `ResourceVerifier` (keys from the issuer's JWKS
 * or static keys, optional revocation bus) and sets `request.user` to a claims user or
 * anonymous, answering bad tokens with the same 401 bodies and challenge as
 * {@link tesseraPlugin}. Use {@link guard} with the core permissions on your routes.
 *
 * @example
 * await app.register(tesseraResourceServer, { issuer: 'https://auth.example.com', audience: 'api' })
 * app.get('/articles', { preHandler: guard(isAuthenticated) }, listArticles)
 */
export const tesseraResourceServer = fp(resourceServer, {
  name: '@tessera/fastify/resource-server',
  fastify: '5.x',
})
