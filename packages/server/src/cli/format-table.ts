/** Renders rows as left-aligned columns separated by two spaces, the first row a header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length)
    })
  }
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n')
}

/** Epoch seconds as an ISO 8601 UTC date without milliseconds, or `-`. */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-'
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

/** Strips control characters so that stored text cannot drive the terminal. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}
