import { allowAny, isAdminUser, isAuthenticated } from '@tessera/core'
import { requirePermission, type TesseraResourceMiddleware } from '@tessera/express'
import express, { type Express } from 'express'

/** One article of the example's in-memory list. */
interface Article {
  readonly id: number
  readonly title: string
  /** The Tessera user id of the author, from the token's `user_id` claim. */
  readonly author: string
}

/**
 * The example API: anyone may read the articles, a signed-in user may write one, and the
 * statistics are for staff only. No user database: who the sender is comes from the verified
 * access token (`req.user`), set by the Tessera middleware mounted first.
 */
export function createArticlesApp(tessera: TesseraResourceMiddleware): Express {
  const articles: Article[] = []
  const app = express()
  app.use(express.json({ limit: '16kb' }))
  app.use(tessera)

  app.get('/api/articles/', requirePermission(allowAny), (req, res) => {
    res.json({ viewer: req.user?.isAuthenticated ? req.user.id : null, articles })
  })

  app.post('/api/articles/', requirePermission(isAuthenticated), (req, res) => {
    const title: unknown = req.body?.title
    if (typeof title !== 'string' || title.trim() === '' || title.length > 200) {
      res.status(400).json({ title: ['A title of 1 to 200 characters is required.'] })
      return
    }
    // requirePermission(isAuthenticated) ran first: the user is authenticated here.
    const author = req.user?.isAuthenticated ? req.user.id : ''
    const article = { id: articles.length + 1, title: title.trim(), author }
    articles.push(article)
    res.status(201).json(article)
  })

  app.get('/api/stats/', requirePermission(isAdminUser), (_req, res) => {
    res.json({ articles: articles.length })
  })

  // DRF's bodies for the rest, so clients see one style of error.
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not found.' })
  })
  return app
}
