"""The web application (issue 12): server-rendered pages on the stored reports, in Chinese.

``create_app(settings)`` (app.py) builds the FastAPI application; ``nianbao web`` (worker/cli/web_cmd.py)
serves it with uvicorn, and ``nianbao run`` starts it on 127.0.0.1 (server.py). See docs/web.md.
"""

from __future__ import annotations
