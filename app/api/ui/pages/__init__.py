"""The pages of the web interface, one module per screen; they share only `_common` (rendering, reading
form values, the status of an error page). app.api.ui.routes puts their routers together."""
