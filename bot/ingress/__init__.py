"""Inbound deliveries: a durable queue between the webhooks and the assistant, and the ingress
process that receives, authenticates, de-duplicates and queues provider deliveries without
waiting behind NLU and dialogue work (``python -m bot.ingress``)."""
