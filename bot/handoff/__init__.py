"""Hand-over between the assistant and the people of the console (creadores de experiencia).

A conversation is in one of four states:

========  ==============================================================================
bot       the assistant answers (the default: no row means ``bot``)
waiting   the assistant asked for a person (customer request, two misunderstandings in a
          row, a filing rule redirected the customer and they insisted); ``reason`` and
          ``waiting_since`` tell why and since when
agent     a person holds it (``assigned_to``): Rasa is paused, no follow-up closing is sent
closed    a person closed it
========  ==============================================================================

``store.HandoffStore`` keeps the states and decides races in the database (a conditional
UPDATE: of two agents taking the same conversation at once, exactly one wins).
``service.HandoffService`` adds the side effects: pausing/resuming Rasa, telling the customer,
cancelling the follow-up closing.
"""
