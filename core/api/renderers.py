import orjson
from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, encoding with orjson: a page of self-checks is some 280 KB of JSON, which
    the standard library's encoder took a tenth of the request to write.

    The output is DRF's compact UTF-8 form, byte for byte where the values are strings, integers, booleans
    and nulls: dates, times, decimals and lazy texts go through DRF's own encoder. An indented answer (the
    browsable API's, or `Accept: application/json; indent=4`) and anything orjson refuses (an integer
    beyond 64 bits) are written by DRF as before."""

    _encoder = renderers.JSONRenderer.encoder_class()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or not self.compact or self.ensure_ascii:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(
                data, default=self._encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME
            )
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF: the two line separators JSON allows and JavaScript does not are escaped.
        return encoded.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
