"""Evidence attached to each PQR: the chat image (``chat_image``)."""
