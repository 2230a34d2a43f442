"""Payment providers' notifications: the request is passed as is to the provider's handler,
which checks its signature and does the rest."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from seance.commerce import stripe_checkout

# Stripe's events weigh a few kilobytes; reading no more than this keeps an anonymous
# endpoint from being made to hold large bodies in memory.
MAX_WEBHOOK_BYTES = 256 * 1024


@csrf_exempt  # Stripe signs its requests instead; it has no CSRF cookie
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """400 tells Stripe a notification was refused (it retries, and its dashboard shows
    why); 200 that it was handled, including when there was nothing to do."""
    payload = request.read(MAX_WEBHOOK_BYTES + 1)
    if len(payload) > MAX_WEBHOOK_BYTES:
        return HttpResponse(status=413)
    try:
        outcome = stripe_checkout.handle_webhook(
            payload, request.headers.get("Stripe-Signature", "")
        )
    except stripe_checkout.WebhookRefused as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(outcome, content_type="text/plain; charset=utf-8")
