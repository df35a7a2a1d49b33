"""Netflix's semiannual engagement reports in the store: the current rows of each report,
their links to the Top 10 titles (:mod:`~chartwatch.engagement.link`) and the answers
``chartwatch engagement`` prints (:mod:`~chartwatch.engagement.answers`)."""
