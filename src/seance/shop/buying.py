"""Choosing and buying (Q6, P7, P8, O1, O6): a photo's products, packages, the cart across
galleries, checkout, the order page and the download links.

The cart lives with the organizer and is found by a token kept in the browser's session,
one per organizer: a parent who opens a second child's gallery keeps what is in the cart.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from seance.catalog.models import Product, ProductKind
from seance.commerce import delivery, kinds, providers, services
from seance.commerce.errors import CommerceError
from seance.commerce.models import CartLine, OrderStatus, PaymentState
from seance.core.models import Organizer
from seance.photos import codes, queries
from seance.photos.models import SessionStatus
from seance.photos.selling import current_discount, item_for, package_places, photo_products
from seance.shop.carts import cart_count, current_cart, session_cart
from seance.shop.forms import CheckoutForm
from seance.shop.views import _needs_registration, _resolve, _speak_family_language

# --- a photo's products and the package chooser ---------------------------------------------


def _open_gallery(request, code: str):
    """The on-sale gallery the code opens, for this browser; 404 otherwise."""
    access, refusal = _resolve(request, code)
    if refusal is not None:
        return None, None, refusal
    gallery = getattr(access, "gallery", None)
    if gallery is None or access.session.status != SessionStatus.ON_SALE:
        raise Http404
    if _needs_registration(request, gallery):
        return None, None, redirect("shop:open_code", code=access.code)
    _speak_family_language(request, access.session)
    return access, gallery, None


def _products(session):
    if not session.price_profile_id:
        return []
    return list(
        session.price_profile.products.filter(is_active=True).prefetch_related("items__product")
    )


def _context(request, access, gallery, **extra):
    session = access.session
    return {
        "access": access,
        "session": session,
        "gallery": gallery,
        "organizer": session.organizer,
        "code_display": codes.display(access.code),
        "cart_count": cart_count(request, session.organizer),
        **extra,
    }


def photo_page(request, code: str, digest: str):
    """One photo, large, with what can be bought of it."""
    access, gallery, refusal = _open_gallery(request, code)
    if refusal is not None:
        return refusal
    photo = queries.gallery_photo(gallery, digest)
    if photo is None:
        raise Http404
    products = _products(access.session)
    return render(
        request,
        "shop/photo.html",
        _context(
            request,
            access,
            gallery,
            photo=photo,
            singles=[p for p in products if p.kind != ProductKind.PACKAGE],
            packages=[p for p in products if p.kind == ProductKind.PACKAGE],
            discount=current_discount(access.session),
        ),
    )


def package_page(request, code: str, product: int):
    """A package: the customer picks a photo for each of its places (P7)."""
    access, gallery, refusal = _open_gallery(request, code)
    if refusal is not None:
        return refusal
    package = next(
        (p for p in _products(access.session) if p.pk == product and p.kind == ProductKind.PACKAGE),
        None,
    )
    if package is None:
        raise Http404
    photos = queries.gallery_photos(gallery)
    places = package_places(package)
    by_digest = {p.digest: p for p in photos}
    chosen = [None] * len(places)
    error = ""
    if request.method == "POST":
        chosen = [by_digest.get(request.POST.get(f"place-{i}", "")) for i in range(len(places))]
        if all(chosen):
            try:
                services.add_to_cart(
                    session_cart(request, access.organizer),
                    kind=photo_products.name,
                    item=item_for(access.code, chosen, package),
                )
            except CommerceError as e:
                error = e.message
            else:
                messages.success(
                    request, _("%(product)s is in your cart.") % {"product": package.name}
                )
                return redirect("shop:open_code", code=access.code)
        else:
            error = _("Choose a photo for each place in the package.")
    else:
        first = by_digest.get(request.GET.get("photo", ""))
        chosen = [first] * len(places)
    return render(
        request,
        "shop/package.html",
        _context(
            request,
            access,
            gallery,
            package=package,
            places=list(zip(range(len(places)), places, chosen, strict=True)),
            photos=photos,
            error=error,
        ),
        status=400 if error else 200,
    )


@require_POST
def add(request, code: str):
    """Add a photo's print or file to the cart (a package goes through its chooser)."""
    access, gallery, refusal = _open_gallery(request, code)
    if refusal is not None:
        return refusal
    digest = request.POST.get("photo", "")
    product = Product.objects.filter(
        pk=request.POST.get("product") if request.POST.get("product", "").isdigit() else None,
        profile__organizer=access.organizer,
    ).first()
    photo = queries.gallery_photo(gallery, digest)
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 0
    back = reverse("shop:photo", kwargs={"code": access.code, "digest": digest})
    if photo is None or product is None or product.kind == ProductKind.PACKAGE:
        messages.error(request, _("This is not something sold here."))
        return redirect("shop:open_code", code=access.code)
    try:
        services.add_to_cart(
            session_cart(request, access.organizer),
            kind=photo_products.name,
            item=item_for(access.code, photo, product),
            quantity=quantity,
        )
    except CommerceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("%(product)s is in your cart.") % {"product": product.name},
        )
    return redirect(back)


