"""Camera-like JPEGs for the tests (the demo studio uses the same ones)."""

from seance.photos.samples import camera_jpeg, qr_image

__all__ = ["camera_jpeg", "qr_image"]
