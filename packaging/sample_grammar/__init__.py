"""The grammar behind ``packaging/sample_corpus.py``: a bilingual lexicon, one realiser per
language and the sampling that draws meanings; see that script's docstring for why.

The names below are what the tests and the script use; each module holds one part.
"""

from .adjectives import ADJ, ADJS
from .clause import Clause
from .clause_types import Age, Located, Pred
from .corpus_files import build, generate, lexicon_size, word_types
from .frames import AFTER_CONJ, THAT_MATRICES
from .french import fr_question
from .german import de_question
from .morphology import fr_finish
from .noun_phrases import NP, de_np, fr_np
from .nouns import NOUN, NOUNS
from .places_times import PLACE, SPOTS, TIME
from .sentences import finish, say, say_after, say_fronted, say_question, say_that
from .templates import Maker
from .verbs import MODAL, VERB

__all__ = [
    "ADJ",
    "ADJS",
    "AFTER_CONJ",
    "MODAL",
    "NOUN",
    "NOUNS",
    "NP",
    "PLACE",
    "SPOTS",
    "THAT_MATRICES",
    "TIME",
    "VERB",
    "Age",
    "Clause",
    "Located",
    "Maker",
    "Pred",
    "build",
    "de_np",
    "de_question",
    "finish",
    "fr_finish",
    "fr_np",
    "fr_question",
    "generate",
    "lexicon_size",
    "say",
    "say_after",
    "say_fronted",
    "say_question",
    "say_that",
    "word_types",
]
