import { useEffect, useState } from 'preact/hooks'

const CHANGE = 'tessera:navigate'

/** Goes to `href` in this app without a reload (history API), or with one across apps. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const target = new URL(href, location.href)
  const here = location.pathname.split('/')[1]
  if (target.origin !== location.origin || target.pathname.split('/')[1] !== here) {
    location.assign(target.href)
    return
  }
  if (options.replace === true) history.replaceState(null, '', target.href)
  else history.pushState(null, '', target.href)
  dispatchEvent(new Event(CHANGE))
}

/** The current location, re-rendering on navigation (links, back and forward). */
export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href))
  useEffect(() => {
    const update = () => setUrl(new URL(location.href))
    addEventListener('popstate', update)
    addEventListener(CHANGE, update)
    return () => {
      removeEventListener('popstate', update)
      removeEventListener(CHANGE, update)
    }
  }, [])
  return url
}

/**
 * Same-app links navigate without a reload; modified clicks (new tab) and other origins keep
 * the browser's behaviour. Installed once per app on the document.
 */
export function interceptLinks(base: string): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const link = (event.target as Element | null)?.closest('a')
    if (link === null || link === undefined || link.target !== '' || link.hasAttribute('download'))
      return
    // In-page anchors (the skip link) keep the browser's focus handling.
    if (link.getAttribute('href')?.startsWith('#')) return
    const url = new URL(link.href, location.href)
    if (url.origin !== location.origin || !url.pathname.startsWith(base)) return
    event.preventDefault()
    navigate(url.href)
  })
}

/** `/account/users/12/` against `/account/users/:id/`: the parameters, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = []
  const source = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/:([a-z_]+)/g, (_match, name: string) => {
      names.push(name)
      return '([^/]+)'
    })
  const found = new RegExp(`^${source}?$`).exec(path.endsWith('/') ? path : `${path}/`)
  if (found === null) return null
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]))
}
