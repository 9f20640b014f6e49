"""The daily export of the PQRs filed by the digital channels (seed 2.7, step 2): an Excel
workbook (``workbook``) e-mailed to the office managers (``mail``) once a day by the worker
(``job``), recorded per day in ``export_runs`` (``store``)."""
