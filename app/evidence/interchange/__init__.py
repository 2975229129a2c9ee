"""Import and export in the formats researchers use: BibTeX, RIS, CSL-JSON, bulk CSV/YAML, and the backup.

Each format module turns a file into `Incoming` records (values for SourceIn, and `extra` for what no
column holds) or the store's rows into a file; preview.py decides what an import would do and does it
in one transaction. The CLI, the API and the Import page call these functions. docs/import-export.md.
"""
