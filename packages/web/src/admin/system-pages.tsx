import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { ConfirmButton, Field, Form, Loaded, Page, useLoad, when } from '../lib/ui.js'
import { admin, type PageOf, page, type Row, rows } from './admin-api.js'
import { Pager } from './admin-ui.js'

/** Permissions: search, create (`app_label.codename`). */
export function PermissionsPage(): JSX.Element {
  const [search, setSearch] = useState('')
  const [current, setCurrent] = useState(1)
  const [list, error, reload] = useLoad(
    () => page('/permissions/', { search, page: current }),
    [search, current],
  )
  return (
    <Page title="Permissions">
      <div class="grid2">
        <form
          class="card"
          aria-label="Find permissions"
          onSubmit={(event) => {
            event.preventDefault()
            setSearch(String(new FormData(event.currentTarget).get('search') ?? ''))
            setCurrent(1)
          }}
        >
          <label for="permission-search">Search</label>
          <input id="permission-search" name="search" type="search" />
          <div class="actions">
            <button type="submit">Search</button>
          </div>
        </form>
        <Form
          label="New permission"
          submit="Create permission"
          reset
          onSubmit={async (data) => {
            await admin('POST', '/permissions/', {
              app_label: data.app_label ?? '',
              codename: data.codename ?? '',
              name: data.name ?? '',
            })
            reload()
            return 'Permission created.'
          }}
        >
          <Field label="App label" name="app_label" required />
          <Field label="Codename" name="codename" required />
          <Field label="Name" name="name" required />
        </Form>
      </div>
      <Loaded value={list} error={error}>
        {(found) => {
          const all = rows(found as Row[] | PageOf<Row>)
          return (
            <>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Permission</th>
                      <th scope="col">Name</th>
                    </tr>
                  </thead>
                  <tbody>
                    {all.map((permission) => (
                      <tr key={String(permission.id)}>
                        <td class="mono">{`${String(permission.app_label)}.${String(permission.codename)}`}</td>
                        <td>{String(permission.name ?? '')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {'count' in found && <Pager count={found.count} page={current} onPage={setCurrent} />}
            </>
          )
        }}
      </Loaded>
    </Page>
  )
}

/** Signing keys: rotate, retire (never private material). */
export function KeysPage(): JSX.Element {
  const [list, error, reload] = useLoad(
    async () => rows(await admin<Row[] | PageOf<Row>>('GET', '/keys/')),
    [],
  )
  return (
    <Page title="Signing keys">
      <div class="actions">
        <ConfirmButton
          label="Rotate now"
          danger={false}
          question="Make a new active signing key? The current one keeps verifying until it is retired."
          onConfirm={async () => {
            await admin('POST', '/keys/rotate/')
            reload()
          }}
        />
      </div>
      <Loaded value={list} error={error}>
        {(keys) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Key id</th>
                  <th scope="col">Algorithm</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="skip">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={String(key.kid)}>
                    <td class="mono">{String(key.kid)}</td>
                    <td>{String(key.alg ?? '')}</td>
                    <td>{String(key.state ?? '')}</td>
                    <td>{when(key.created_at)}</td>
                    <td>
                      {key.state !== 'retired' && key.state !== 'active' && (
                        <ConfirmButton
                          label="Retire"
                          question={`Retire ${String(key.kid)}? Tokens it signed stop verifying.`}
                          onConfirm={async () => {
                            await admin(
                              'POST',
                              `/keys/${encodeURIComponent(String(key.kid))}/retire/`,
                            )
                            reload()
                          }}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
    </Page>
  )
}

/** The mail outbox: by status, retry a failed message (bodies are never shown: they hold links). */
export function MailPage(): JSX.Element {
  const [status, setStatus] = useState('')
  const [current, setCurrent] = useState(1)
  const [list, error, reload] = useLoad(
    () => page('/mail/', { status, page: current }),
    [status, current],
  )
  return (
    <Page title="Mail outbox">
      <div class="card">
        <label for="mail-status">Status</label>
        <select
          id="mail-status"
          value={status}
          onChange={(event) => {
            setStatus((event.currentTarget as HTMLSelectElement).value)
            setCurrent(1)
          }}
        >
          <option value="">Any</option>
          <option value="pending">Pending</option>
          <option value="sent">Sent</option>
          <option value="failed">Failed</option>
        </select>
      </div>
      <Loaded value={list} error={error}>
        {(found) => (
          <>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">To</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Created</th>
                    <th scope="col">
                      <span class="skip">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {found.results.map((mail: Row) => (
                    <tr key={String(mail.id)}>
                      <td>{String(mail.to ?? '')}</td>
                      <td>{String(mail.subject ?? '')}</td>
                      <td>
                        {String(mail.status ?? '')}
                        {mail.last_error ? ` (${String(mail.last_error)})` : ''}
                      </td>
                      <td>{String(mail.attempts ?? 0)}</td>
                      <td>{when(mail.created_at)}</td>
                      <td>
                        {mail.status === 'failed' && (
                          <button
                            type="button"
                            onClick={async () => {
                              await admin('POST', `/mail/${String(mail.id)}/retry/`)
                              reload()
                            }}
                          >
                            Retry
                          </button>
                        )}
                      </td>
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
