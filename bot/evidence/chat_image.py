"""The PNG "screenshot" of a conversation attached to each PQR as evidence (seed 2.7: "se debe
adjuntar la imagen de la interacción o del chat dentro del caso en CRM").

Drawn with Pillow: a header with the canal, the conversation and the date, then one bubble per
message with its time (America/Bogota) — the customer's on the right in green, the assistant's on
the left in white — text wrapped to the bubble width. Every text is drawn as plain text (nothing
in it is interpreted). Emojis are drawn with a colour emoji font (Debian's
``fonts-noto-color-emoji``); without it they fall back to DejaVu Sans' monochrome symbols, and a
character no font has is drawn as a small box. A long chat is one tall image; past ``max_height``
it is split into numbered pages ("página 1 de 3").
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from crm_adapter.deadline import BOGOTA, fecha_en_texto

CLIENTE = "cliente"
ASISTENTE = "asistente"

TEXT_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
BOLD_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
)
EMOJI_FONTS = (
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf",
)
EMOJI_BITMAP_SIZE = 109  # Noto Color Emoji is a bitmap font with this one size

BACKGROUND = (236, 229, 221)
HEADER_BG = (7, 94, 84)
HEADER_FG = (255, 255, 255)
CUSTOMER_BG = (220, 248, 198)
ASSISTANT_BG = (255, 255, 255)
TEXT_FG = (20, 20, 20)
TIME_FG = (110, 110, 110)


@dataclass(frozen=True)
class ChatMessage:
    sender: str  # CLIENTE or ASISTENTE
    text: str
    at: datetime | None = None


def _first_existing(paths: Sequence[str]) -> str | None:
    return next((p for p in paths if Path(p).is_file()), None)


@cache
def _cmap(path: str) -> set[int]:
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with matplotlib
        return set()
    with TTFont(path, lazy=True, fontNumber=0) as font:
        return set(font.getBestCmap() or {})


@dataclass(frozen=True)
class Fonts:
    text: Any  # ImageFont.FreeTypeFont (or Pillow's bundled font without DejaVu)
    bold: Any
    small: Any
    text_path: str | None
    emoji_path: str | None
    size: int

    def is_emoji(self, char: str) -> bool:
        return _is_emoji(char, self.text_path, self.emoji_path)


@lru_cache(maxsize=8192)
def _is_emoji(char: str, text_path: str | None, emoji_path: str | None) -> bool:
    code = ord(char)
    if text_path and code in _cmap(text_path) and code < 0x1F000:
        return False
    if emoji_path:
        return code in _cmap(emoji_path)
    return False


@lru_cache(maxsize=4)
def load_fonts(size: int = 16) -> Fonts:
    text_path = _first_existing(TEXT_FONTS)
    bold_path = _first_existing(BOLD_FONTS) or text_path
    text: Any
    bold: Any
    small: Any
    if text_path and bold_path:
        text = ImageFont.truetype(text_path, size)
        bold = ImageFont.truetype(bold_path, size)
        small = ImageFont.truetype(text_path, max(10, size - 4))
    else:  # Pillow's bundled font: Latin text only
        text = bold = ImageFont.load_default(size)
        small = ImageFont.load_default(max(10, size - 4))
    return Fonts(text, bold, small, text_path, _first_existing(EMOJI_FONTS), size)


@lru_cache(maxsize=512)
def _emoji_tile(cluster: str, emoji_path: str, side: int) -> Image.Image:
    font = ImageFont.truetype(emoji_path, EMOJI_BITMAP_SIZE)
    tile = Image.new("RGBA", (EMOJI_BITMAP_SIZE * 2, EMOJI_BITMAP_SIZE + 30), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((0, 0), cluster, font=font, embedded_color=True)
    box = tile.getbbox() or (0, 0, 1, 1)
    tile = tile.crop(box)
    scale = side / max(tile.width, tile.height)
    return tile.resize(
        (max(1, round(tile.width * scale)), max(1, round(tile.height * scale))), Image.Resampling.LANCZOS
    )


# --------------------------------------------------------------- layout
Run = tuple[str, bool]  # (text, is_emoji)


def _is_joiner(char: str) -> bool:
    code = ord(char)
    return (
        code in (0x200D, 0xFE0F, 0xFE0E, 0x20E3)
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or unicodedata.category(char) == "Mn"
    )


@lru_cache(maxsize=4096)
def _runs(text: str, fonts: Fonts) -> tuple[Run, ...]:
    """Split a line into text runs and emoji clusters (a ZWJ sequence or a flag is one)."""
    runs: list[Run] = []
    i = 0
    while i < len(text):
        char = text[i]
        if fonts.is_emoji(char):
            j = i + 1
            while j < len(text) and (
                _is_joiner(text[j])
                or (text[j - 1] == "\u200d")
                or (0x1F1E6 <= ord(char) <= 0x1F1FF and j == i + 1 and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF)
            ):
                j += 1
            runs.append((text[i:j], True))
            i = j
            continue
        if runs and not runs[-1][1]:
            runs[-1] = (runs[-1][0] + char, False)
        else:
            runs.append((char, False))
        i += 1
    return tuple(runs)


def _emoji_side(fonts: Fonts) -> int:
    return round(fonts.size * 1.25)


@lru_cache(maxsize=4096)
def _width(text: str, fonts: Fonts, font: ImageFont.FreeTypeFont) -> float:
    total = 0.0
    for run, emoji in _runs(text, fonts):
        total += _emoji_side(fonts) + 2 if emoji else font.getlength(run)
    return total


def wrap(text: str, fonts: Fonts, max_width: float, font=None) -> list[str]:
    """Lines of ``text`` that fit ``max_width`` (words longer than a line are cut)."""
    font = font or fonts.text
    lines: list[str] = []
    space = _width(" ", fonts, font)
    for paragraph in (text or "").replace("\r", "").split("\n"):
        current, current_w = "", 0.0
        for word in paragraph.split(" "):
            # the line's width grows by the word's (and a space): linear in the text's length
            word_w = _width(word, fonts, font)
            candidate_w = current_w + space + word_w if current else word_w
            if candidate_w <= max_width:
                current, current_w = (f"{current} {word}" if current else word), candidate_w
                continue
            if current:
                lines.append(current)
            current, current_w = "", 0.0
            for char in word:  # a word wider than the line
                if current and _width(current + char, fonts, font) > max_width:
                    lines.append(current)
                    current = ""
                current += char
            current_w = _width(current, fonts, font)
        lines.append(current)
    return lines


def _draw_line(
    draw: ImageDraw.ImageDraw, image: Image.Image, xy: tuple[float, float], line: str, fonts: Fonts, font, fill
) -> None:
    x, y = xy
    side = _emoji_side(fonts)
    for run, emoji in _runs(line, fonts):
        if emoji and fonts.emoji_path:
            tile = _emoji_tile(run, fonts.emoji_path, side)
            image.paste(tile, (int(x), int(y - 1)), tile)
            x += side + 2
        else:
            draw.text((x, y), run, font=font, fill=fill)
            x += font.getlength(run)


def _line_width(line: str, fonts: Fonts, font) -> float:
    side = _emoji_side(fonts)
    return sum(side + 2 if emoji and fonts.emoji_path else font.getlength(run) for run, emoji in _runs(line, fonts))


@lru_cache(maxsize=256)
def _line_tile(line: str, fonts: Fonts, font, fill: tuple, background: tuple, height: int) -> Image.Image:
    """One bubble line drawn on its bubble's colour. The assistant's lines and the time stamps
    repeat from one conversation to the next: drawn once per process, then pasted (the glyph
    rendering was a third of the image's time, issue 13). Same pixels as drawing in place: the
    line starts on a whole pixel over the same background."""
    tile = Image.new("RGB", (int(_line_width(line, fonts, font)) + 2, height + 1), background)
    _draw_line(ImageDraw.Draw(tile), tile, (0, 1), line, fonts, font, fill)  # emojis sit 1 px higher
    return tile


def _paste_line(image: Image.Image, xy: tuple[int, int], line: str, fonts: Fonts, font, fill, background, height):
    image.paste(_line_tile(line, fonts, font, fill, background, height), (xy[0], xy[1] - 1))


@cache
def _palette() -> Image.Image:
    """A fixed 256-colour palette: the theme's colours, the anti-aliasing ramps of each text colour
    over its background, and a 5x5x5 colour cube for emojis. Mapping to it is four times faster
    than computing an adaptive palette per image (issue 13)."""
    colours: list[tuple[int, ...]] = [BACKGROUND, HEADER_BG, HEADER_FG, CUSTOMER_BG, ASSISTANT_BG, TEXT_FG, TIME_FG]
    steps = 17
    for fg, bg in ((TEXT_FG, CUSTOMER_BG), (TEXT_FG, ASSISTANT_BG), (HEADER_FG, HEADER_BG), (TIME_FG, CUSTOMER_BG)):
        for i in range(1, steps - 1):
            colours.append(tuple(round(f + (b - f) * i / (steps - 1)) for f, b in zip(fg, bg, strict=True)))
    for i in range(1, steps - 1):
        colours.append(tuple(round(t + (255 - t) * i / (steps - 1)) for t in TIME_FG))  # over ASSISTANT_BG
    levels = (0, 64, 128, 191, 255)
    colours += [(r, g, b) for r in levels for g in levels for b in levels]
    colours = list(dict.fromkeys(colours))[:256]
    colours += [colours[-1]] * (256 - len(colours))
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for colour in colours for c in colour])
    return palette


# --------------------------------------------------------------- drawing
@dataclass(frozen=True)
class _Block:
    message: ChatMessage
    lines: list[str]
    width: int
    height: int


def _local(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(BOGOTA)


def _stamp(message: ChatMessage) -> str:
    when = _local(message.at)
    return ("Cliente" if message.sender == CLIENTE else "Asistente") + (f" · {when:%H:%M}" if when else "")


def render_chat(
    messages: Sequence[ChatMessage],
    *,
    canal: str,
    conversation_id: str = "",
    width: int = 480,
    font_size: int = 16,
    max_height: int = 12000,
) -> list[bytes]:
    """PNG images of the chat: one when it fits ``max_height``, otherwise numbered pages."""
    width = max(300, width)
    fonts = load_fonts(font_size)
    pad, line_h = 10, round(font_size * 1.45)
    bubble_max = int(width * 0.78)
    blocks: list[_Block] = []
    for message in messages:
        lines = wrap(message.text, fonts, bubble_max - 2 * pad)
        stamp_w = fonts.small.getlength(_stamp(message))  # the bubble holds its time stamp too
        text_w = max([_width(line, fonts, fonts.text) for line in lines] + [60.0, stamp_w])
        blocks.append(
            _Block(message, lines, int(text_w) + 2 * pad, int(len(lines) * line_h + 2 * pad + fonts.small.size + 4))
        )
    pages: list[list[_Block]] = [[]]
    header_h = 64
    used = header_h
    for block in blocks:
        if pages[-1] and used + block.height + 10 > max_height:
            pages.append([])
            used = header_h
        pages[-1].append(block)
        used += block.height + 10
    first = _local(next((m.at for m in messages if m.at), None))
    out: list[bytes] = []
    for number, page in enumerate(pages, start=1):
        height = header_h + sum(b.height + 10 for b in page) + 10
        image = Image.new("RGB", (width, height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width, header_h - 8), fill=HEADER_BG)
        title = f"{canal} · {fecha_en_texto(first.date())}" if first else canal
        _draw_line(
            draw, image, (pad, 8), wrap(title, fonts, width - 2 * pad, fonts.bold)[0], fonts, fonts.bold, HEADER_FG
        )
        subtitle = f"Conversación {conversation_id}" if conversation_id else ""
        if len(pages) > 1:
            subtitle = f"{subtitle} · página {number} de {len(pages)}".strip(" ·")
        subtitle = wrap(subtitle, fonts, width - 2 * pad, fonts.small)[0]
        draw.text((pad, 8 + line_h), subtitle, font=fonts.small, fill=HEADER_FG)
        y = header_h
        for block in page:
            mine = block.message.sender == CLIENTE
            x0 = width - pad - block.width if mine else pad
            bubble = CUSTOMER_BG if mine else ASSISTANT_BG
            draw.rounded_rectangle((x0, y, x0 + block.width, y + block.height), radius=8, fill=bubble)
            ty = y + pad
            for line in block.lines:
                _paste_line(image, (x0 + pad, ty), line, fonts, fonts.text, TEXT_FG, bubble, line_h)
                ty += line_h
            stamp = _stamp(block.message)
            stamp_x = round(x0 + block.width - pad - fonts.small.getlength(stamp))
            _paste_line(image, (stamp_x, ty + 2), stamp, fonts, fonts.small, TIME_FG, bubble, fonts.small.size + 4)
            y += block.height + 10
        buffer = io.BytesIO()
        # A 256-colour palette is a third of the RGB size; the image is stored with the PQR and
        # listed in `pqrbot crm pqrs --json`. A fixed palette (_palette) and zlib level 3 (no
        # `optimize`, which tries every filter at the highest level): the encoding was most of
        # the drawing's time for a few percent of size (issue 13).
        image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buffer, format="PNG", compress_level=3)
        out.append(buffer.getvalue())
    return out
