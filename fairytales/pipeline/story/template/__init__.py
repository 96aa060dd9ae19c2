"""The template storyteller: a Russian fairy tale from templates, no model.

The plot follows a Propp-like story grammar, one paragraph per function:

    initial situation → lack or villainy → departure → the road → the donor's test → the magical gift
    → arrival at the villain's place → struggle → victory → return → reward and ending

Every function has several templates; the seed picks among them and casts the villain, the donor, the
helper, the magical object and the places. Each genre brings its own cast, places and moods, and writes the
functions that carry its character itself (a detective's clue, a spaceship, a gentle ending for the little
ones, a dark one for horror). The hero comes from the title (pymorphy3 finds and inflects it); a title that
names nobody gets a stand-in hero and is still named at the end.

Where things are:

* ``data/shared.toml`` and ``data/<genre>.toml``: every word of the content (casts, places, templates);
* ``packs.py``: reads them into ``Pack`` and ``Shared``;
* ``plot.py``: ``plan()``, everything the seed decides;
* ``writer.py``: the template markup, explained there, and ``Writer``, which fills it in;
* ``backend.py``: ``TemplateStoryteller``, and ``compose()``, which puts the paragraphs together.
"""
