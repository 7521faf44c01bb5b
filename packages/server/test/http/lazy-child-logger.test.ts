import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { lazyChildLoggerFactory } from '../../src/http/lazy-child-logger.js'

/** A Fastify app logging JSON lines at `level` into an array, with the lazy child factory. */
async function appLoggingAt(level: string) {
  const lines: Record<string, unknown>[] = []
  const app = Fastify({
    logger: { level, stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId: () => 'req-1',
  })
  app.get('/', async (request) => {
    request.log.info({ step: 'info' }, 'an info line')
    request.log.warn({ step: 'warn' }, 'a warning')
    request.log.child({ part: 'db' }).error('a child error')
    return { ok: true }
  })
  await app.ready()
  return { app, lines }
}

describe('lazyChildLoggerFactory', () => {
  it('writes enabled levels with the request id bound, and nothing for disabled ones', async () => {
    const { app, lines } = await appLoggingAt('warn')
    expect((await app.inject({ url: '/' })).statusCode).toBe(200)
    const written = lines.map(({ reqId, msg, step, part }) => ({ reqId, msg, step, part }))
    expect(written).toEqual([
      { reqId: 'req-1', msg: 'a warning', step: 'warn', part: undefined },
      { reqId: 'req-1', msg: 'a child error', step: undefined, part: 'db' },
    ])
    await app.close()
  })

  it("keeps Fastify's own request lines at info", async () => {
    const { app, lines } = await appLoggingAt('info')
    await app.inject({ url: '/' })
    const messages = lines.filter((line) => line.reqId === 'req-1').map((line) => line.msg)
    expect(messages).toEqual([
      'incoming request',
      'an info line',
      'a warning',
      'a child error',
      'request completed',
    ])
    await app.close()
  })
})
