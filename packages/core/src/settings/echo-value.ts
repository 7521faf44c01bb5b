const MAX_ECHO_LENGTH = 40

/**
 * Renders a rejected value for an error message: strings quoted and escaped (no raw newlines or
 * control characters reach a log line) and cut to 40 characters, other values by their kind.
 * Never call it with a secret.
 */
export function echoValue(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > MAX_ECHO_LENGTH ? `${value.slice(0, MAX_ECHO_LENGTH)}…` : value
    return JSON.stringify(cut)
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(String(value))
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : typeof value
}
