"""``/api/buckets``: list, show, create, destroy, and the HTML form upload."""

from __future__ import annotations

import io
from typing import BinaryIO

from flask import Blueprint
from flask import g
from flask import redirect
from flask import request
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.drivers import BlobCreate
from deltaflask.header_values import MAX_ENTRIES as MAX_METADATA
from deltaflask.header_values import check_metadata
from deltaflask.models import Bucket
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.params import whole_number
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.blobs import answer as blob_answer
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import member_form
from deltaflask.plugins.deltacloud.views.forms import new_form

NEW_BLOB_FORM = "new_blob_form_d15cfd90"
#: metadata name/value pairs the upload form offers
BLOB_FORM_METADATA = 3
#: a form upload streams the file: not held to the form size cap
UNCAPPED = ("api.buckets_upload",)


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


BUCKETS = Collection(
    "buckets", "bucket", "bucket_id", "Bucket", to_json, confirm_destroy="Delete bucket"
)
FORMATS = BUCKETS.html_only("new_blob")


def register(bp: Blueprint) -> None:
    """Add the bucket routes and the blob upload form."""
    BUCKETS.register(bp, create=create, destroy=destroy, form=form)
    BUCKETS.action(bp, "", "upload", upload, blob_form)
    BUCKETS.form_page(bp, NEW_BLOB_FORM, "new_blob", blob_form)


def has_location() -> bool:
    """Whether the driver takes a location for new buckets."""
    return current_driver_class().has_feature("buckets", "bucket_location")


def form(values: dict[str, str]) -> Form:
    """The form to create a bucket (with a location where declared)."""
    fields = [Field("name", "Name", required=True)]
    if has_location():
        fields.append(Field("location", "Location"))
    return new_form("buckets", "Create new bucket", fields, "Create bucket")


def create() -> BaseResponse:
    """Create bucket ``name`` (and ``location`` where declared): 201."""
    params = request_params()
    require(params, "name")
    location = None
    if has_location():
        location = params.get("location") or params.get("bucket_location") or None
    return BUCKETS.created(current_driver().create_bucket(params["name"], location))


def destroy(bucket_id: str) -> BaseResponse:
    """Delete an empty bucket: 204."""
    current_driver().delete_bucket(bucket_id)
    return BUCKETS.gone(bucket_id)


def blob_form(values: dict[str, str], bucket_id: str) -> Form:
    """The form to upload a file as a blob, with metadata pairs."""
    bucket = BUCKETS.found(bucket_id)
    metadata = []
    for index in range(1, BLOB_FORM_METADATA + 1):
        metadata += [
            Field(f"meta_name{index}", f"Metadata name {index}"),
            Field(f"meta_value{index}", f"Metadata value {index}"),
        ]
    fields = [
        Field("blob_id", "Blob name", required=True),
        Field("blob_data", "File", "file", required=True),
        Field("meta_params", "", "hidden", value=str(BLOB_FORM_METADATA)),
        *metadata,
    ]
    return member_form(
        "buckets",
        bucket.id,
        "new blob",
        f"Upload a blob to {bucket.name}",
        fields,
        "Upload",
        action=href("buckets", bucket.id),
        multipart=True,
    )


def upload(bucket_id: str) -> BaseResponse:
    """Create a blob from a (multipart) form: 201 with the blob."""
    params = request_params()
    require(params, "blob_id")
    body, content_type = _blob_data(params)
    blob = current_driver().create_blob(
        BlobCreate(
            bucket_id=bucket_id,
            blob_id=params["blob_id"],
            content_type=content_type,
            metadata=_form_metadata(params),
        ),
        body,
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
    count = whole_number(
        params.get("meta_params") or "0", "meta_params", 0, MAX_METADATA
    )
    found = {}
    for index in range(1, count + 1):
        name = params.get(f"meta_name{index}", "").strip()
        if name:
            found[name] = params.get(f"meta_value{index}", "")
    check_metadata(found)
    return found
