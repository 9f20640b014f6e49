"""The chat image attached to each PQR: a real PNG, text actually drawn, long chats paged."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from PIL import Image

from bot.evidence.chat_image import (
    ASISTENTE,
    CLIENTE,
    ChatMessage,
    load_fonts,
    render_chat,
)

T0 = datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc)


def png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def chat(*texts):
    return [
        ChatMessage(CLIENTE if i % 2 == 0 else ASISTENTE, t, T0 + timedelta(minutes=i)) for i, t in enumerate(texts)
    ]


def test_a_short_chat_is_one_png_at_least_300_px_wide():
    [data] = render_chat(
        chat("hola, me llegó carísima la factura", "Cuéntame qué pasó"),
        canal="WhatsApp",
        conversation_id="whatsapp:+573001234567",
        width=200,
    )
    image = png(data)
    assert image.format == "PNG" and image.width >= 300 and image.height > 100


def _bubble_ink(text: str) -> int:
    """Dark pixels inside the customer's bubble (right half, below the header)."""
    [data] = render_chat([ChatMessage(CLIENTE, text, T0)], canal="Chat EPM", width=480)
    image = png(data).convert("L")
    region = image.crop((image.width // 4, 70, image.width, image.height))
    return sum(1 for p in region.getdata() if p < 100)


def test_the_text_is_drawn_not_just_the_bubble():
    blank = _bubble_ink(" ")
    written = _bubble_ink("me cobraron 350 mil y somos dos personas")
    assert written > blank + 300
    # more text, more ink: the words themselves are on the image
    assert _bubble_ink("me cobraron 350 mil y somos dos personas en la casa, no es justo") > written


def test_customer_markup_is_drawn_as_plain_text():
    [a] = render_chat([ChatMessage(CLIENTE, "<b>hola</b> *x* {nombre}", T0)], canal="Chat EPM")
    [b] = render_chat([ChatMessage(CLIENTE, "hola x nombre", T0)], canal="Chat EPM")
    assert png(a).size[0] == png(b).size[0] and a != b  # no template or markup expansion


def test_emojis_are_drawn_in_colour_when_the_font_is_there():
    fonts = load_fonts(16)
    [data] = render_chat([ChatMessage(CLIENTE, "😡😡😡😡😡", T0)], canal="WhatsApp", width=480)
    image = png(data).convert("RGB")
    region = image.crop((image.width // 3, 70, image.width, image.height - 20))
    coloured = sum(1 for r, g, b in region.getdata() if abs(r - g) > 60 or abs(g - b) > 60)
    if fonts.emoji_path:
        assert coloured > 50  # red/orange faces, not the green bubble
    else:  # documented fallback: monochrome symbols
        assert coloured >= 0


def test_a_long_chat_is_one_tall_image_or_numbered_pages():
    texts = [f"mensaje número {i}: " + "bla " * 30 for i in range(60)]
    [tall] = render_chat(chat(*texts), canal="Telegram")
    assert png(tall).height > 3000
    pages = render_chat(chat(*texts), canal="Telegram", max_height=2000)
    assert len(pages) > 2
    assert all(png(p).height <= 2000 + 200 for p in pages)
    assert all(png(p).width >= 300 for p in pages)


def test_a_very_long_word_is_wrapped_inside_the_image():
    [data] = render_chat([ChatMessage(CLIENTE, "x" * 500, T0)], canal="Chat EPM", width=320)
    assert png(data).width == 320


def test_a_short_message_bubble_holds_its_time_stamp():
    [data] = render_chat([ChatMessage(CLIENTE, "si", T0)], canal="WhatsApp", width=480)
    image = png(data).convert("RGB")
    background = image.getpixel((5, image.height - 5))
    lefts = set()
    for y in range(64 + 8, 64 + 50):  # the bubble's rows (it starts at 64), rounded corners aside
        row = [image.getpixel((x, y)) for x in range(image.width)]
        lefts.add(next(x for x, p in enumerate(row) if p != background))
    assert len(lefts) == 1  # nothing (the stamp "Cliente · 10:00") sticks out of the bubble
