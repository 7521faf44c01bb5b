import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { navigate } from '../lib/router.js'
import { Check, Field, Form, Loaded, Page, useLoad, when } from '../lib/ui.js'
import { admin, page, type Row } from './admin-api.js'
import { Pager, yes } from './admin-ui.js'

/** Users: search (username, email, names), an active filter, pages. */
export function UsersPage(): JSX.Element {
  const [search, setSearch] = useState('')
  const [active, setActive] = useState('')
  const [current, setCurrent] = useState(1)
  const [list, error] = useLoad(
    () => page('/users/', { search, is_active: active, page: current, ordering: 'username' }),
    [search, active, current],
  )
  return (
    <Page title="Users">
      <form
        class="card filters"
        aria-label="Find users"
        onSubmit={(event) => {
          event.preventDefault()
          const data = new FormData(event.currentTarget)
          setSearch(String(data.get('search') ?? ''))
          setActive(String(data.get('is_active') ?? ''))
          setCurrent(1)
        }}
      >
        <div>
          <label for="user-search">Search</label>
          <input
            id="user-search"
            name="search"
            type="search"
            placeholder="Name, username or email"
          />
        </div>
        <div>
          <label for="user-active">Status</label>
          <select id="user-active" name="is_active">
            <option value="">Any</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </div>
        <div class="actions">
          <button type="submit">Search</button>
          <a class="button secondary" href="/admin/users/new/">
            New user
          </a>
        </div>
      </form>
      <Loaded value={list} error={error}>
        {(found) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Email</th>
                    <th scope="col">Name</th>
                    <th scope="col">Active</th>
                    <th scope="col">Staff</th>
                    <th scope="col">Joined</th>
                  </tr>
                </thead>
                <tbody>
                  {found.results.map((user: Row) => (
                    <tr key={String(user.id)}>
                      <td>
                        <a href={`/admin/users/${String(user.id)}/`}>{String(user.username)}</a>
                      </td>
                      <td>{String(user.email ?? '')}</td>
                      <td>{`${String(user.first_name ?? '')} ${String(user.last_name ?? '')}`}</td>
                      <td>{yes(user.is_active)}</td>
                      <td>{yes(user.is_staff)}</td>
                      <td>{when(user.date_joined)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {found.results.length === 0 && <p>No user matches.</p>}
            <Pager count={found.count} page={current} onPage={setCurrent} />
          </>
        )}
      </Loaded>
    </Page>
  )
}

/** A new user (no password: an unusable one, set later or by a reset). */
export function NewUserPage(): JSX.Element {
  return (
    <Page title="New user">
      <Form
        label="New user"
        submit="Create user"
        onSubmit={async (data) => {
          const created = await admin<Row>('POST', '/users/', {
            username: data.username,
            email: data.email,
            first_name: data.first_name,
            last_name: data.last_name,
            ...(data.password ? { password: data.password } : {}),
            is_active: data.is_active === 'true',
            is_staff: data.is_staff === 'true',
          })
          navigate(`/admin/users/${String(created.id)}/`)
        }}
      >
        <Field label="Username" name="username" required autoComplete="off" />
        <Field label="Email" name="email" type="email" autoComplete="off" />
        <div class="grid2">
          <Field label="First name" name="first_name" autoComplete="off" />
          <Field label="Last name" name="last_name" autoComplete="off" />
        </div>
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="Leave empty for an unusable password (the user resets it from a mail)."
        />
        <Check label="Active" name="is_active" checked />
        <Check label="Staff (may open this portal)" name="is_staff" />
      </Form>
    </Page>
  )
}
