import {
  and,
  hasPermissions,
  isAdminUser,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  modelPermissions,
  not,
  objectPermission,
  or,
} from '@tessera/core'
import { checkObjectPermission, guard } from '@tessera/fastify'
import type { FastifyInstance } from 'fastify'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  bearer,
  expectBody,
  get,
  login,
  NOT_AUTHENTICATED,
  PERMISSION_DENIED,
  registerUser,
  send,
  updateUser,
} from './contract-helpers.js'

// api-contract.md: "Authenticated but not allowed: 403", and DRF's rule that a refusal of an
// anonymous request is a 401 "not provided" instead. Guards on the host application's routes.

const isOwner = objectPermission(
  ({ user }, note) => user.isAuthenticated && (note as { owner: string }).owner === user.id,
)

function hostRoutes(host: FastifyInstance): void {
  const ok = async () => ({ ok: true })
  host.get('/admin-only', { preHandler: guard(isAdminUser) }, ok)
  host.post('/blog/posts', { preHandler: guard(hasPermissions('blog.add_post')) }, ok)
  host.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/articles',
    preHandler: guard(modelPermissions('news', 'article')),
    handler: ok,
  })
  host.get('/and', { preHandler: guard(and(isAuthenticated, hasPermissions('blog.add_post'))) }, ok)
  host.get('/or', { preHandler: guard(or(isAdminUser, hasPermissions('blog.add_post'))) }, ok)
  host.get('/not-admin', { preHandler: guard(not(isAdminUser)) }, ok)
  host.get('/not-signed-in', { preHandler: guard(not(isAuthenticated)) }, ok)
  host.route({
    method: ['GET', 'POST'],
    url: '/read-only',
    preHandler: guard(isAuthenticatedOrReadOnly),
    handler: ok,
  })
  for (const [url, permission] of [
    ['/notes/:owner', isOwner],
    ['/moderated/:owner', or(isAdminUser, isOwner)],
    ['/strict/:owner', and(isAuthenticated, not(isOwner))],
  ] as const) {
    host.get(url, { preHandler: guard(isAuthenticated) }, async (request, reply) => {
      const note = { owner: (request.params as { owner: string }).owner }
      if (!(await checkObjectPermission(request, reply, permission, note))) return reply
      return note
    })
  }
}

let context: ContractApp
let app: FastifyInstance
const tokens: Record<'peter' | 'admin' | 'editor' | 'root' | 'writer', string> = {
  peter: '',
  admin: '',
  editor: '',
  root: '',
  writer: '',
}
const ids: Record<string, string> = {}

async function grant(userId: string, appLabel: string, codename: string): Promise<void> {
  const { permissions } = context.stores
  const permission = await permissions.ensurePermission(appLabel, codename, codename)
  await permissions.grantUserPermission(userId, permission.id)
}

beforeAll(async () => {
  context = await buildContractApp({ routes: hostRoutes })
  app = context.app
  for (const name of Object.keys(tokens) as (keyof typeof tokens)[]) {
    const user = await registerUser(app, { username: name, email: '' })
    ids[name] = String(user.id)
    tokens[name] = (await login(app, { username: name, password: 'correct horse battery' })).access
  }
  await updateUser(context, ids.admin as string, { isStaff: true })
  await updateUser(context, ids.root as string, { isSuperuser: true })
  await grant(ids.editor as string, 'blog', 'add_post')
  await grant(ids.writer as string, 'news', 'change_article')
})

async function status(method: string, url: string, token?: string): Promise<number> {
  const headers = token === undefined ? {} : bearer(token)
  const response = await send(app, { method: method as 'GET', url, headers })
  if (response.statusCode === 401) expectBody(response, 401, NOT_AUTHENTICATED)
  if (response.statusCode === 403) expectBody(response, 403, PERMISSION_DENIED)
  return response.statusCode
}

