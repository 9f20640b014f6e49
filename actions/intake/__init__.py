"""The reclamo intake: what to read from each customer message and what to ask next, with no
Rasa in it (slots in, slot updates and messages out); ``actions.form.ValidatePqrForm`` runs it
inside Rasa's form loop.

Rules of the turn:

* Nothing is taken before the customer authorises the processing of personal data; data typed
  before that wait in ``pendientes`` and are read once the customer says yes (``consent``).
* Labelled data ("cc ...", "contrato ...", an e-mail, an address) are read wherever they appear,
  overwriting earlier values: that is how corrections work ("perdón, la cédula es ...").
* An unlabelled answer is read only as the datum just asked for.
* An invalid answer is never stored: the customer gets a hint and the question again.
* The next question is the first missing datum (``required.required_slots``); the filing rules
  (alcantarillado no prestado, persona jurídica) run in ``required.filing_decision`` as soon as
  the contract is known and may end the intake with a redirection.

One reader per concern (``motivo``, ``identity``, ``premises``, ``notification``,
``confirmation``, ``consent``), each a function of the ``Turn`` returning a ``Reading``.
"""

from actions.intake.reading import ALCANTARILLADO, FACTURA, FORM, INTAKE_SLOTS, NO, Message, Reading, Turn
from actions.intake.turn import IntakeTurn, TurnResult

__all__ = [
    "ALCANTARILLADO",
    "FACTURA",
    "FORM",
    "INTAKE_SLOTS",
    "NO",
    "IntakeTurn",
    "Message",
    "Reading",
    "Turn",
    "TurnResult",
]
