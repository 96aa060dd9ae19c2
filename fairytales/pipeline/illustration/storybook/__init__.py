"""The storybook illustrator (``backend.StorybookIllustrator``): a picture drawn from the words, no model.

How it goes, and where each part lives:

- ``planning``: the scene's lemmas pick the sky, mood, season, places and figures (the Plan); the hero and
  its look come from the title alone. The words are data: ``data/lexicon.toml`` (read by ``lexicon``).
- ``painter``: lays the picture out and paints it back to front; the parts of the landscape are in
  ``landscape/`` (sky, far land, middle ground, water, buildings, trees, foreground), on a ``canvas``.
- ``figures/``: one drawing function per figure, by kind (animals, creatures, people, things), drawn with
  the ``pen``; their colours and sizes are data: ``data/looks.toml`` (``looks``).
- ``palette``: colours, the genres' grades, the skies and the light: ``data/palettes.toml``; the Tone turns
  a named colour into a painted one.
"""
