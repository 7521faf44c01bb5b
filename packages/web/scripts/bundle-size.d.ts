/** The budget of first-load JavaScript per page, gzipped bytes. */
export declare const BUDGET_BYTES: number
/** The first-load JavaScript of each HTML entry of the build in `distDir`. */
export declare function measureFirstLoad(distDir: string): {
  page: string
  files: string[]
  bytes: number
  gzipBytes: number
}[]
