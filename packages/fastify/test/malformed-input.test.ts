import fc from 'fast-check'
import type { FastifyInstance, HTTPMethods } from 'fastify'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildContractApp } from './contract-app.js'
import {
  bearer,
  expectBody,
  login,
  NOT_FOUND,
  postJson,
  registerUser,
  send,
} from './contract-helpers.js'

// api-contract.md, "General rules": never a 500 nor a stack for malformed input, a small fuzz
// of bodies and headers included. `send` checks the header rules on every response.

let app: FastifyInstance
let access: string

beforeAll(async () => {
  ;({ app } = await buildContractApp({ plugin: { throttleRates: { loginIp: null } } }))
  await registerUser(app)
  ;({ access } = await login(app))
})

describe('malformed input: never a 500, never a stack', () => {
  const POSTS = [
    '/api/token/',
    '/api/token/refresh/',
    '/api/token/verify/',
    '/api/token/blacklist/',
    '/api/register/',
    '/api/password/change/',
    '/api/me/',
  ]

  test('a body without a content type is a 415 naming the empty media type, as DRF', async () => {
    const response = await send(app, {
      method: 'POST',
      url: '/api/token/',
      payload: Buffer.from('{"username":"a"}'),
    })
    expectBody(response, 415, { detail: 'Unsupported media type "" in request.' })
  })

  test.each([
    [
      'prototype pollution',
      'application/json',
      '{"__proto__":{"isStaff":true},"username":"a","password":"b"}',
    ],
    [
      'constructor.prototype',
      'application/json',
      '{"constructor":{"prototype":{"x":1}},"token":"a"}',
    ],
    ['deep nesting', 'application/json', `${'['.repeat(8000)}${']'.repeat(8000)}`],
    ['huge number', 'application/json', `{"username":1e999999,"password":${'9'.repeat(5000)}}`],
    ['lone surrogate', 'application/json', '{"username":"\\ud800","password":"\\udfff"}'],
    ['NUL bytes', 'application/json', '{"username":"a\\u0000b","password":"\\u0000"}'],
    ['BOM', 'application/json', '\ufeff{"username":"a","password":"b"}'],
    [
      'invalid UTF-8',
      'application/json',
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    ],
    [
      'repeated form keys',
      'application/x-www-form-urlencoded',
      'username=a&username=b&password=x&token=1&token=2&refresh=r',
    ],
    [
      'bracket form keys',
      'application/x-www-form-urlencoded',
      'username[]=a&password[x]=b&__proto__[a]=1',
    ],
    [
      'bad percent-encoding',
      'application/x-www-form-urlencoded',
      'username=%ZZ%&password=%E0%A4%A&token=%',
    ],
    ['empty content type', '', '{}'],
    ['garbage content type', ';;;/', '{}'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['form with JSON inside', 'application/x-www-form-urlencoded', '{"username":"a"}'],
  ] as const)('%s', async (_name, contentType, payload) => {
    for (const url of POSTS) {
      const response = await send(app, {
        method: url === '/api/me/' ? 'PATCH' : 'POST',
        url,
        payload,
        headers: { 'content-type': contentType, ...bearer(access) },
      })
      // PATCH /api/me/ ignores members it does not know, as DRF does.
      const expected = url === '/api/me/' ? [200, 400, 415] : [400, 401, 413, 415, 429]
      expect(expected).toContain(response.statusCode)
    }
  })

  test('random JSON values on every endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POSTS),
        fc.jsonValue({ maxDepth: 4 }),
        async (url, value) => {
          const response = await postJson(app, url, JSON.stringify(value) ?? 'null', bearer(access))
          expect(response.statusCode).toBeLessThan(500)
        },
      ),
      { numRuns: 150 },
    )
  })

  test('random raw bytes under JSON and form content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POSTS),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
        fc.uint8Array({ maxLength: 200 }),
        async (url, contentType, bytes) => {
          await send(app, {
            method: 'POST',
            url,
            payload: Buffer.from(bytes),
            headers: { 'content-type': contentType },
          })
        },
      ),
      { numRuns: 150 },
    )
  })

  test('random Authorization headers on protected, public and token routes', async () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 120,
    })
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/hello/', '/api/me/', '/api/sessions/', '/api/nope/'),
        fc.oneof(
          printable,
          printable.map((s) => `Bearer ${s}`),
          printable.map((s) => `Bearer ${s.replaceAll(' ', '.')}`),
        ),
        async (url, authorization) => {
          const response = await send(app, { method: 'GET', url, headers: { authorization } })
          expect([200, 401, 404]).toContain(response.statusCode)
        },
      ),
      { numRuns: 200 },
    )
  })

  test.each([
    ['an 8 KiB+ token', `Bearer ${'a'.repeat(9000)}.${'b'.repeat(9000)}.c`],
    ['100k dots', `Bearer ${'.'.repeat(100_000)}`],
    ['five segments (JWE)', 'Bearer a.b.c.d.e'],
    [
      'alg none',
      `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"user_id":"1"}').toString('base64url')}.`,
    ],
    ['non-JSON header', `Bearer ${Buffer.from('nope').toString('base64url')}.e30.x`],
    ['tabs between values', 'Bearer\tabc'],
  ])('a bearer token with %s is a 401, never a 500', async (_name, authorization) => {
    const response = await send(app, {
      method: 'GET',
      url: '/api/hello/',
      headers: { authorization },
    })
    expect(response.statusCode).toBe(401)
  })

  test('odd session ids are 404', async () => {
    for (const id of ['..%2F..%2Fetc', '%00', 'x'.repeat(100), "1' OR '1'='1", '-1', '1e3']) {
      const url = `/api/sessions/${id}/`
      expectBody(
        await send(app, { method: 'DELETE', url, headers: bearer(access) }),
        404,
        NOT_FOUND,
      )
    }
  })

  test("an id over Fastify's maxParamLength (100) stops in the router: 414, not the plugin", async () => {
    // Fastify answers this itself (FST_ERR_MAX_PARAM_LENGTH) before any route or plugin hook;
    // only the host application's `frameworkErrors` option can reshape it.
    const response = await app.inject({
      method: 'DELETE',
      url: `/api/sessions/${'x'.repeat(101)}/`,
      headers: bearer(access),
    })
    expect(response.statusCode).toBe(414)
    expect(response.body).not.toMatch(/\n\s+at /)
  })

  test('query strings are ignored', async () => {
    const response = await send(app, {
      method: 'GET',
      url: '/api/hello/?__proto__[x]=1&a=%ZZ&a=2',
      headers: bearer(access),
    })
    expectBody(response, 200, { msg: 'Hello Peter Parker' })
  })

  test('methods Fastify does not route are still JSON and not a 500', async () => {
    for (const method of ['TRACE', 'PROPFIND', 'SEARCH'] as HTTPMethods[]) {
      const response = await send(app, { method, url: '/api/token/' })
      expect(response.statusCode).toBeLessThan(500)
    }
  })
})
