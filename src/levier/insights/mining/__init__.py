"""Process mining: event logs read from the journal or a file, analysed and exported.

Pure modules: `log` (readers), `analysis` (directly-follows graph, variants, throughput,
rework), `export` (OCEL 2.0 JSON and SQLite, XES, CSV in the XES naming). Only
`log.journal_log` touches the database. PM4Py is a test-time reference, never imported here.
"""
