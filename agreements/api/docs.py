from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI, its files served by the app (drf-spectacular-sidecar) and its start-up script
    from this same URL, under the project's Content-Security-Policy (the page's one style block
    carries the nonce)."""

    template_name = "api/swagger_ui.html"
