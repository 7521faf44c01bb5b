import type { JSX } from 'preact'
import { PAGE_SIZE } from './admin-api.js'

/** Previous / next over a paginated list, with where we are. */
export function Pager(props: {
  count: number
  page: number
  onPage: (page: number) => void
}): JSX.Element | null {
  const pages = Math.max(1, Math.ceil(props.count / PAGE_SIZE))
  return (
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        class="secondary"
        disabled={props.page <= 1}
        onClick={() => props.onPage(props.page - 1)}
      >
        Previous
      </button>
      <span aria-live="polite">
        Page {props.page} of {pages} ({props.count} in all)
      </span>
      <button
        type="button"
        class="secondary"
        disabled={props.page >= pages}
        onClick={() => props.onPage(props.page + 1)}
      >
        Next
      </button>
    </nav>
  )
}

/** Yes or no, for people. */
export function yes(value: unknown): string {
  return value === true ? 'Yes' : 'No'
}
