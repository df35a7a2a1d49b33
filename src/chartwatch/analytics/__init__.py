"""Answers over the store: a title's run and footprint, records as they stood, comparisons,
fact briefs. Plain functions returning typed results; the CLI and web only render them."""
