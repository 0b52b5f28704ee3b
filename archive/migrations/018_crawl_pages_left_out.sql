-- Pages a crawl did not ask for because robots.txt forbids them (a notice's own page: the
-- listings still show the notice). Not fetched, so no `fetches` row: this count is the
-- only trace, beside the crawl's summary line. A crawl cut short counts them up to where it
-- stopped. NULL where it is not known: a crawl still running, or whose process died, and
-- crawls from before this column, whose releases recorded such a page as a failed fetch.
ALTER TABLE crawls ADD COLUMN pages_left_out INTEGER;
