"""Container images of a revision: the ones a test author named, or ones derived from the task
definition, each with a digest (the mock has no registry to ask)."""

from __future__ import annotations

import hashlib

from .records import ServiceRevision


def image_digest(image: str) -> str:
    """A stable ``sha256:`` digest for an image reference (the mock has no registry)."""
    return "sha256:" + hashlib.sha256(image.encode("utf-8")).hexdigest()


def derived_images(revision: ServiceRevision) -> list[dict[str, str]]:
    """The images of a revision nobody named: one container called after the task definition
    family, with an ECR-style image."""
    service = revision.service
    family, _, number = revision.task_definition.rsplit("/", 1)[-1].partition(":")
    image = (
        f"{service.account_id}.dkr.ecr.{service.region}.amazonaws.com/{family}:{number or 'latest'}"
    )
    return [{"containerName": family, "image": image, "imageDigest": image_digest(image)}]
