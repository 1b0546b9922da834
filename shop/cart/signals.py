from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="cart_merge_on_login")
def merge_guest_cart_on_login(sender, request, user, **kwargs):
    """Session login: the guest cart whose token the session holds joins the user's cart."""
    from shop.cart.services import SESSION_KEY, cart_for_guest, cart_for_user, cart_merge

    session = getattr(request, "session", None)
    token = session.get(SESSION_KEY) if session is not None else None
    if not token:
        return
    guest = cart_for_guest(token=token, create=False)
    if guest is not None:
        cart_merge(source=guest, target=cart_for_user(user=user))
    session.pop(SESSION_KEY, None)
