import type { ComponentChildren, JSX } from 'preact'
import { createContext } from 'preact'
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import { errorMessage, fieldErrors } from './api.js'

const FormErrors = createContext<Record<string, string[]>>({})

/** A page: its title (document and h1), focused on arrival so screen readers announce it. */
export function Page(props: { title: string; children: ComponentChildren }): JSX.Element {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${props.title} · Tessera`
    heading.current?.focus()
  }, [props.title])
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {props.title}
      </h1>
      {props.children}
    </>
  )
}

/** A message: `error` is announced at once (role=alert), others politely. */
export function Notice(props: {
  kind?: 'info' | 'ok' | 'error'
  children: ComponentChildren
}): JSX.Element {
  const kind = props.kind ?? 'info'
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  )
}

/** A labelled input; its field errors (from the enclosing {@link Form}) are tied to it. */
export function Field(props: {
  label: string
  name: string
  type?: string
  value?: string
  hint?: string
  autoComplete?: string
  required?: boolean
  inputMode?: 'numeric' | 'text' | 'email' | 'search'
  pattern?: string
}): JSX.Element {
  const errors = useContext(FormErrors)[props.name] ?? []
  const id = `f-${props.name}`
  const described = [props.hint ? `${id}-hint` : '', errors.length > 0 ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ')
  return (
    <div>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        autocomplete={props.autoComplete}
        required={props.required}
        inputMode={props.inputMode}
        pattern={props.pattern}
        aria-invalid={errors.length > 0 ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {errors.length > 0 && (
        <p class="field-error" id={`${id}-error`}>
          {errors.join(' ')}
        </p>
      )}
    </div>
  )
}

/** A checkbox with its label. */
export function Check(props: { label: string; name: string; checked?: boolean }): JSX.Element {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} value="true" checked={props.checked} /> {props.label}
    </label>
  )
}

/**
 * A form that posts its fields to `onSubmit` (strings, checkboxes "true" or absent), shows the
 * server's error (a sentence, and field errors under their fields) and, on success, the
 * message `onSubmit` returns.
 */
export function Form(props: {
  label: string
  submit: string
  onSubmit: (data: Record<string, string>) => Promise<unknown>
  children: ComponentChildren
  danger?: boolean
  reset?: boolean
}): JSX.Element {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const [fields, setFields] = useState<Record<string, string[]>>({})
  const [done, setDone] = useState<string | undefined>()
  const submit = async (event: Event) => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = Object.fromEntries(
      [...new FormData(form).entries()].map(([key, value]) => [key, String(value)]),
    )
    setBusy(true)
    setError(undefined)
    setDone(undefined)
    try {
      const message = await props.onSubmit(data)
      setFields({})
      if (typeof message === 'string') setDone(message)
      if (props.reset === true) form.reset()
    } catch (failure) {
      const byField = fieldErrors(failure)
      setFields(byField)
      setError(
        Object.keys(byField).length > 0
          ? 'Please correct the fields below.'
          : errorMessage(failure),
      )
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="card" aria-label={props.label} onSubmit={submit} noValidate>
      {error !== undefined && <Notice kind="error">{error}</Notice>}
      {done !== undefined && <Notice kind="ok">{done}</Notice>}
      <FormErrors.Provider value={fields}>{props.children}</FormErrors.Provider>
      <div class="actions">
        <button type="submit" class={props.danger ? 'danger' : undefined} disabled={busy}>
          {props.submit}
        </button>
      </div>
    </form>
  )
}

/**
 * A button asking first (a modal dialog: focus moves into it, Escape cancels): for destructive
 * actions. Shows what went wrong if the action fails.
 */
export function ConfirmButton(props: {
  label: string
  question: string
  confirm?: string
  onConfirm: () => Promise<unknown>
  danger?: boolean
}): JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null)
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await props.onConfirm()
      dialog.current?.close()
    } catch (failure) {
      setError(errorMessage(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button
        type="button"
        class={props.danger === false ? 'secondary' : 'danger'}
        onClick={() => {
          setError(undefined)
          dialog.current?.showModal()
        }}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.label}>
        <p>{props.question}</p>
        {error !== undefined && <Notice kind="error">{error}</Notice>}
        <div class="actions">
          <button type="button" class="danger" disabled={busy} onClick={run}>
            {props.confirm ?? props.label}
          </button>
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  )
}

/** Loads data for a page: `[value, error, reload]`. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): [T | undefined, string | undefined, () => void] {
  const [value, setValue] = useState<T | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    load().then(
      (result) => {
        if (live) {
          setValue(result)
          setError(undefined)
        }
      },
      (failure: unknown) => {
        if (live) setError(errorMessage(failure))
      },
    )
    return () => {
      live = false
    }
  }, [...deps, tick])
  return [value, error, () => setTick((n) => n + 1)]
}

/** Loading, failed, or the content. */
export function Loaded<T>(props: {
  value: T | undefined
  error: string | undefined
  children: (value: T) => ComponentChildren
}): JSX.Element {
  if (props.error !== undefined) return <Notice kind="error">{props.error}</Notice>
  if (props.value === undefined) return <p aria-live="polite">Loading…</p>
  return <>{props.children(props.value)}</>
}

/** A date for people, in their locale, or a dash. */
export function when(iso: unknown): string {
  if (typeof iso !== 'string' && typeof iso !== 'number') return '—'
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString()
}
