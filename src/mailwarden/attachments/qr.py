"""QR codes in images (attached, inline, or embedded in PDFs): "quishing" hides a phishing link in a
picture that link scanners never read and that people open on an unprotected phone.

Images are hostile too: the pixel count is checked from the header before anything is decoded
(decompression bombs), only the first frame of an animation is read, and the number of images per
message is bounded.
"""

from __future__ import annotations

import io
import logging
import re
import warnings

from mailwarden.attachments import AttachmentBudget, Inspection

log = logging.getLogger(__name__)

_MIN_SIDE = 21  # a version-1 QR code is 21 modules: anything smaller holds none (tracking pixels)
_MAX_DECODE_SIDE = 2400  # larger images are downscaled before decoding (zxing also tries smaller scales)
_URLISH = re.compile(r"(?i)^\s*(?:https?://|www\.)\S+|^\s*[a-z0-9][a-z0-9.-]*\.[a-z]{2,24}/\S*")


def looks_like_url(text: str) -> bool:
    return bool(_URLISH.match(text or ""))


def decode_qr(img: object, budget: AttachmentBudget) -> list[str]:
    """Decode QR codes in a PIL image, within the pixel budget. Returns the decoded texts."""
    import zxingcpp

    w, h = img.size  # type: ignore[attr-defined]
    if min(w, h) < _MIN_SIDE or w * h > budget.limits.max_image_pixels:
        return []
    budget.images += 1
    # Grayscale is what the decoder binarises anyway; giving it RGB costs ten times more.
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):  # type: ignore
        from PIL import Image

        rgba = img.convert("RGBA")  # type: ignore[attr-defined]
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, rgba)
    if img.mode != "L":  # type: ignore[attr-defined]
        img = img.convert("L")  # type: ignore[attr-defined]
    if max(w, h) > _MAX_DECODE_SIDE:
        scale = _MAX_DECODE_SIDE / max(w, h)
        img = img.resize((max(1, int(w * scale)), max(1, int(h * scale))))  # type: ignore[attr-defined]
    try:
        results = zxingcpp.read_barcodes(img, formats=(zxingcpp.BarcodeFormat.QRCode,
                                                      zxingcpp.BarcodeFormat.MicroQRCode))
    except TypeError:  # older zxing-cpp wants the `|` form
        results = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.MicroQRCode)
    return [r.text for r in results if r.text][:5]


def _open_image(data: bytes, budget: AttachmentBudget):  # noqa: ANN202 - PIL image or None
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img = Image.open(io.BytesIO(data))  # reads the header only
        w, h = img.size
        if w * h > budget.limits.max_image_pixels:
            return None, (w, h)
        img.seek(0)
        if img.format == "JPEG":
            img.draft("L", (w, h))  # decode grayscale directly: cheaper, and all the decoder needs
        img.load()
    return img, (w, h)


def inspect_image(data: bytes, where: str, budget: AttachmentBudget) -> Inspection:
    out = Inspection()
    if budget.images >= budget.limits.max_images or budget.out_of_time():
        return out
    try:
        img, (w, h) = _open_image(data, budget)
        if img is None:
            out.add("image_too_large", f"{where} claims {w}x{h} pixels; it was not decoded "
                    "(a possible decompression bomb).", f"{where}: {w}x{h}")
            return out
        texts = decode_qr(img, budget)
    except Exception as exc:  # noqa: BLE001 - PIL/zxing on hostile input
        log.debug("image %s not decoded: %s", where, exc)
        if "DecompressionBomb" in type(exc).__name__:
            out.add("image_too_large", f"{where} is an image too large to decode (a decompression bomb).", where)
        return out
    _report(out, texts, f"QR code in {where}", where)
    return out


def _report(out: Inspection, texts: list[str], source: str, where: str) -> None:
    for t in texts:
        t = t.strip()
        if looks_like_url(t):
            url = t if re.match(r"(?i)^[a-z][a-z0-9+.-]*://", t) else "http://" + t
            out.urls.append((url, source))
            out.add("qr_url", f"A QR code in {where} leads to {url[:120]}: a link hidden from link scanners, "
                    "meant to be opened on a phone.", f"{where}: {url}")


