"""MotCua API and event handlers: creates the Chalice app and registers blueprints. No logic here."""

from chalicelib.api import context, desk, dossiers, health, metrics, procedures, uploads
from chalicelib.api.http import request_middleware
from chalicelib.consumers import deadlines, notifications, relay
from chalicelib.consumers import metrics as metrics_consumer

app = context.App(app_name="motcua")
context.bind_app(app)
app.register_middleware(request_middleware, "http")
app.api.binary_types.append("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
for blueprint in (health.bp, procedures.bp, uploads.bp, dossiers.bp, desk.bp, metrics.bp, relay.bp, notifications.bp,
                  deadlines.bp, metrics_consumer.bp):
    app.register_blueprint(blueprint)
