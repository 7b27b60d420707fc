"""The report and dashboard notebooks, shipped with cxlab as package data ``cxlab.notebooks``.

``pyproject.toml`` maps this folder to the package ``cxlab.notebooks``; code
finds the notebooks through :mod:`cxlab.resources`, never by a path relative
to the checkout.
"""
