"""The Help Scout access token, kept in Redis for every process that calls the Mailbox API.

RQ runs each job in a fresh work horse with a client of its own, and gunicorn's workers each
build clients for the sidebar; a token is good for two days (reference/helpscout.md §2.1), so
one in Redis serves them all until it is close to expiry. It is kept under a key made from the
API URL and the app ID, so other credentials never get it, with a Redis expiry at the time the
client would renew it. A Redis that does not answer costs only the token request it would
have saved: the client then fetches one as if nothing were stored.

The token grants what the app's user may do in Help Scout: Redis must be as private as the
job payloads it already holds (conversation data), and in docker-compose.yml it is.
"""

from __future__ import annotations

import hashlib
import logging

import redis.exceptions
from redis import Redis
from rq import get_current_job

from helpscout_app.helpscout.client import HelpScoutClient
from helpscout_app.settings import Settings
from workers.queues import key_for

log = logging.getLogger(__name__)

_FORGET_IF_SAME = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisTokenStore:
    """`TokenStore` on Redis, one key per API URL and app ID."""

    def __init__(self, connection: Redis, api_url: str, app_id: str) -> None:
        self.connection = connection
        fingerprint = hashlib.sha256(f"{api_url}\n{app_id}".encode()).hexdigest()[:16]
        self.key = key_for("helpscout-token", fingerprint)

    def load(self) -> tuple[str, float] | None:
        try:
            with self.connection.pipeline(transaction=False) as pipeline:
                token, good_for_ms = pipeline.get(self.key).pttl(self.key).execute()
        except redis.exceptions.RedisError as err:
            log.warning("Help Scout token not read from Redis (%s)", type(err).__name__)
            return None
        if not token or good_for_ms <= 0:
            return None
        return token.decode(), good_for_ms / 1000

    def save(self, token: str, good_for_s: float) -> None:
        if good_for_s < 1:
            return
        try:
            self.connection.set(self.key, token, px=int(good_for_s * 1000))
        except redis.exceptions.RedisError as err:
            log.warning("Help Scout token not kept in Redis (%s)", type(err).__name__)

    def forget(self, token: str) -> None:
        try:
            self.connection.eval(_FORGET_IF_SAME, 1, self.key, token)
        except redis.exceptions.RedisError as err:
            log.warning("Help Scout token not dropped from Redis (%s)", type(err).__name__)


def token_store_for(settings: Settings, connection: Redis) -> RedisTokenStore:
    """The store of the token for the settings' Help Scout API and app."""
    return RedisTokenStore(connection, settings.helpscout_api_url, settings.helpscout_app_id or "")


def helpscout_client(settings: Settings, connection: Redis, **options: object) -> HelpScoutClient:
    """`HelpScoutClient.from_settings` with the token kept in Redis; `options` go to the client."""
    store = token_store_for(settings, connection)
    return HelpScoutClient.from_settings(settings, token_store=store, **options)


def job_helpscout_client(settings: Settings) -> HelpScoutClient:
    """The client for the running RQ job, the token kept in the job's Redis (outside a job, a
    client of its own)."""
    job = get_current_job()
    if job is None:
        return HelpScoutClient.from_settings(settings)
    return helpscout_client(settings, job.connection)
