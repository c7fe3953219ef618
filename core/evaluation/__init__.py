"""Scores: BLEU and chrF (sacrebleu), and the dev set kept in a model folder, scored per
sentence."""
