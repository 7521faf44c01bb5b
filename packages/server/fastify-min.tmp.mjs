import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/api/hello/', async () => ({ msg: 'Hello Peter Parker' }))
await app.listen({ port: 8792, host: '127.0.0.1' })
