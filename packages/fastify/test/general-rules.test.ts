import type { FastifyInstance } from 'fastify'
import { beforeEach, describe, expect, test } from 'vitest'
import { buildContractApp } from './contract-app.js'
import {
  BAD_CREDENTIALS,
  expectBody,
  get,
  login,
  PETER,
  postForm,
  postJson,
  registerUser,
  send,
  TOKEN_ENDPOINTS,
} from './contract-helpers.js'

// api-contract.md, "General rules": bodies in, bodies out, paths, validation errors.

let app: FastifyInstance
let pair: { refresh: string; access: string }

beforeEach(async () => {
  ;({ app } = await buildContractApp())
  await registerUser(app)
  pair = await login(app)
})

/** A valid body for each token endpoint. */
function validFields(url: string): Record<string, string> {
  if (url === '/api/token/') return { ...PETER }
  if (url === '/api/token/verify/') return { token: pair.access }
  return { refresh: pair.refresh }
}

describe('JSON and form bodies', () => {
  test.each(TOKEN_ENDPOINTS)('%s accepts JSON', async (url) => {
    const response = await postJson(app, url, validFields(url))
    expect(response.statusCode).toBe(200)
  })

  test.each(TOKEN_ENDPOINTS)('%s accepts an HTML form body, as DRF does', async (url) => {
    const response = await postForm(app, url, validFields(url))
    expect(response.statusCode).toBe(200)
  })

  test('a form login answers the same pair shape as JSON', async () => {
    const response = await postForm(app, '/api/token/', PETER)
    expect(Object.keys(response.json())).toEqual(['refresh', 'access'])
  })

  test('JSON with a charset parameter is JSON', async () => {
    const response = await postJson(
      app,
      '/api/token/verify/',
      { token: pair.access },
      {
        'content-type': 'application/json; charset=utf-8',
      },
    )
    expectBody(response, 200, {})
  })

  test('form field errors are DRF field errors too', async () => {
    expectBody(await postForm(app, '/api/token/', { username: 'peter' }), 400, {
      password: ['This field is required.'],
    })
  })
})

describe('415 for other media types', () => {
  test.each(TOKEN_ENDPOINTS)('%s: text/plain', async (url) => {
    const response = await send(app, {
      method: 'POST',
      url,
      payload: 'username=peter',
      headers: { 'content-type': 'text/plain' },
    })
    expectBody(response, 415, { detail: 'Unsupported media type "text/plain" in request.' })
  })

  test('the media type is echoed whole, parameters included (as DRF)', async () => {
    const response = await send(app, {
      method: 'POST',
      url: '/api/token/',
      payload: '<x/>',
      headers: { 'content-type': 'application/xml; charset=utf-8' },
    })
    expectBody(response, 415, {
      detail: 'Unsupported media type "application/xml; charset=utf-8" in request.',
    })
  })
})

describe('broken JSON: 400 "JSON parse error - ..."', () => {
  test.each(['{bad', '{"username": "peter",}', '{"a":1}x', "{'a':1}", '[1,'])('%s', async (raw) => {
    const response = await postJson(app, '/api/token/', raw)
    expect(response.statusCode).toBe(400)
    const body = response.json() as { detail: string }
    expect(Object.keys(body)).toEqual(['detail'])
    expect(body.detail).toMatch(/^JSON parse error - \S/)
    expect(response.body).toBe(JSON.stringify({ detail: body.detail }))
  })

  test('an empty JSON body reads as {} (then reports the missing fields)', async () => {
    expectBody(await postJson(app, '/api/token/', ''), 400, {
      username: ['This field is required.'],
      password: ['This field is required.'],
    })
  })
})

describe('413 over 16 KiB', () => {
  const tooLarge = { detail: 'Request body is too large.', code: 'payload_too_large' }

  test.each([...TOKEN_ENDPOINTS.map(([url]) => url), '/api/register/'])('%s', async (url) => {
    const response = await postJson(app, url, { padding: 'x'.repeat(16 * 1024) })
    expectBody(response, 413, tooLarge)
  })

  test('exactly 16 KiB is read', async () => {
    const prefix = '{"username":"peter","password":"wrong","padding":"'
    const raw = `${prefix}${'x'.repeat(16 * 1024 - prefix.length - 2)}"}`
    expect(Buffer.byteLength(raw)).toBe(16 * 1024)
    expectBody(await postJson(app, '/api/token/', raw), 401, BAD_CREDENTIALS)
  })
})

