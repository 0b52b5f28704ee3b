-- rendering(layout, flags): the rendering a version belongs to. Versions are revisions of
-- one another within one rendering (a listing's excerpt and the notice's own post are two;
-- so are an excerpt and the full text a listing shows elsewhere, a tag archive say;
-- Statuspage's summary.json, incidents.json and the incident's JSON are one). Filled from
-- parsers.RENDERINGS when an archive is opened for writing.
CREATE OR REPLACE MACRO rendering(layout, flags) AS
    (CASE {{RENDERINGS}} ELSE layout END)
    || CASE WHEN list_contains(coalesce(flags, []), 'excerpt') THEN ' excerpt' ELSE '' END
