"""Personal data rights (Ley 1581 de 2012): requests from customers, what is held per document,
suppression where the law allows it, an audit trail, and the retention of transcripts and
delivery records (``retention``). See docs/datos-personales.md."""
