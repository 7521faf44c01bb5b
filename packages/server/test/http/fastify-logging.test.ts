import Fastify from 'fastify'
import { describe, expect, it, vi } from 'vitest'
import { fastifyLogging } from '../../src/http/fastify-logging.js'
import { createLogger } from '../../src/http/logger-options.js'
import type { LogLevel } from '../../src/settings/server-settings.js'

/** A Fastify app set up as the server sets it up, logging JSON lines at `level` into an array. */
async function appLoggingAt(level: LogLevel) {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({ level, stream: { write: (line) => lines.push(JSON.parse(line)) } })
  const logging = fastifyLogging(logger)
  const app = Fastify({ ...logging.options, genReqId: () => 'req-1' })
  if (logging.appLog !== undefined) app.log = logging.appLog
  const { bindRequestLogger } = logging
  if (bindRequestLogger !== undefined) {
    app.addHook('onRequest', (request, reply, done) => {
      bindRequestLogger(request, reply)
      done()
    })
  }
  app.get('/', async (request) => {
    request.log.warn({ step: 'route' }, 'a route warning')
    return { ok: true }
  })
  // Fastify's own warning: the reply is sent twice.
  app.get('/twice', (_request, reply) => {
    reply.send({ first: true })
    reply.send({ second: true })
  })
  app.get('/quiet', async () => ({ ok: true }))
  app.get('/fails', async () => {
    throw new Error('route failed')
  })
  await app.ready()
  return { app, lines, logger }
}

describe('fastifyLogging', () => {
  it('above info: request, route, Fastify and application lines are written, no request lines', async () => {
    const { app, lines } = await appLoggingAt('warn')
    expect((await app.inject({ url: '/' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/twice' })).json()).toEqual({ first: true })
    app.log.warn('an application warning')
    app.log.info('an application info line')
    expect(lines.map(({ reqId, msg, step }) => ({ reqId, msg, step }))).toEqual([
      { reqId: 'req-1', msg: 'a route warning', step: 'route' },
      { reqId: 'req-1', msg: expect.stringContaining('Reply was already sent'), step: undefined },
      { reqId: undefined, msg: 'an application warning', step: undefined },
    ])
    expect(lines.every((line) => line.level === 40)).toBe(true)
    await app.close()
  })

  it('above info: a request that logs nothing does not reach the logger; errors still do', async () => {
    const { app, lines, logger } = await appLoggingAt('warn')
    const asked = vi.spyOn(logger, 'isLevelEnabled')
    expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200)
    expect(asked).not.toHaveBeenCalled()
    expect(lines).toEqual([])
    expect((await app.inject({ url: '/fails' })).statusCode).toBe(500)
    expect(lines.map(({ reqId, level, msg }) => ({ reqId, level, msg }))).toEqual([
      { reqId: 'req-1', level: 50, msg: 'route failed' },
    ])
    await app.close()
  })

  it('at info: Fastify writes its request lines around the route lines', async () => {
    const { app, lines } = await appLoggingAt('info')
    await app.inject({ url: '/' })
    const messages = lines.filter((line) => line.reqId === 'req-1').map((line) => line.msg)
    expect(messages).toEqual(['incoming request', 'a route warning', 'request completed'])
    const completed = lines.find((line) => line.msg === 'request completed')
    expect(completed?.res).toEqual({ statusCode: 200 })
    expect(typeof completed?.responseTime).toBe('number')
    await app.close()
  })
})
