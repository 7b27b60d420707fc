"""The templates users edit, shipped with cxlab as package data ``cxlab.templates``.

Questionnaires (``questionnaires/*.yaml``), e-mail templates (``emails/``), the
comment-theme codebook (``themes/*.yaml``), an example wave configuration
(``waves/example.yaml``) and the Voila template of the dashboard
(``voila/cxlab/``).  ``pyproject.toml`` maps this folder to the package
``cxlab.templates``; code finds it through :mod:`cxlab.resources`, never by a
path relative to the checkout.
"""
