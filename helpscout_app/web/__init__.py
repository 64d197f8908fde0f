"""The web app's blueprints, one per area (health now; webhooks, sidebar and dashboard later)."""
