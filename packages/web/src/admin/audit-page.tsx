import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { Loaded, Page, useLoad, when } from '../lib/ui.js'
import { page, type Row } from './admin-api.js'
import { Pager } from './admin-ui.js'

/** Events as a table, newest first (the API's order). */
export function AuditTable(props: { events: Row[] }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">User</th>
            <th scope="col">IP</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((event) => (
            <tr key={String(event.id)}>
              <td>{when(event.at)}</td>
              <td>
                <code>{String(event.type)}</code>
              </td>
              <td>
                {event.user_id === null || event.user_id === undefined ? (
                  '—'
                ) : (
                  <a href={`/admin/users/${String(event.user_id)}/`}>#{String(event.user_id)}</a>
                )}
              </td>
              <td>{String(event.ip ?? '—')}</td>
              <td class="mono">
                {event.data === null || event.data === undefined ? '' : JSON.stringify(event.data)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A local `datetime-local` value as ISO 8601, or nothing. */
function iso(value: FormDataEntryValue | null): string {
  const text = String(value ?? '')
  return text === '' ? '' : new Date(text).toISOString()
}

/** The audit log: filter by user, event types and time; newest first; pages. */
export function AuditPage(props: { query: URLSearchParams }): JSX.Element {
  const [filters, setFilters] = useState({
    user: props.query.get('user') ?? '',
    type: props.query.get('type') ?? '',
    since: '',
    until: '',
  })
  const [current, setCurrent] = useState(1)
  const [list, error] = useLoad(
    () => page('/audit/', { ...filters, page: current }),
    [filters, current],
  )
  return (
    <Page title="Audit log">
      <form
        class="card filters"
        aria-label="Filter events"
        onSubmit={(event) => {
          event.preventDefault()
          const data = new FormData(event.currentTarget)
          setFilters({
            user: String(data.get('user') ?? '').trim(),
            type: String(data.get('type') ?? '').replace(/\s+/g, ''),
            since: iso(data.get('since')),
            until: iso(data.get('until')),
          })
          setCurrent(1)
        }}
      >
        <div>
          <label for="audit-user">User id</label>
          <input id="audit-user" name="user" inputMode="numeric" value={filters.user} />
        </div>
        <div>
          <label for="audit-type">Event types</label>
          <input
            id="audit-type"
            name="type"
            value={filters.type}
            aria-describedby="audit-type-hint"
          />
          <p class="hint" id="audit-type-hint">
            Comma-separated, e.g. login_failed,user_updated
          </p>
        </div>
        <div>
          <label for="audit-since">From</label>
          <input id="audit-since" name="since" type="datetime-local" />
        </div>
        <div>
          <label for="audit-until">Until</label>
          <input id="audit-until" name="until" type="datetime-local" />
        </div>
        <div class="actions">
          <button type="submit">Filter</button>
        </div>
      </form>
      <Loaded value={list} error={error}>
        {(found) => (
          <>
            <AuditTable events={found.results} />
            {found.results.length === 0 && <p>No event matches.</p>}
            <Pager count={found.count} page={current} onPage={setCurrent} />
          </>
        )}
      </Loaded>
    </Page>
  )
}
