"""A small Music Transformer: the event vocabulary (events), the model with relative attention
(model) and its training loop and corpus readers (train). The composer backend that uses it lives in
``fairytales.pipeline.music.neural``."""
