// The floor of any Fastify server on this machine: Fastify 5 alone, one route answering the hello
// JSON through a response schema (as Tessera's does), no logger, no hooks, no token checked.
// Not a peer: a reference row telling what the framework Tessera is built on costs by itself.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
const schema = {
  response: {
    200: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
  },
}
app.get('/api/hello/', { schema }, (_request, reply) => {
  reply.send({ msg: 'Hello Peter Parker' })
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
