-- rendering(layout): the rendering a version's layout belongs to. Versions are revisions of
-- one another within one rendering (a listing's excerpt and the notice's own post are two;
-- Statuspage's summary.json, incidents.json and the incident's JSON are one). Filled from
-- parsers.RENDERINGS when an archive is opened for writing.
CREATE OR REPLACE MACRO rendering(layout) AS CASE {{RENDERINGS}} ELSE layout END
