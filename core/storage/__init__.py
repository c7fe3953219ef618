"""Files on disk: atomic writes, safe torch loading, checkpoints and their manifest, the model
folder and the library of model folders. Knows nothing about training or decoding."""