describe('paths with and without the trailing slash', () => {
  test.each(TOKEN_ENDPOINTS)('%s', async (url) => {
    const bare = url.slice(0, -1)
    expect((await postJson(app, bare, validFields(url))).statusCode).toBe(200)
  })

  test('/api/hello and /api/me', async () => {
    expectBody(await get(app, '/api/hello', pair.access), 200, { msg: 'Hello Peter Parker' })
    expect((await get(app, '/api/me', pair.access)).statusCode).toBe(200)
  })

  test('/api/register', async () => {
    const response = await postJson(app, '/api/register', {
      username: 'mj',
      password: 'x9!kQz#2pL',
    })
    expect(response.statusCode).toBe(201)
  })
})

describe('validation errors: only the bad keys, each a list of messages', () => {
  test('the contract example: missing and blank', async () => {
    const response = await postJson(app, '/api/token/', { password: '' })
    expectBody(response, 400, {
      username: ['This field is required.'],
      password: ['This field may not be blank.'],
    })
  })

  test('{} on the obtain view', async () => {
    expectBody(await postJson(app, '/api/token/', {}), 400, {
      username: ['This field is required.'],
      password: ['This field is required.'],
    })
  })

  test('one bad key: only that key', async () => {
    expectBody(await postJson(app, '/api/token/', { username: 'peter' }), 400, {
      password: ['This field is required.'],
    })
    expectBody(await postJson(app, '/api/token/', { username: '', password: 'x' }), 400, {
      username: ['This field may not be blank.'],
    })
  })

  test('whitespace-only is blank: DRF trims CharFields', async () => {
    expectBody(await postJson(app, '/api/token/', { username: '   ', password: 'x' }), 400, {
      username: ['This field may not be blank.'],
    })
    expectBody(await postJson(app, '/api/token/', { username: 'peter', password: '  ' }), 400, {
      password: ['This field may not be blank.'],
    })
    expectBody(await postJson(app, '/api/token/refresh/', { refresh: ' \t ' }), 400, {
      refresh: ['This field may not be blank.'],
    })
  })

  test('null and wrong types', async () => {
    expectBody(await postJson(app, '/api/token/', { username: null, password: ['a'] }), 400, {
      username: ['This field may not be null.'],
      password: ['Not a valid string.'],
    })
  })

  test.each([
    ['/api/token/refresh/', 'refresh'],
    ['/api/token/verify/', 'token'],
    ['/api/token/blacklist/', 'refresh'],
  ])('%s requires %s', async (url, field) => {
    expectBody(await postJson(app, url, {}), 400, { [field]: ['This field is required.'] })
    expectBody(await postJson(app, url, { [field]: '' }), 400, {
      [field]: ['This field may not be blank.'],
    })
  })

  test('unknown members are ignored, as DRF does', async () => {
    const response = await postJson(app, '/api/token/verify/', { token: pair.access, x: 1 })
    expectBody(response, 200, {})
  })
})

describe('non-object bodies: non_field_errors', () => {
  test.each([
    ['[1]', 'list'],
    ['"x"', 'str'],
    ['1', 'int'],
    ['1.5', 'float'],
    ['true', 'bool'],
  ])('%s', async (raw, pythonType) => {
    for (const [url] of [...TOKEN_ENDPOINTS, ['/api/register/']]) {
      const response = await postJson(app, url as string, raw)
      expectBody(response, 400, {
        non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonType}.`],
      })
    }
  })

  test('null: "No data provided", as DRF', async () => {
    for (const [url] of [...TOKEN_ENDPOINTS, ['/api/register/']]) {
      expectBody(await postJson(app, url as string, 'null'), 400, {
        non_field_errors: ['No data provided'],
      })
    }
  })
})
