"""The ceiling of the HTTP stack: an ASGI app that reads the request and answers 200, with nothing behind it."""


async def application(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    more_body = True
    while more_body:
        more_body = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"OK"})
