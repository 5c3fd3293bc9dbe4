"""The NinjaAPI instance; each app adds its router from its own api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="Bestellwerk API", version="1", urls_namespace="api")
