import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { navigate } from '../lib/router.js'
import { ConfirmButton, Field, Form, Loaded, Page, useLoad } from '../lib/ui.js'
import { admin, page, type Row, rows } from './admin-api.js'
import { Pager } from './admin-ui.js'

/** Groups: search, create, each with its members and permissions. */
export function GroupsPage(): JSX.Element {
  const [search, setSearch] = useState('')
  const [current, setCurrent] = useState(1)
  const [list, error, reload] = useLoad(
    () => page('/groups/', { search, page: current }),
    [search, current],
  )
  return (
    <Page title="Groups">
      <div class="grid2">
        <form
          class="card"
          aria-label="Find groups"
          onSubmit={(event) => {
            event.preventDefault()
            setSearch(String(new FormData(event.currentTarget).get('search') ?? ''))
            setCurrent(1)
          }}
        >
          <label for="group-search">Search</label>
          <input id="group-search" name="search" type="search" />
          <div class="actions">
            <button type="submit">Search</button>
          </div>
        </form>
        <Form
          label="New group"
          submit="Create group"
          reset
          onSubmit={async (data) => {
            await admin('POST', '/groups/', { name: data.name ?? '' })
            reload()
            return 'Group created.'
          }}
        >
          <Field label="Name" name="name" required />
        </Form>
      </div>
      <Loaded value={list} error={error}>
        {(found) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Members</th>
                    <th scope="col">Permissions</th>
                  </tr>
                </thead>
                <tbody>
                  {found.results.map((group: Row) => (
                    <tr key={String(group.id)}>
                      <td>
                        <a href={`/admin/groups/${String(group.id)}/`}>{String(group.name)}</a>
                      </td>
                      <td>{String(group.member_count ?? 0)}</td>
                      <td class="mono">{((group.permissions as string[]) ?? []).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager count={found.count} page={current} onPage={setCurrent} />
          </>
        )}
      </Loaded>
    </Page>
  )
}

/** One group: rename, delete, its permissions and members. */
export function GroupDetailPage(props: { id: string }): JSX.Element {
  const base = `/groups/${encodeURIComponent(props.id)}`
  const [data, error, reload] = useLoad(
    async () => ({
      group: await admin<Row>('GET', `${base}/`),
      members: (await page(`${base}/members/`, {})).results,
      permissions: rows(await admin<Row[]>('GET', '/permissions/?page_size=100')),
    }),
    [props.id],
  )
  return (
    <Loaded value={data} error={error}>
      {({ group, members, permissions }) => (
        <Page title={`Group ${String(group.name)}`}>
          <div class="grid2">
            <Form
              label="Rename group"
              submit="Rename"
              onSubmit={async (form) => {
                await admin('PATCH', `${base}/`, { name: form.name ?? '' })
                reload()
                return 'Renamed.'
              }}
            >
              <Field label="Name" name="name" value={String(group.name)} required />
            </Form>
            <section class="card" aria-label="Delete group">
              <p>Members keep their own permissions.</p>
              <ConfirmButton
                label="Delete group"
                question={`Delete the group ${String(group.name)}?`}
                onConfirm={async () => {
                  await admin('DELETE', `${base}/`)
                  navigate('/admin/groups/')
                }}
              />
            </section>
          </div>
          <h2>Permissions</h2>
          <section class="card" aria-label="Group permissions">
            <ul>
              {((group.permissions as string[]) ?? []).map((permission) => (
                <li key={permission}>
                  <code>{permission}</code>{' '}
                  <ConfirmButton
                    label={`Revoke ${permission}`}
                    question={`Revoke ${permission} from the group?`}
                    onConfirm={async () => {
                      await admin('DELETE', `${base}/permissions/${permission}/`)
                      reload()
                    }}
                  />
                </li>
              ))}
            </ul>
            <Form
              label="Grant a permission to the group"
              submit="Grant"
              onSubmit={async (form) => {
                await admin('PUT', `${base}/permissions/${form.permission ?? ''}/`)
                reload()
              }}
            >
              <label for="group-permission">Permission</label>
              <select id="group-permission" name="permission">
                {permissions.map((permission) => {
                  const name = `${String(permission.app_label)}.${String(permission.codename)}`
                  return (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  )
                })}
              </select>
            </Form>
          </section>
          <h2>Members</h2>
          <ul>
            {members.map((user) => (
              <li key={String(user.id)}>
                <a href={`/admin/users/${String(user.id)}/`}>{String(user.username)}</a>
              </li>
            ))}
          </ul>
        </Page>
      )}
    </Loaded>
  )
}