describe('403 for an authenticated user lacking permission, 401 for anonymous', () => {
  test('guard(isAdminUser)', async () => {
    expectBody(await get(app, '/admin-only', tokens.peter), 403, PERMISSION_DENIED)
    expectBody(await get(app, '/admin-only'), 401, NOT_AUTHENTICATED)
    expectBody(await get(app, '/admin-only', tokens.admin), 200, { ok: true })
    // A superuser without is_staff is not an admin user, as in DRF.
    expect(await status('GET', '/admin-only', tokens.root)).toBe(403)
  })

  test("guard(hasPermissions('blog.add_post'))", async () => {
    expect(await status('POST', '/blog/posts', tokens.peter)).toBe(403)
    expect(await status('POST', '/blog/posts')).toBe(401)
    expect(await status('POST', '/blog/posts', tokens.editor)).toBe(200)
    // Django's has_perm: an active superuser has every permission; is_staff alone none.
    expect(await status('POST', '/blog/posts', tokens.root)).toBe(200)
    expect(await status('POST', '/blog/posts', tokens.admin)).toBe(403)
  })

  test('a bad token is a 401 token body before any permission', async () => {
    const response = await get(app, '/admin-only', 'nope')
    expect(response.statusCode).toBe(401)
    expect(response.json()).toMatchObject({ code: 'token_not_valid' })
  })
})

describe('modelPermissions per method (DjangoModelPermissions)', () => {
  test.each([
    ['GET', 200],
    ['HEAD', 200],
    ['POST', 403],
    ['PUT', 200],
    ['PATCH', 200],
    ['DELETE', 403],
  ] as const)('%s with change_article only: %i', async (method, expected) => {
    expect(await status(method, '/articles', tokens.writer)).toBe(expected)
  })

  test.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])('%s anonymous: 401', async (method) => {
    expect(await status(method, '/articles')).toBe(401)
  })

  test('reads are free for any signed-in user, writes need the permission', async () => {
    expect(await status('GET', '/articles', tokens.peter)).toBe(200)
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(await status(method, '/articles', tokens.peter)).toBe(403)
      expect(await status(method, '/articles', tokens.root)).toBe(200)
    }
  })
})

describe('and / or / not', () => {
  test('and: every permission', async () => {
    expect(await status('GET', '/and')).toBe(401)
    expect(await status('GET', '/and', tokens.peter)).toBe(403)
    expect(await status('GET', '/and', tokens.editor)).toBe(200)
  })

  test('or: any permission', async () => {
    expect(await status('GET', '/or')).toBe(401)
    expect(await status('GET', '/or', tokens.peter)).toBe(403)
    expect(await status('GET', '/or', tokens.admin)).toBe(200)
    expect(await status('GET', '/or', tokens.editor)).toBe(200)
  })

  test('not: the negation, anonymous included', async () => {
    expect(await status('GET', '/not-admin')).toBe(200)
    expect(await status('GET', '/not-admin', tokens.peter)).toBe(200)
    expect(await status('GET', '/not-admin', tokens.admin)).toBe(403)
    expect(await status('GET', '/not-signed-in')).toBe(200)
    expect(await status('GET', '/not-signed-in', tokens.peter)).toBe(403)
  })

  test('isAuthenticatedOrReadOnly', async () => {
    expect(await status('GET', '/read-only')).toBe(200)
    expect(await status('POST', '/read-only')).toBe(401)
    expect(await status('POST', '/read-only', tokens.peter)).toBe(200)
  })
})

describe('checkObjectPermission', () => {
  test('the owner passes, anyone else gets 403, the handler stops', async () => {
    expectBody(await get(app, `/notes/${ids.peter}`, tokens.peter), 200, { owner: ids.peter })
    expectBody(await get(app, `/notes/${ids.peter}`, tokens.editor), 403, PERMISSION_DENIED)
    expectBody(await get(app, `/notes/${ids.peter}`), 401, NOT_AUTHENTICATED)
  })

  test('or: object checks follow the view checks that passed (DRF 3.14)', async () => {
    expect(await status('GET', `/moderated/${ids.peter}`, tokens.admin)).toBe(200)
    expect(await status('GET', `/moderated/${ids.peter}`, tokens.peter)).toBe(200)
    expect(await status('GET', `/moderated/${ids.peter}`, tokens.editor)).toBe(403)
  })

  test("not of an object-only permission denies at view level, as DRF's ~ does", async () => {
    // DRF: ~P negates has_permission too, which is True for an object-only permission.
    expect(await status('GET', `/strict/${ids.peter}`, tokens.peter)).toBe(403)
    expect(await status('GET', `/strict/${ids.peter}`, tokens.editor)).toBe(403)
  })
})
