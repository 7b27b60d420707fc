"""The ``cxlab`` Voila template: its files, written where Voila looks for templates."""

from __future__ import annotations

from pathlib import Path

#: The Voila template cxlab serves: Voila's ``lab`` without its two links to
#: Font Awesome on cdn.jsdelivr.net (and without the mermaid.js loader, which
#: would fetch from cdnjs).  Agencies' networks are often closed, and a
#: stylesheet in <head> that cannot load holds back the whole page (the
#: progress spinner included) until the browser gives up on it.
TEMPLATE = "cxlab"
_TEMPLATE_FILES = {
    "conf.json": '{"base_template": "lab"}\n',
    "index.html.j2": """\
{#- Written by cxlab.serve: Voila's lab template without the Font Awesome CDN links. -#}
{%- extends 'voila/templates/lab/index.html.j2' -%}
{% import "spinner.macro.html.j2" as spinner %}

{%- block notebook_css -%}
  {% if frontend == "voila" %}
    {{ resources.include_js("static/voila-style.js") }}
  {% endif %}
  {{ spinner.css() }}
  <style>
    /* Hide empty cells */
    .jp-mod-noOutputs.jp-mod-noInput {
      display: none;
    }
  </style>
  {#- Skip lab's own block (the CDN links), keep nbconvert's (JupyterLab's CSS). -#}
  {{ super.super() }}
{%- endblock notebook_css -%}

{#- Mermaid diagrams would load mermaid.js from cdnjs; the dashboard draws none. -#}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
""",
}


def write_template(root) -> Path:
    """Write the ``cxlab`` Voila template under ``root`` (put ``root`` on ``JUPYTER_PATH``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as root:
    ...     print(write_template(root).name)
    cxlab
    """
    folder = Path(root) / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _TEMPLATE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
