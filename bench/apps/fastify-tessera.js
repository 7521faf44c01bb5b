// A user's Fastify 5 app protecting a route with @tessera/fastify: the verify-only plugin with a
// static HS256 key (no JWKS, no user lookup) and the guard requiring an authenticated user.
import { isAuthenticated } from '@tessera/core'
import { guard, tesseraResourceServer } from '@tessera/fastify'
import Fastify from 'fastify'
import { HELLO, HOST, PORT, SIGNING_KEY } from './app-settings.js'

const app = Fastify({ logger: false })
await app.register(tesseraResourceServer, { keys: [{ alg: 'HS256', secret: SIGNING_KEY }] })
app.get('/api/hello/', { preHandler: guard(isAuthenticated) }, async () => HELLO)
await app.listen({ host: HOST, port: PORT })
