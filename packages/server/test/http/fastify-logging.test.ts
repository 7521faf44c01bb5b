import Fastify from 'fastify'
import { describe, expect, it, vi } from 'vitest'
import { fastifyLogging } from '../../src/http/fastify-logging.js'
import { createLogger } from '../../src/http/logger-options.js'
import type { AccessLogLevel, LogLevel } from '../../src/settings/server-settings.js'

/** A Fastify app set up as the server sets it up, logging JSON lines at `level` into an array. */
async function appLoggingAt(level: LogLevel, accessLog: AccessLogLevel = 'info') {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({ level, stream: { write: (line) => lines.push(JSON.parse(line)) } })
  const logging = fastifyLogging(logger, accessLog)
  const app = Fastify({ ...logging.options, genReqId: () => 'req-1' })
  if (logging.appLog !== undefined) app.log = logging.appLog
  const { bindRequestLogger, startAccessLine } = logging
  if (bindRequestLogger !== undefined) {
    app.addHook('onRequest', (request, reply, done) => {
      bindRequestLogger(request, reply)
      startAccessLine?.(request, reply)
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
  app.get('/items/:id', async (request) => {
    // What Tessera's authentication hook leaves for a signed-in sender.
    Object.assign(request, { user: { isAuthenticated: true, id: '42' } })
    return { ok: true }
  })
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

  it('at info: one access line per request, after the route lines; no "incoming request"', async () => {
    const { app, lines } = await appLoggingAt('info')
    await app.inject({ url: '/' })
    const messages = lines.filter((line) => line.reqId === 'req-1').map((line) => line.msg)
    expect(messages).toEqual(['a route warning', 'request'])
    const access = lines.find((line) => line.msg === 'request')
    expect(access).toMatchObject({ level: 30, method: 'GET', route: '/', status: 200 })
    expect(access?.ms).toBeTypeOf('number')
    expect(access?.userId).toBeUndefined()
    await app.close()
  })

  it('the access line names the route pattern and the user, never the URL or its query', async () => {
    const { app, lines } = await appLoggingAt('info')
    const secret = 'eyJhbGciOiJIUzI1NiJ9.secret.token'
    await app.inject({ url: `/items/7?token=${secret}` })
    await app.inject({ url: `/nowhere/${secret}?refresh=${secret}` })
    const access = lines.filter((line) => line.msg === 'request')
    expect(
      access.map(({ method, route, status, userId }) => ({ method, route, status, userId })),
    ).toEqual([
      { method: 'GET', route: '/items/:id', status: 200, userId: '42' },
      { method: 'GET', route: null, status: 404, userId: undefined },
    ])
    expect(JSON.stringify(lines)).not.toContain('secret')
    expect(Object.keys(access[0] ?? {}).sort()).toEqual(
      [
        'hostname',
        'level',
        'method',
        'ms',
        'msg',
        'pid',
        'reqId',
        'route',
        'status',
        'time',
        'userId',
      ].sort(),
    )
    await app.close()
  })

  it('at debug: "incoming request" at debug, then the access line', async () => {
    const { app, lines } = await appLoggingAt('debug')
    await app.inject({ url: '/quiet' })
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 20, msg: 'incoming request' },
      { level: 30, msg: 'request' },
    ])
    await app.close()
  })

  it('ACCESS_LOG=off, or a level the logger does not write: no request line and no logger work', async () => {
    for (const [level, accessLog] of [
      ['info', 'off'],
      ['info', 'debug'],
      ['warn', 'info'],
    ] as const) {
      const { app, lines, logger } = await appLoggingAt(level, accessLog)
      const asked = vi.spyOn(logger, 'isLevelEnabled')
      expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200)
      expect(asked).not.toHaveBeenCalled()
      expect(lines).toEqual([])
      await app.close()
    }
  })

  it('ACCESS_LOG=debug at LOG_LEVEL=debug writes the access line at debug', async () => {
    const { app, lines } = await appLoggingAt('debug', 'debug')
    await app.inject({ url: '/quiet' })
    expect(lines.find((line) => line.msg === 'request')?.level).toBe(20)
    await app.close()
  })
})
