"""amz-guard: a Help Scout app that keeps replies to Amazon buyers inside Amazon's rules.

`create_app()` is the Flask app factory that gunicorn serves (`helpscout_app:create_app()`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from helpscout_app.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app; settings come from the environment only if none are given.

    Raises `ConfigurationError` (one line naming the variable) when the environment is wrong.
    """
    # Imported here, not at module level: the detector (`helpscout_app.compliance`), the CLI and
    # the workers import this package too, and must not pay for Flask.
    from flask import Flask

    from helpscout_app.observability import request_ids
    from helpscout_app.observability.logging import configure_logging_for
    from helpscout_app.settings import load_settings
    from helpscout_app.store import database
    from helpscout_app.web import dashboard, health, metrics, sidebar, time_display, webhooks
    from workers import queues

    if settings is None:
        settings = load_settings()
    configure_logging_for(settings)
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    request_ids.init_app(app)
    database.init_app(app)
    queues.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
    webhooks.init_app(app)
    app.register_blueprint(sidebar.bp)
    app.register_blueprint(dashboard.bp)
    time_display.init_app(app)
    return app
