"""Turning two-factor sign-in on: scan the QR code (or type the secret) into an authenticator app, then confirm with
a code from it. Once a person has enrolled, a session not verified with a code is asked for the code from that device
and is never offered a new one. Thin: security/two_factor.py does the work."""

from base64 import b32encode

import segno
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from security.two_factor import confirm_enrolment, has_enrolled, must_enrol, pending_enrolment, verify_session


@never_cache
@login_required
def two_factor(request):
    if has_enrolled(request.user):
        if request.user.is_verified():
            return render(request, "security/two_factor.html", {"enrolled": True})
        refusal = None
        if request.method == "POST":
            refusal = verify_session(request=request, code=request.POST.get("code", ""))
            if refusal is None:
                return redirect("two-factor")
        return render(request, "security/two_factor.html", {"verify": True, "refusal": refusal})
    device = pending_enrolment(request.user)
    wrong_code = False
    if request.method == "POST":
        if confirm_enrolment(request=request, device=device, code=request.POST.get("code", "")):
            return redirect("two-factor")
        wrong_code = True
    secret = b32encode(device.bin_key).decode()
    # segno's SVG: paths with stroke attributes only, no style (the Content-Security-Policy allows no inline style).
    qr_code = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True))
    context = {
        "enrolled": False,
        "qr_code": qr_code,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "wrong_code": wrong_code,
        "required": must_enrol(request.user),
    }
    return render(request, "security/two_factor.html", context)
