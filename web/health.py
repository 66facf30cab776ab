"""Health and readiness: /health answers while the process is up, /ready once the database
answers too."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.database import default_client

# uvicorn's own logger, so that a failed readiness check shows among uvicorn's messages.
log = logging.getLogger("uvicorn.error")

#: How long /ready waits for the database to answer `SELECT 1`.
READY_TIMEOUT = 2.0


async def health(request: Request) -> Response:
    """The process is up (it says nothing of the database: that is /ready)."""
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> Response:
    """Ready to serve: the database answers `SELECT 1` within READY_TIMEOUT, else 503."""
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            await default_client().execute_query("SELECT 1")
    except TimeoutError:
        reason = f"The database did not answer within {READY_TIMEOUT:g} s."
        log.warning("Not ready: %s", reason)
    except Exception as error:  # whatever the driver raises, it is not ready
        reason = f"The database did not answer: {type(error).__name__}."
        log.warning("Not ready: %s: %s", type(error).__name__, error)
    else:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
