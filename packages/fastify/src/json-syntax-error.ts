/** A syntax error found by the scan: Python's wording and the UTF-16 index it names. */
class JsonSyntaxError {
  constructor(
    readonly reason: string,
    readonly index: number,
  ) {}
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
// Python's NUMBER_RE: the longest number at an index (the scanner backtracks as this does).
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y
const HEX4 = /^[0-9a-fA-F]{4}$/

/**
 * Why and where `text` is not JSON, in the words of Python's json module, which DRF's
 * JSONParser reports: `Expecting value: line 1 column 13 (char 12)`. It names a position,
 * never a character of the input: V8's own messages quote it (`Unexpected token 'h',
 * ..."password":hunter2}" is not valid JSON`), and a 400 would hand a password back.
 *
 * Meant for text `JSON.parse` refused: the scan is iterative (a deep nesting cannot overflow
 * the stack) and only runs on that failure path. Returns undefined when it finds no error.
 * `NaN` and `Infinity`, which Python reads and DRF then refuses, are reported at their position.
 *
 * @example describeJsonSyntaxError('{"password":hunter2}')
 * // 'Expecting value: line 1 column 13 (char 12)'
 */
export function describeJsonSyntaxError(text: string): string | undefined {
  try {
    scanDocument(text)
    return undefined
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    return `${error.reason}: ${position(text, error.index)}`
  }
}

/** Python's `line L column C (char N)`, N counted in code points as Python counts. */
function position(text: string, index: number): string {
  let line = 1
  let lineStart = 0
  let surrogatePairs = 0
  let pairsBeforeLine = 0
  for (let i = 0; i < index; i++) {
    const code = text.charCodeAt(i)
    if (code === 0x0a) {
      line++
      lineStart = i + 1
      pairsBeforeLine = surrogatePairs
    } else if (code >= 0xdc00 && code <= 0xdfff && isHighSurrogate(text.charCodeAt(i - 1))) {
      surrogatePairs++
    }
  }
  const char = index - surrogatePairs
  const column = index - lineStart - (surrogatePairs - pairsBeforeLine) + 1
  return `line ${line} column ${column} (char ${char})`
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function skipWhitespace(text: string, index: number): number {
  let i = index
  while (i < text.length) {
    const code = text.charCodeAt(i)
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break
    i++
  }
  return i
}

/** json.loads: a BOM, then one value between optional whitespace. */
function scanDocument(text: string): void {
  if (text.charCodeAt(0) === 0xfeff) {
    throw new JsonSyntaxError('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0)
  }
  // The closing brackets of the open containers, innermost last: a stack, never recursion.
  const open: ('}' | ']')[] = []
  let i = skipWhitespace(text, 0)
  let expectValue = true
  for (;;) {
    if (expectValue) {
      const char = text[i]
      if (char === '{' || char === '[') {
        const close = char === '{' ? '}' : ']'
        i = skipWhitespace(text, i + 1)
        if (text[i] === close) {
          i++
          expectValue = false
        } else {
          open.push(close)
          if (close === '}') i = scanKey(text, i)
        }
        continue
      }
      i = scanScalar(text, i)
      expectValue = false
      continue
    }
    i = skipWhitespace(text, i)
    const close = open.at(-1)
    if (close === undefined) {
      if (i !== text.length) throw new JsonSyntaxError('Extra data', i)
      return
    }
    if (text[i] === close) {
      open.pop()
      i++
      continue
    }
    if (text[i] !== ',') throw new JsonSyntaxError("Expecting ',' delimiter", i)
    i = skipWhitespace(text, i + 1)
    if (close === '}') i = scanKey(text, i)
    expectValue = true
  }
}

/** An object member's key and colon; returns the index of its value. */
function scanKey(text: string, index: number): number {
  if (text.charCodeAt(index) !== QUOTE) {
    throw new JsonSyntaxError('Expecting property name enclosed in double quotes', index)
  }
  const i = skipWhitespace(text, scanString(text, index + 1))
  if (text[i] !== ':') throw new JsonSyntaxError("Expecting ':' delimiter", i)
  return skipWhitespace(text, i + 1)
}

/** A string, literal or number at `index`; returns the index after it. */
function scanScalar(text: string, index: number): number {
  if (text[index] === '"') return scanString(text, index + 1)
  for (const literal of ['null', 'true', 'false']) {
    if (text.startsWith(literal, index)) return index + literal.length
  }
  for (const constant of ['NaN', 'Infinity', '-Infinity']) {
    if (text.startsWith(constant, index)) {
      throw new JsonSyntaxError('Out of range float values are not JSON compliant', index)
    }
  }
  NUMBER.lastIndex = index
  if (!NUMBER.test(text)) throw new JsonSyntaxError('Expecting value', index)
  return NUMBER.lastIndex
}

/**
 * A string whose opening quote is at `start - 1` (CPython's scanstring_unicode, strict):
 * returns the index after the closing quote.
 */
function scanString(text: string, start: number): number {
  const begin = start - 1
  const unterminated = () => new JsonSyntaxError('Unterminated string starting at', begin)
  let i = start
  for (;;) {
    let code = -1
    for (; i < text.length; i++) {
      code = text.charCodeAt(i)
      if (code === QUOTE || code === BACKSLASH) break
      if (code <= 0x1f) throw new JsonSyntaxError('Invalid control character at', i)
    }
    if (i >= text.length) throw unterminated()
    if (code === QUOTE) return i + 1
    i++
    if (i >= text.length) throw unterminated()
    if (text[i] !== 'u') {
      if (!SIMPLE_ESCAPES.has(text[i] as string))
        throw new JsonSyntaxError('Invalid \\escape', i - 1)
      i++
      continue
    }
    // `\uXXXX`, `i` at the `u`. Python wants a character after the four digits.
    const digits = text.slice(i + 1, i + 5)
    if (i + 5 >= text.length || !HEX4.test(digits)) {
      throw new JsonSyntaxError('Invalid \\uXXXX escape', i)
    }
    i += 5
    // A high surrogate followed by another escape: Python reads them as a pair.
    if (
      isHighSurrogate(Number.parseInt(digits, 16)) &&
      i + 6 < text.length &&
      text[i] === '\\' &&
      text[i + 1] === 'u'
    ) {
      const low = text.slice(i + 2, i + 6)
      if (!HEX4.test(low)) throw new JsonSyntaxError('Invalid \\uXXXX escape', i + 1)
      const code2 = Number.parseInt(low, 16)
      if (code2 >= 0xdc00 && code2 <= 0xdfff) i += 6
    }
  }
}
