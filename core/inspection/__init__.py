"""What the views compute from translations: alignments, attention statistics, comparing models
or checkpoints, the probe timeline, and the attention export (CSV/JSON) shared by the app and the
CLI. Above decoding: it reads translations, it never searches."""
