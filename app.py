"""MotCua API and event handlers: creates the Chalice app and registers blueprints. No logic here."""

from chalicelib.api import context, desk, dossiers, health, procedures, uploads
from chalicelib.api.http import request_middleware
from chalicelib.consumers import deadlines, notifications, relay

app = context.App(app_name="motcua")
context.bind_app(app)
app.register_middleware(request_middleware, "http")
for blueprint in (health.bp, procedures.bp, uploads.bp, dossiers.bp, desk.bp, relay.bp, notifications.bp,
                  deadlines.bp):
    app.register_blueprint(blueprint)
