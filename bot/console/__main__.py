"""``python -m bot.console``: the agent console on PQRBOT_HOST:PQRBOT_CONSOLE_PORT (default 5080)."""

from __future__ import annotations

import sys


def main() -> int:
    import uvicorn

    from bot.bootstrap import settings as current_settings
    from bot.console.app import create_app
    from bot.console.context import build

    settings = current_settings()
    console = build(settings)
    url = f"http://{settings.host}:{settings.console_port}/"
    if console.accounts.count() == 0:
        print(
            "pqrbot console: there is no account yet. Create the first one with:\n"
            "  echo 'a long password' | .venv/bin/pqrbot users add you@example.com --name 'Your Name' "
            "--role admin --password-stdin\n"
            f"then sign in at {url}",
            flush=True,
        )
    else:
        print(f"pqrbot console: {url}", flush=True)
    uvicorn.run(
        create_app(console),
        host=settings.host,
        port=settings.console_port,
        log_level="warning",
        proxy_headers=True,
        ws="none",
    )  # no WebSocket (Rasa pins an old websockets); live updates use SSE
    return 0


if __name__ == "__main__":
    sys.exit(main())
