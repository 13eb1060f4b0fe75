"""``/api/buckets``: list, show, create, destroy, and the HTML form upload."""

from __future__ import annotations

import io
from typing import BinaryIO

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from flask import request
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Bucket
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.blobs import MAX_METADATA
from deltaflask.plugins.deltacloud.views.blobs import answer as blob_answer
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import page
from deltaflask.plugins.deltacloud.views.forms import register_form

FORMATS = {
    "api.buckets_new": ("html",),
    "api.buckets_new_blob": ("html",),
}
NEW_BLOB_FORM = "new_blob_form_d15cfd90"
#: metadata name/value pairs the upload form offers
BLOB_FORM_METADATA = 3
#: a form upload streams the file: not held to the form size cap
UNCAPPED = ("api.buckets_upload",)


def register(bp: Blueprint) -> None:
    """Add the bucket routes."""
    bp.add_url_rule("/buckets", "buckets_index", index, methods=["GET"])
    bp.add_url_rule("/buckets/new", "buckets_new", new, methods=["GET"])
    bp.add_url_rule("/buckets/<bucket_id>", "buckets_show", show, methods=["GET"])
    bp.add_url_rule("/buckets", "buckets_create", create, methods=["POST"])
    bp.add_url_rule(
        "/buckets/<bucket_id>", "buckets_destroy", destroy, methods=["DELETE"]
    )
    bp.add_url_rule("/buckets/<bucket_id>", "buckets_upload", upload, methods=["POST"])
    bp.add_url_rule(
        f"/buckets/<bucket_id>/{NEW_BLOB_FORM}",
        "buckets_new_blob",
        new_blob,
        methods=["GET"],
    )
    register_form("buckets_create", form)
    register_form("buckets_upload", blob_form)


def to_json(bucket: Bucket) -> dict[str, object]:
    """A bucket as the classic JSON shows it."""
    data: dict[str, object] = {
        "id": bucket.id,
        "href": href("buckets", bucket.id),
        "name": bucket.name,
        "size": bucket.size,
        "blob_list": [
            {"rel": "blob", "href": href("buckets", bucket.id, b), "id": b}
            for b in bucket.blob_ids
        ],
    }
    if bucket.location:
        data["location"] = bucket.location
    return data


def _answer(bucket: Bucket, status: int = 200, **headers: str) -> Response:
    return respond(
        "buckets/show",
        lambda: {"bucket": to_json(bucket)},
        status=status,
        headers=headers or None,
        bucket=bucket,
    )


def _found(bucket_id: str) -> Bucket:
    bucket = current_driver().bucket(bucket_id)
    if bucket is None:
        raise ObjectNotFound(f"Bucket '{bucket_id}' not found")
    return bucket


def index() -> Response:
    """List buckets with their blobs."""
    buckets = current_driver().buckets(filters(("id",)))
    return respond(
        "buckets/index",
        lambda: {"buckets": [to_json(b) for b in buckets]},
        buckets=buckets,
    )


def show(bucket_id: str) -> Response:
    """One bucket and its blobs."""
    return _answer(_found(bucket_id))


def has_location() -> bool:
    """Whether the driver takes a location for new buckets."""
    return current_driver_class().has_feature("buckets", "bucket_location")


def form(values: dict[str, str]) -> Form:
    """The form to create a bucket (with a location where declared)."""
    fields = [Field("name", "Name", required=True)]
    if has_location():
        fields.append(Field("location", "Location"))
    return Form(
        title="Create new bucket",
        action=href("buckets"),
        fields=fields,
        submit="Create bucket",
        crumbs=[("buckets", href("buckets")), ("new", None)],
    )


def new() -> Response:
    """The HTML form to create a bucket."""
    return page(form)


def create() -> BaseResponse:
    """Create bucket ``name`` (and ``location`` where declared): 201."""
    params = request_params()
    require(params, "name")
    location = None
    if has_location():
        location = params.get("location") or params.get("bucket_location") or None
    bucket = current_driver().create_bucket(params["name"], location)
    location_url = href("buckets", bucket.id)
    if g.format == "html":
        return redirect(location_url, 303)
    return _answer(bucket, 201, Location=location_url)


def destroy(bucket_id: str) -> BaseResponse:
    """Delete an empty bucket: 204."""
    current_driver().delete_bucket(bucket_id)
    if g.format == "html":
        return redirect(href("buckets"), 303)
    return empty()


def blob_form(values: dict[str, str], bucket_id: str) -> Form:
    """The form to upload a file as a blob, with metadata pairs."""
    bucket = _found(bucket_id)
    metadata = []
    for index in range(1, BLOB_FORM_METADATA + 1):
        metadata += [
            Field(f"meta_name{index}", f"Metadata name {index}"),
            Field(f"meta_value{index}", f"Metadata value {index}"),
        ]
    return Form(
        title=f"Upload a blob to {bucket.name}",
        action=href("buckets", bucket.id),
        fields=[
            Field("blob_id", "Blob name", required=True),
            Field("blob_data", "File", "file", required=True),
            Field("meta_params", "", "hidden", value=str(BLOB_FORM_METADATA)),
            *metadata,
        ],
        submit="Upload",
        crumbs=[
            ("buckets", href("buckets")),
            (bucket.id, href("buckets", bucket.id)),
            ("new blob", None),
        ],
        multipart=True,
    )


def new_blob(bucket_id: str) -> Response:
    """The HTML form to upload a blob."""
    return page(blob_form, bucket_id=bucket_id)


def upload(bucket_id: str) -> BaseResponse:
    """Create a blob from a (multipart) form: 201 with the blob."""
    request.max_content_length = None
    params = request_params()
    require(params, "blob_id")
    body, content_type = _blob_data(params)
    blob = current_driver().create_blob(
        bucket_id, params["blob_id"], body, content_type, _form_metadata(params)
    )
    if g.format == "html":
        return redirect(href("buckets", bucket_id, blob.id), 303)
    return blob_answer(blob, 201)


def _blob_data(params: dict[str, str]) -> tuple[BinaryIO, str]:
    upload = request.files.get("blob_data")
    if upload is not None:
        return upload.stream, upload.mimetype or "application/octet-stream"
    require(params, "blob_data")
    return io.BytesIO(params["blob_data"].encode("utf-8")), "text/plain"


def _form_metadata(params: dict[str, str]) -> dict[str, str]:
    count = params.get("meta_params") or "0"
    if not count.isdigit() or int(count) > MAX_METADATA:
        raise ValidationFailure(f"meta_params must be a number up to {MAX_METADATA}")
    found = {}
    for index in range(1, int(count) + 1):
        name = params.get(f"meta_name{index}", "").strip()
        if name:
            found[name] = params.get(f"meta_value{index}", "")
    return found
