"""``python -m bot.perf.rasa_main run ...``: Rasa's command line with pqrbot's start-up patches.

Same arguments as ``python -m rasa``; the patches of ``bot.perf.rasa_patches`` are applied first
(Sanic workers are forked from this process, so they inherit them).
"""
from __future__ import annotations


def main() -> None:
    from bot.perf import rasa_patches

    rasa_patches.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
