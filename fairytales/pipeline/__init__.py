"""The model pipeline: title + genre -> story -> scenes -> narration, pictures, music -> video.

Plain Python: nothing here imports Django, so the pipeline runs the same from the
site's worker, from ``manage.py make_tale`` and from the tests.
"""
