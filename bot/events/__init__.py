"""Conversation events: every user/bot turn of every conversation, in the pqrbot database.

``broker.PqrEventBroker`` is a Rasa event broker (``endpoints.yml``: ``event_broker: {type:
bot.events.broker.PqrEventBroker}``). It buffers the events Rasa publishes and writes them from a
background thread (``writer.EventWriter``), so a reply never waits for the database, and hands
each event to the registered sinks (``sinks.SINKS``). ``store.EventStore`` reads them back (the
console's transcripts, inbox and dashboard). Nothing here imports Rasa except ``broker``.
"""
