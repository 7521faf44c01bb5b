import type { TesseraServer } from '@tessera/server'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import {
  checkAnswer,
  fillPath,
  fuzzServer,
  junkBody,
  PASSWORD,
  pathParameter,
  type Route,
  routesOf,
  runs,
  SEED,
  secretsOf,
} from './fuzz-server.js'

// The admin API as a superuser (issue 28): every admin operation with junk path parameters,
// query strings and bodies gets past the permission checks into the handlers, and still
// answers a contract-shaped 2xx/4xx, never a 5xx, a stack or a credential quoted back.
const tempDir = useTempDirs()
let server: TesseraServer
let routes: Route[]
let fields: string[]
let access: string
let chiefId: string
const statuses = new Map<number, number>()

const queryValue = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '2', '1e3', 'true', 'false', 'abc', '%00', '99999999999'),
  fc.string({ maxLength: 12 }),
)
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'page',
        'page_size',
        'search',
        'is_active',
        'group',
        'ordering',
        'user',
        'type',
        'since',
        'until',
        'status',
      ),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString())

beforeAll(async () => {
  server = await fuzzServer(tempDir())
  const all = await routesOf(server)
  routes = all.routes.filter((route) => route.path.startsWith('/api/admin/'))
  fields = all.fields
  const user = { username: 'chief', password: PASSWORD, email: 'chief@example.com' }
  const registered = await server.app.inject({
    method: 'POST',
    url: '/api/register/',
    payload: user,
  })
  const { id } = registered.json() as { id: string }
  chiefId = id
  await server.stores.users.updateUser(id, { isStaff: true, isSuperuser: true })
  const group = await server.stores.permissions.createGroup('fuzzers')
  await server.stores.permissions.ensurePermission('auth', 'change_user', 'Can change user')
  await server.stores.permissions.addUserToGroup(id, group.id)
  const login = await server.app.inject({ method: 'POST', url: '/api/token/', payload: user })
  access = (login.json() as { access: string }).access
})

afterAll(() => server.close())

async function restoreChief(): Promise<void> {
  const chief = await server.stores.users.updateUser(chiefId, {
    isActive: true,
    isStaff: true,
    isSuperuser: true,
  })
  if (chief === undefined) throw new Error('the fuzzing superuser was deleted')
  const pair = await server.auth.issueTokenPair(chief, { ip: '127.0.0.1', device: 'fuzz' })
  access = pair.access.token
}

describe('fuzz: the admin API as a superuser', () => {
  it('lists the admin operations it fuzzes', () => {
    expect(routes.length).toBeGreaterThan(30)
  })

  it('junk ids, queries and bodies on each admin operation (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        pathParameter,
        query,
        junkBody(fields, [access]),
        async (which, parameter, search, body) => {
          const route = routes[which % routes.length] as Route
          const response = await server.app.inject({
            method: route.method as 'POST',
            url: `${fillPath(route.path, parameter)}${search === '' ? '' : `?${search}`}`,
            headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
            ...(route.method === 'GET' ? {} : { payload: body }),
          })
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
          // What staff type into names (a group called like the fixture's password) is data the
          // listings rightly show back: only the body's secret-named fields are credentials here.
          // (secretsOf lists the fixture password first, unconditionally: dropped.)
          checkAnswer(response, secretsOf(body, {}).slice(1))
          // Junk may well deactivate, demote or log out the superuser themselves (ids are
          // guessed): restore them and start a fresh session, so later runs reach handlers.
          if (response.statusCode === 401 || response.statusCode === 403) await restoreChief()
        },
      ),
      { seed: SEED, numRuns: runs(600) },
    )
    // Handlers were reached: successes and the contract's 400s and 404s both occurred.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0)
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0)
    expect(statuses.get(404) ?? 0).toBeGreaterThan(0)
  })
})