# --- cart, checkout, order ------------------------------------------------------------------


def _organizer(slug: str) -> Organizer:
    return get_object_or_404(Organizer, slug=slug)


def cart_page(request, organizer: str):
    organizer = _organizer(organizer)
    cart = current_cart(request, organizer)
    view = services.cart_view(cart) if cart else None
    if view and view.dropped:
        CartLine.objects.filter(pk__in=[line.pk for line in view.dropped]).delete()
        messages.info(request, _("Some items are no longer on sale and left your cart."))
    return render(
        request,
        "shop/cart.html",
        {
            "organizer": organizer,
            "view": view,
            "cart_count": view.count if view else 0,
        },
    )


@require_POST
def cart_update(request, organizer: str):
    """Change a line's quantity, or remove it (quantity 0)."""
    organizer = _organizer(organizer)
    cart = current_cart(request, organizer)
    if cart is not None:
        try:
            line_id = int(request.POST.get("line", ""))
            quantity = int(request.POST.get("quantity", ""))
        except ValueError:
            messages.error(request, _("Choose a quantity from 1 to %(n)s.") % {"n": 99})
        else:
            try:
                services.set_quantity(cart, line_id, quantity)
            except CommerceError as e:
                messages.error(request, e.message)
    return redirect("shop:cart", organizer=organizer.slug)


def checkout(request, organizer: str):
    """O1, Q6: who is buying, where prints go, how they pay; then the order."""
    organizer = _organizer(organizer)
    cart = current_cart(request, organizer)
    view = services.cart_view(cart) if cart else None
    if view is None or not view.lines:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart", organizer=organizer.slug)
    methods = providers.available(organizer)
    form = CheckoutForm(
        request.POST or None,
        methods=methods if view.priced.total > 0 else [],
        needs_delivery=view.needs_delivery,
        pickup_allowed=organizer.pickup_allowed,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.place_order(
                cart,
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                language=translation.get_language(),
                payment_method=data.get("payment_method") or "",
                delivery_address=data.get("delivery_address", ""),
                pickup=data.get("delivery") == "pickup",
            )
        except CommerceError as e:
            form.add_error(None, e.message)
        else:
            return _pay_online(request, order)
    return render(
        request,
        "shop/checkout.html",
        {
            "organizer": organizer,
            "view": view,
            "form": form,
            "no_method": view.priced.total > 0 and not methods,
            "cart_count": view.count,
        },
    )


def order_page(request, token: str):
    """O8: the customer's order, its payment, and fresh download links once it is paid."""
    order = delivery.order_from_token(token)
    if order is None:
        raise Http404
    paid = services.amount_paid(order)
    pending = order.payments.filter(state=PaymentState.PENDING).first()
    last = pending or order.payments.last()
    return render(
        request,
        "shop/order.html",
        {
            "organizer": order.organizer,
            "order": order,
            "lines": list(order.lines.all()),
            "paid": paid,
            "is_paid": paid >= order.total,
            "due": max(order.total - paid, 0),
            "pending": pending,
            "pending_label": providers.get(pending.provider).label if pending else "",
            # A card payment not made (left, or expired): offer to pay online again.
            "can_pay_online": last is not None
            and last.provider != providers.bank_transfer.name
            and last.state != PaymentState.CONFIRMED
            and paid < order.total
            and order.status == OrderStatus.PLACED,
            "downloads": delivery.downloads(order),
            "days": delivery.download_lifetime().days,
            "token": token,
        },
    )


@require_POST
def pay(request, token: str):
    """Pay online again: back from the card page without paying, or after it expired."""
    order = delivery.order_from_token(token)
    if order is None:
        raise Http404
    return _pay_online(request, order)


def _pay_online(request, order):
    """To the provider's payment page when there is one, else (a bank transfer, a free
    order, the provider unavailable) to the order page, which says what to do."""
    try:
        go_to = services.start_payment(order, return_url=delivery.order_url(order))
    except CommerceError as e:
        messages.error(request, e.message)
        go_to = None
    return redirect(go_to or reverse("shop:order", args=[delivery.order_token(order)]))


def download(request, token: str):
    """O6: a bought file in full resolution, through a signed, expiring link."""
    found = delivery.line_from_download_token(token)
    if found is None:
        return render(request, "shop/link_expired.html", status=410)
    line, key = found
    try:
        file, name = kinds.get(line.kind).open_deliverable(line.order.organizer, line.item, key)
    except CommerceError as e:
        raise Http404 from e
    response = FileResponse(file, as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
