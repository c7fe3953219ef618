"""What this machine offers and lacks: Qt's platform plugins and the system libraries they need,
the checks behind ``attnscope --doctor``. Imports neither Qt nor torch at module level."""
