/**
 * A short name for a session's or device's user agent, as people say it: "Chrome on Linux".
 * The full string stays in the cell's title. Order matters: Edge and Opera say "Chrome" too,
 * and Chrome says "Safari".
 */
export function deviceName(userAgent: unknown): string {
  if (typeof userAgent !== 'string' || userAgent === '') return 'Unknown device'
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\//, 'Chrome'],
      [/Safari\//, 'Safari'],
      [/curl\//, 'curl'],
    ].find(([pattern]) => (pattern as RegExp).test(userAgent))?.[1] ?? 'A browser'
  const system =
    [
      [/Android/, 'Android'],
      [/iPhone|iPad/, 'iOS'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/Linux|X11/, 'Linux'],
    ].find(([pattern]) => (pattern as RegExp).test(userAgent))?.[1] ?? undefined
  return system === undefined ? String(browser) : `${String(browser)} on ${String(system)}`
}
