"""Running the web service: ``carestat serve`` and the last step of ``carestat demo``."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path

from carestat.errors import UsageError

DEMO_USER_LA = "805"  # Hartlepool: one of the demo LAs (carestat.demo.DEMO_LAS)


def free_port(host: str, preferred: int) -> int:
    """``preferred`` if nothing listens there, else a port the system chooses."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise UsageError(f"Cannot listen on {host}: no free port")


def serve(db: Path | None, *, host: str = "127.0.0.1", port: int = 8000, users: Path | None = None,
          max_upload_mb: float | None = None, secure_cookies: bool = False, log_requests: bool = True,
          echo: Callable[[str], None] = print, banner: list[str] | None = None,
          outcomes: Path | None = None) -> None:
    """Load the data, then serve until interrupted (uvicorn, one process: the data is in memory)."""
    import uvicorn

    from carestat.web import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("carestat.web.access").setLevel(logging.INFO if log_requests else logging.WARNING)
    echo("Loading the figures (a few seconds)...")
    app = create_app(db, users=users, max_upload_mb=max_upload_mb, secure_cookies=secure_cookies, outcomes=outcomes)
    chosen = free_port(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{chosen}"
    for line in banner or []:
        echo(line.replace("{url}", url))  # the address is known only now
    echo(f"carestat is serving {'the warehouse ' + str(db) if db else 'the DfE published figures'} at "
         f"{url}/ (press Ctrl+C to stop)")
    # Our own access log (AccessLog) leaves out query strings; uvicorn's would not.
    uvicorn.run(app, host=host, port=chosen, access_log=False, log_level="warning", server_header=False)


def serve_demo(out: Path, echo: Callable[[str], None] = print, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the demo's warehouse, with a demo LA user (its token printed) and a return with
    deliberate errors to upload, for the upload-and-validate journey."""
    from carestat.synth import GenerateOptions, generate, parse_las
    from carestat.web.users import add_user

    out = Path(out)
    example = out / "upload-example"
    if not any((example / "2025" / DEMO_USER_LA / "ssda903").glob("*.xml")):  # CSV and XML to try
        echo("Generating a return with errors to try uploading...")
        generate(GenerateOptions(out=example, years=(2024, 2025), las=parse_las(DEMO_USER_LA), error_rate=0.05,
                                 cin=False, workers=1, format="both"))
    users = out / "carestat-users.sqlite"
    user, token = add_user(users, DEMO_USER_LA, "Demo data team")
    files = example / "2025" / DEMO_USER_LA / "ssda903"
    banner = [f"To try upload-and-validate, sign in at {{url}}/upload?year=2025 as {user.label} with the token {token}",
              f"and upload the CSV files (or the XML file) in {files} (collection year 2024 to 2025; last year's "
              f"are in {example / '2024' / DEMO_USER_LA / 'ssda903'}): they hold deliberate errors."]
    serve(out / "carestat.duckdb", host=host, port=port, users=users, echo=echo, banner=banner)
