"""What the views show about a translation: alignments, attention statistics, the beam's search
tree, the inspector's sentence view and what-if, comparing models, the probe timeline, and the
attention export (CSV/JSON) shared by the app and the CLI."""
