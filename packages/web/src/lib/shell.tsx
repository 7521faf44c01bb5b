import type { ComponentChildren, JSX } from 'preact'

/** A link of the top navigation. */
export interface NavLink {
  readonly href: string
  readonly label: string
}

/** The frame of every page: a skip link, the top bar and its navigation, the main region. */
export function Shell(props: {
  brand: string
  home: string
  nav: readonly NavLink[]
  path: string
  narrow?: boolean
  /** After the navigation: the signed-in user's name and the log-out button. */
  end?: ComponentChildren
  children: ComponentChildren
}): JSX.Element {
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={props.home}>
          {props.brand}
        </a>
        {props.nav.length > 0 && (
          <nav aria-label="Main">
            <ul>
              {props.nav.map((link) => (
                <li key={link.href}>
                  <a
                    href={link.href}
                    aria-current={props.path.startsWith(link.href) ? 'page' : undefined}
                  >
                    {link.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {props.end}
      </header>
      <main id="main" class={props.narrow === true ? 'narrow' : undefined}>
        {props.children}
      </main>
    </>
  )
}
