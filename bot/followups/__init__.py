"""Next-day closing message (seed 002, section 2.7).

When the assistant asks a customer for missing petition data and the customer stops
answering, a follow-up is scheduled in the database; the worker (``pqrbot worker``) sends the
closing message when it is due, exactly once, inside the channel's messaging window (or with
an approved template / a public reply), and marks the conversation closed for lack of
information.

The dialogue reaches it through ``ConversationHooks`` (``bot.followups.hooks.FollowupHooks``,
built by ``bot.bootstrap``): ``is_closed_for_lack_of_info(conversation_id)`` and ``reopen``.
"""