def qr_from_pdf(reader: object, where: str, budget: AttachmentBudget) -> Inspection:
    """QR codes in images embedded in a PDF's first pages; sizes checked before decoding."""
    out = Inspection()
    lim = budget.limits
    done = 0
    for i, page in enumerate(reader.pages):  # type: ignore[attr-defined]
        if i >= 3 or done >= lim.max_pdf_images or budget.out_of_time():
            break
        try:
            res = page.get("/Resources")
            res = res.get_object() if res is not None else None
            xobjs = res.get("/XObject") if res is not None else None
            xobjs = xobjs.get_object() if xobjs is not None else None
        except Exception:  # noqa: BLE001
            continue
        if not hasattr(xobjs, "items"):
            continue
        for name, ref in list(xobjs.items())[:50]:
            if done >= lim.max_pdf_images or budget.images >= lim.max_images:
                break
            try:
                obj = ref.get_object()
                if obj.get("/Subtype") != "/Image":
                    continue
                w, h = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
                if min(w, h) < _MIN_SIDE or w * h > lim.max_image_pixels:
                    continue
                done += 1
                img = _pdf_image_pixels(obj, w, h, budget)
                if img is None:
                    img = page.images[str(name)].image
                if img is None:
                    continue
                texts = decode_qr(img, budget)
            except Exception as exc:  # noqa: BLE001 - image filters on hostile input
                log.debug("pdf image %s of %s not decoded: %s", name, where, exc)
                continue
            _report(out, texts, f"QR code in an image of {where}", f"{where} (page {i + 1})")
    return out


_PLAIN_SPACES = {"/DeviceGray": ("L", 1), "/DeviceRGB": ("RGB", 3)}


def _pdf_image_pixels(obj: object, w: int, h: int, budget: AttachmentBudget):  # noqa: ANN202 - PIL image or None
    """The two shapes most PDF images take, read straight into pixels: a JPEG stream, and plain 8-bit
    gray or RGB samples. pypdf's own image accessor re-encodes every image to PNG or JPEG bytes first
    (tens of milliseconds for a page-sized scan), which a QR decoder has no use for. Anything else
    (indexed colour, CMYK, masks, other filters, odd sizes) returns None and goes through pypdf."""
    from PIL import Image

    filters = obj.get("/Filter")  # type: ignore[attr-defined]
    filters = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)] if filters else []
    if filters == ["/DCTDecode"]:
        img, _ = _open_image(obj.get_data(), budget)  # type: ignore[attr-defined] - DCT data is the JPEG file
        return img
    if filters not in ([], ["/FlateDecode"]) or obj.get("/Decode") is not None:  # type: ignore[attr-defined]
        return None
    space = _PLAIN_SPACES.get(str(obj.get("/ColorSpace")))  # type: ignore[attr-defined]
    if space is None or int(obj.get("/BitsPerComponent", 0)) != 8:  # type: ignore[attr-defined]
        return None
    mode, channels = space
    data = obj.get_data()  # type: ignore[attr-defined] - decoded, predictors undone, by pypdf
    if len(data) < w * h * channels:
        return None
    return Image.frombuffer(mode, (w, h), data[: w * h * channels], "raw", mode, 0, 1)


_DATA_IMAGE = re.compile(r"data:image/(png|jpe?g|gif|webp|bmp);base64,([A-Za-z0-9+/=\s]{100,4000000})", re.I)


def qr_from_data_uris(html: str, budget: AttachmentBudget, max_images: int = 4) -> Inspection:
    """QR codes in images embedded in HTML as `data:` URIs: quishing mail often carries its code this
    way, with no attachment and no remote image for a scanner to fetch."""
    import base64
    import binascii

    out = Inspection()
    for n, m in enumerate(_DATA_IMAGE.finditer(html)):
        if n >= max_images or budget.images >= budget.limits.max_images or budget.out_of_time():
            break
        payload = m.group(2)
        try:
            # Unvalidated decoding skips every character outside the alphabet wherever it stands, so
            # ASCII whitespace need not be removed first; other whitespace (which \s also takes) must
            # go, since decoding refuses non-ASCII text.
            data = base64.b64decode(payload if payload.isascii() else re.sub(r"\s+", "", payload), validate=False)
        except (binascii.Error, ValueError):
            continue
        out.extend(inspect_image(data, f"inline data: image {n + 1} ({m.group(1).lower()})", budget))
    return out
