"""What clients say in their own words (comments): privacy masking today, themes to come.

>>> from cxlab.text import mask_contact_details
>>> mask_contact_details("пишите на anna@example.ru или +7 (495) 123-45-67")
'пишите на [e-mail] или [телефон]'
"""
from cxlab.text.masking import mask_contact_details

__all__ = ["mask_contact_details"]
