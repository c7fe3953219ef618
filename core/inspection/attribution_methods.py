"""The attribution methods by name, without torch: for ``--help`` and the app's method menu."""

from __future__ import annotations

SALIENCY = "saliency"
GRAD_X_INPUT = "grad-x-input"
INTEGRATED_GRADIENTS = "integrated-gradients"
METHODS = (SALIENCY, GRAD_X_INPUT, INTEGRATED_GRADIENTS)

#: What the app's menu shows for each method.
LABELS = {
    SALIENCY: "Saliency (gradient norm)",
    GRAD_X_INPUT: "Gradient × input",
    INTEGRATED_GRADIENTS: "Integrated gradients",
}
