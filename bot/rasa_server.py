"""``python -m bot.rasa_server <rasa run options>``: ``rasa run`` with the API token from the
environment (``PQRBOT_RASA_API_TOKEN``), never from the command line.

A token on the command line is visible to every local user (``ps``), and
``--auth-token <token>`` breaks when the token starts with "-" (argparse reads it as an
option). The token is given to Rasa's own parser inside this process as ``--auth-token=<token>``.
"""

from __future__ import annotations

import sys
from typing import List, Optional


def rasa_argv(args: List[str], token: Optional[str]) -> List[str]:
    argv = ["rasa", "run", *args]
    if token:
        argv.append(f"--auth-token={token}")
    return argv


def main() -> None:
    from bot.config import load_settings
    from bot.logmask import install_record_masking

    install_record_masking()  # customers' names, addresses, ids never in Rasa's logs
    from bot.perf import rasa_patches

    rasa_patches.apply()  # cached action-response validator, /healthz /readyz /metrics (Sanic workers inherit)
    sys.argv = rasa_argv(sys.argv[1:], load_settings().rasa_api_token)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
