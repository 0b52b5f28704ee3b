-- Pages a crawl did not ask for because robots.txt forbids them (a notice's own page: the
-- listings still show the notice). Not fetched, so no `fetches` row: this count is the
-- only trace, beside the crawl's summary line. NULL where it is not known: a crawl that
-- has not finished or never did (interrupted), and crawls from before this column, whose
-- releases recorded such a page as a failed fetch.
ALTER TABLE crawls ADD COLUMN pages_left_out INTEGER;
