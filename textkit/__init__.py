"""Text tools for informal Colombian Spanish, with no dependency on the rest of pqrbot.

* ``textkit.normalize``: accents, case and spacing; comparable address keys.
* ``textkit.mention``: ``Mention``, what every parser returns (the value found and where).
* ``textkit.parsing``: finding petition data in a message (documents, contracts, e-mails,
  mobiles, addresses, names, amounts, yes/no, the complaint itself).
* ``textkit.validators``: checking a datum with the libraries that keep the rules
  (python-stdnum, phonenumbers, email-validator), with a Spanish hint when it is wrong.

Used by the NLU component (``nlu/components/data_signals.py``), the actions and the CRM adapter.
Every parser runs in time linear in its input (tests/textkit/test_linear_time.py).
"""
