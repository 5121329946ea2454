"""The workspace's live connection: authenticated, forwarding what the user may see; its one command is typing.

Pushed events reach the socket through its process's fan-out (interactions.live_fanout), written as they come,
never dispatched through this consumer one by one.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from interactions import live_fanout
from interactions.live import WORKSPACE_GROUP
from interactions.roles import may_view_interactions
from interactions.services.receipts import start_agent_typing
from interactions.unavailable import UNAVAILABLE_ERRORS


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(may_view_interactions)(user):
            await self.close(code=4403)
            return
        await self.accept()
        await live_fanout.join(WORKSPACE_GROUP, self.base_send)
        await self.send_json({"type": "hello"})  # the browser catches up on hello: nothing after it is missed

    async def disconnect(self, code: int) -> None:
        live_fanout.leave(WORKSPACE_GROUP, self.base_send)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        """A frame we cannot read is the sender's mistake: say so and keep the socket, never close it with 1011."""
        if text_data is None:
            await self.send_json({"type": "error", "detail": "commands are JSON text frames, not binary"})
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; RecursionError from deep nesting
            await self.send_json({"type": "error", "detail": "commands are JSON objects; that frame is not JSON"})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: dict, **kwargs) -> None:
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "commands are JSON objects"})
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        if content.get("type") == "typing":
            interaction_id = content.get("interaction_id")
            if not isinstance(interaction_id, int) or isinstance(interaction_id, bool):
                await self.send_json({"type": "error", "detail": "typing needs an interaction_id"})
                return
            try:
                allowed = await database_sync_to_async(start_agent_typing)(
                    agent=self.scope["user"], interaction_id=interaction_id
                )
            except UNAVAILABLE_ERRORS:  # the socket outlives a database or cache outage; typing is only a hint
                await self.send_json({"type": "error", "detail": "typing is unavailable right now"})
                return
            if not allowed:
                await self.send_json({"type": "error", "detail": "you cannot type in that interaction"})
            return
        await self.send_json({"type": "error", "detail": "unsupported command"})
