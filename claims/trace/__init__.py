"""``claims trace``: trace a quote or claim to the source it came from.

:mod:`.queries` (what to look for), :mod:`.search` (Europe PMC, Crossref, OpenAlex and the local
database), :mod:`.score` (one scorer, online and offline; study details from abstracts),
:mod:`.record` (what is written, and the editors' decisions), :mod:`.run` (the run),
:mod:`.command` (the CLI) and :mod:`.web` (the Datasette section and endpoints). Study mentions
are extracted by :mod:`claims.extract.study_mentions`.
"""
