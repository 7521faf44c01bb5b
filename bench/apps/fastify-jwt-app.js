// The same Fastify 5 app with @fastify/jwt, as its README sets it up: the plugin with the secret,
// an `authenticate` decoration calling `request.jwtVerify()`, used as the route's onRequest hook.
import fastifyJwt from '@fastify/jwt'
import Fastify from 'fastify'
import { HELLO, HOST, isAccessClaims, PORT, SIGNING_KEY } from './app-settings.js'

const app = Fastify({ logger: false })
await app.register(fastifyJwt, { secret: SIGNING_KEY, verify: { algorithms: ['HS256'] } })
app.decorate('authenticate', async (request, reply) => {
  try {
    await request.jwtVerify()
  } catch (error) {
    return reply.send(error)
  }
  if (!isAccessClaims(request.user)) return reply.code(401).send({ message: 'not an access token' })
})
app.get('/api/hello/', { onRequest: [app.authenticate] }, async () => HELLO)
await app.listen({ host: HOST, port: PORT })
