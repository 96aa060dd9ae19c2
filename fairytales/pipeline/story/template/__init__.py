"""The template storyteller: a fairy tale from templates, no model, in Russian, English or Ukrainian.

The plot follows a Propp-like story grammar, one paragraph per function:

    initial situation → lack or villainy → departure → the road → the donor's test → the magical gift
    → arrival at the villain's place → struggle → victory → return → reward and ending

Every function has several templates; the seed picks among them and casts the villain, the donor, the
helper, the magical object and the places. Each genre brings its own cast, places and moods, and writes the
functions that carry its character itself (a detective's clue, a spaceship, a gentle ending for the little
ones, a dark one for horror). The hero comes from the title (pymorphy3 finds and inflects it); a title that
names nobody gets a stand-in hero and is still named at the end.

Where things are:

* ``data/shared.toml`` and ``data/<genre>.toml``: every word of the content (casts, places, templates), in
  Russian; ``data/en/`` and ``data/uk/`` the same in English and Ukrainian, entry by entry, so that one
  plot tells in every language (the parallel texts subtitles are made from);
* ``packs.py``: reads them into ``Pack`` and ``Shared``, and names each language's grammar module;
* ``plot.py``: ``sketch()``, everything the seed decides, as positions in the packs, and ``tell()``
  (``plan()`` both at once), the plot in one language;
* ``titles.py``: the characters a title names, carried into the other languages (``data/title_words.toml``);
* ``writer.py``: the template markup, explained there, and ``Writer``, which fills it in;
* ``backend.py``: ``TemplateStoryteller``, and the layout of a tale's paragraphs, decided on its Russian
  telling and kept in every language.
"""
