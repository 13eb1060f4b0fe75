"""The request class: every spooled upload file is closed with the request.

Werkzeug's form parser drops the half-written file of a multipart body that
ends without its closing boundary, unclosed, so its descriptor lives on until
the garbage collector finds it; this request remembers each file it hands
out and closes them all when the request ends.
"""

from __future__ import annotations

from typing import IO

from flask import Request as FlaskRequest


class Request(FlaskRequest):
    """A Flask request that closes every file its form parser opened."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self.__dict__.setdefault("_spooled_files", []).append(stream)
        return stream

    def close(self) -> None:
        """Close the form's files, then every spooled file still open."""
        super().close()
        for stream in self.__dict__.pop("_spooled_files", []):
            stream.close()
