"""The ``cxlab`` Voila template: its files, written where Voila looks for templates."""

from __future__ import annotations

from pathlib import Path

from cxlab.resources import voila_template

#: The Voila template cxlab serves: Voila's ``lab`` without its two links to
#: Font Awesome on cdn.jsdelivr.net (and without the mermaid.js loader, which
#: would fetch from cdnjs).  Agencies' networks are often closed, and a
#: stylesheet in <head> that cannot load holds back the whole page (the
#: progress spinner included) until the browser gives up on it.  Its files
#: (``conf.json``, ``index.html.j2``) are package data under
#: ``templates/voila/cxlab/`` (:func:`cxlab.resources.voila_template`).
TEMPLATE = "cxlab"


def write_template(root) -> Path:
    """Write the ``cxlab`` Voila template under ``root`` (put ``root`` on ``JUPYTER_PATH``).

    The files of ``templates/voila/cxlab/`` are copied byte for byte.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     print(write_template(root).name)
    cxlab
    """
    folder = Path(root) / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(voila_template().iterdir()):
        if source.is_file():
            (folder / source.name).write_bytes(source.read_bytes())
    return folder
