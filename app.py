"""MotCua API and event handlers: creates the Chalice app and registers blueprints. No logic here."""

from chalice import Chalice

app = Chalice(app_name="motcua")
