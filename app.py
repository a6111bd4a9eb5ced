"""MotCua API and event handlers: creates the Chalice app and registers blueprints. No logic here."""

import os

from chalicelib.api import (
    access_log,
    admin,
    context,
    contract,
    desk,
    docs,
    documents,
    dossiers,
    feedback,
    health,
    integrations,
    metrics,
    papers,
    payments,
    procedures,
    public,
    tickets,
    uploads,
)
from chalicelib.api.http import request_middleware
from chalicelib.consumers import deadlines, notifications, portal_sync, relay
from chalicelib.consumers import feedback as feedback_consumer
from chalicelib.consumers import metrics as metrics_consumer
from chalicelib.consumers import payments as payments_consumer

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    # Deployed: settings are read during Lambda init, so a missing table or pool id stops the function at
    # start with a message naming it. Locally and in tests they are read on first use (cold start).
    from chalicelib.settings import get_settings

    get_settings()

app = context.App(app_name="motcua")
context.bind_app(app)
app.register_middleware(request_middleware, "http")
app.api.binary_types.append("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
app.api.binary_types.append("application/pdf")
for blueprint in (health.bp, procedures.bp, uploads.bp, dossiers.bp, desk.bp, metrics.bp, relay.bp, notifications.bp,
                  deadlines.bp, metrics_consumer.bp, portal_sync.bp, public.bp, integrations.bp, documents.bp, admin.bp,
                  access_log.bp, payments.bp, payments_consumer.bp, papers.bp, feedback.bp, feedback_consumer.bp,
                  tickets.bp, docs.bp):
    app.register_blueprint(blueprint)
contract.register_preflight(app)  # after every blueprint: one OPTIONS route per declared path
