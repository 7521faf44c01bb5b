import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'

beforeAll(requireBuiltCli)

/** A CLI bound to a fresh data directory, with a superuser alice. */
async function cli() {
  const cwd = tempDir()
  const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
  const tessera = (args: string[]) => runTessera(args, { cwd, env })
  const created = await runTessera(
    ['createsuperuser', '--no-input', '--username', 'alice', '--email', 'alice@example.com'],
    { cwd, env: { ...env, TESSERA_SUPERUSER_PASSWORD: PASSWORD } },
  )
  expect(created.status).toBe(0)
  return tessera
}

describe('tessera groups and permissions', () => {
  it('creates a group, grants it a permission, adds a user; the user holds it', async () => {
    const tessera = await cli()
    expect((await tessera(['groups', 'list'])).stdout).toBe(
      "No groups. Create one with 'tessera groups create <name>'.\n",
    )
    expect((await tessera(['groups', 'create', 'editors'])).stdout).toBe(
      "Group 'editors' created (id 1).\n",
    )
    const made = await tessera(['permissions', 'create', 'blog.publish_post', 'Can publish post'])
    expect(made.stdout).toBe('Permission blog.publish_post created (id 1): Can publish post.\n')
    expect((await tessera(['groups', 'grant', 'editors', 'blog.publish_post'])).status).toBe(0)
    expect((await tessera(['groups', 'add-user', 'editors', 'alice'])).stdout).toBe(
      "User 'alice' is in group 'editors'.\n",
    )
    const listed = await tessera(['groups', 'list', '--json'])
    expect(JSON.parse(listed.stdout)).toEqual([
      { id: '1', name: 'editors', permissions: ['blog.publish_post'], member_count: 1 },
    ])
    const table = await tessera(['groups', 'list'])
    expect(table.stdout).toMatch(
      /^ID\s+NAME\s+MEMBERS\s+PERMISSIONS\n1\s+editors\s+1\s+blog\.publish_post\n$/,
    )
    expect((await tessera(['groups', 'rename', 'editors', 'writers'])).stdout).toBe(
      "Group 'editors' is now 'writers'.\n",
    )
    expect((await tessera(['groups', 'remove-user', 'writers', 'alice'])).status).toBe(0)
    expect((await tessera(['groups', 'revoke', 'writers', 'blog.publish_post'])).status).toBe(0)
    const perms = await tessera(['permissions', 'grant', 'alice', 'blog.publish_post'])
    expect(perms.stdout).toBe("User 'alice' has permission blog.publish_post.\n")
    const search = await tessera(['permissions', 'list', '--search', 'PUBLISH', '--json'])
    expect(JSON.parse(search.stdout)).toEqual([
      { id: '1', app_label: 'blog', codename: 'publish_post', name: 'Can publish post' },
    ])
    expect((await tessera(['groups', 'delete', 'writers'])).status).toBe(0)
    expect((await tessera(['groups', 'list', '--json'])).stdout).toBe('[]\n')
  })

  it('explains every refusal in one line, exit 1 for failures and 2 for usage', async () => {
    const tessera = await cli()
    await tessera(['groups', 'create', 'editors'])
    const cases: [string[], number, string][] = [
      [['groups', 'create', 'editors'], 1, 'name: group with this name already exists.'],
      [['groups', 'create', ' '], 1, 'name: This field may not be blank.'],
      [
        ['groups', 'delete', 'nobody'],
        1,
        "group 'nobody' does not exist (see 'tessera groups list')",
      ],
      [['groups', 'add-user', 'editors', 'bob'], 1, "user 'bob' does not exist"],
      [
        ['groups', 'grant', 'editors', 'blog.nope'],
        1,
        `permission 'blog.nope' does not exist (create it with 'tessera permissions create blog.nope "<name>"')`,
      ],
      [
        ['permissions', 'grant', 'alice', 'nodot'],
        1,
        "'nodot' is not a permission name: write app_label.codename, e.g. auth.change_user",
      ],
      [['groups', 'frob'], 2, "unknown subcommand 'frob'"],
      [['groups', 'rename', 'editors'], 2, 'missing <new-name> for rename'],
      [['groups', 'create', 'a', 'b'], 2, "unexpected argument 'b'"],
      [['groups', 'create', 'x', '--json'], 2, '--json applies to list, not create'],
      [['permissions', 'grant', 'alice'], 2, 'missing <app_label.codename> for grant'],
    ]
    for (const [args, status, message] of cases) {
      const run = await tessera(args)
      expect(run.status, args.join(' ')).toBe(status)
      expect(run.stderr.split('\n')[0], args.join(' ')).toMatch(
        new RegExp(`^tessera( \\w+)?: error: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      )
      expect(run.stdout).toBe('')
    }
  })
})

describe('tessera audit', () => {
  it('shows admin changes newest first, filtered, as a table or JSON', async () => {
    const tessera = await cli()
    await tessera(['groups', 'create', 'editors'])
    await tessera(['groups', 'add-user', 'editors', 'alice'])
    const table = await tessera(['audit', '--user', 'alice'])
    expect(table.status).toBe(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^TIME\s+TYPE\s+USER\s+IP\s+DATA$/)
    expect(lines[1]).toMatch(
      /group_member_added\s+1\s+-\s+\{"group_id":"1","group":"editors","via":"cli"\}$/,
    )
    expect(lines[2]).toMatch(/user_registered/)
    const json = await tessera(['audit', '--type', 'group_created,group_member_added', '--json'])
    const events = JSON.parse(json.stdout) as { type: string; at: string }[]
    expect(events.map((event) => event.type)).toEqual(['group_member_added', 'group_created'])
    expect(events[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/)
    const limited = await tessera(['audit', '--limit', '1'])
    expect(limited.stdout).toMatch(/\(1 newest of 3; raise --limit to see more\)\n$/)
    expect((await tessera(['audit', '--since', '1h', '--json'])).stdout).not.toBe('[]\n')
    expect((await tessera(['audit', '--until', '2000-01-01', '--json'])).stdout).toBe('[]\n')
    expect((await tessera(['audit', '--since', '2999-01-01'])).stdout).toBe(
      'No audit events match.\n',
    )
    for (const [args, message] of [
      [['--since', 'yesterday'], '--since must be an ISO 8601 date or time'],
      [['--until', '2026-13-45'], '--until must be an ISO 8601 date or time'],
      [['--limit', '0'], '--limit must be a whole number from 1 to 10000; got "0"'],
      [['--user', 'nobody'], "--user: no user is named 'nobody'"],
      [['extra'], "unexpected argument 'extra'"],
    ] as const) {
      const run = await tessera(['audit', ...args])
      expect(run.status, args.join(' ')).toBe(2)
      expect(run.stderr, args.join(' ')).toContain(message)
    }
  })
})
