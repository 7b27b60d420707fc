"""What clients say in their own words: comment themes, sentiment and quotes, in Russian and English.

- :func:`code_themes`: one row per comment, one boolean column per theme of
  an editable codebook (``templates/themes/agency.yaml``), plus sentiment.
- :func:`theme_mentions`: each theme found, with its polarity and the words.
- :func:`theme_summary`, :func:`themes_over_waves`: counts, shares among
  detractors and promoters, the link to the score, change over waves.
- :func:`representative_quotes`: two or three typical quotes, masked.
- :func:`discover_themes`: TF-IDF + NMF topics the codebook misses.
- :func:`mask_contact_details`, :func:`mask_names`: privacy of quotes.

Russian words are lemmatised with pymorphy3, English ones stemmed with Snowball.

>>> from cxlab.text import code_themes, mask_contact_details
>>> bool(code_themes(["Не хватает цифр в отчётах"]).loc[0, "reporting"])
True
>>> mask_contact_details("пишите на anna@example.ru или +7 (495) 123-45-67")
'пишите на [e-mail] или [телефон]'
"""

from cxlab.text.codebook import Codebook, load_codebook
from cxlab.text.discovery import ThemeDiscovery, discover_themes
from cxlab.text.masking import mask_contact_details, mask_names
from cxlab.text.quotes import representative_quotes
from cxlab.text.theme_stats import theme_summary, themes_over_waves
from cxlab.text.themes import code_themes, theme_mentions

__all__ = [
    "code_themes",
    "theme_mentions",
    "theme_summary",
    "themes_over_waves",
    "representative_quotes",
    "discover_themes",
    "ThemeDiscovery",
    "Codebook",
    "load_codebook",
    "mask_contact_details",
    "mask_names",
]
