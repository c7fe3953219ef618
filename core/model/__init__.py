"""The network (``core.model.seq2seq``): a model type is one module here, built from a
``core.config.ModelConfig``."""
