"""The workspace's live connection: authenticated, forwarding what the user may see; its one command is typing.

Pushed events reach the socket through its process's fan-out (interactions.live_fanout), written as they come,
never dispatched through this consumer one by one: the fan-out hands a socket only events addressed to one of the
groups worked out here, for its user, when it connects and whenever they may have changed.
"""

import logging
import uuid

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from interactions import live_fanout
from interactions.audience import groups_for_user
from interactions.live_connections import connection_closed, connection_opened, keep_vouching_for, stop_vouching_for
from interactions.services.receipts import start_agent_typing
from interactions.unavailable import UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


class WorkspaceConsumer(AsyncJsonWebsocketConsumer):
    connection_id = ""

    async def connect(self) -> None:
        user = self.scope.get("user")
        groups = await database_sync_to_async(groups_for_user)(user) if user is not None else set()
        if not groups:  # not signed in, or not someone who may view interactions
            await self.close(code=4403)
            return
        await self.accept()
        self.connection_id = uuid.uuid4().hex
        await live_fanout.join(self.base_send, groups, self.regroup)
        await self.send_json({"type": "hello"})  # the browser catches up on hello: nothing after it is missed
        keep_vouching_for(self.connection_id, user.pk)
        await database_sync_to_async(connection_opened)(user=user, connection_id=self.connection_id)

    async def regroup(self) -> None:
        """What the user may see changed, or news of it may have been lost: their groups, worked out again."""
        try:
            groups = await database_sync_to_async(groups_for_user)(self.scope["user"])
        except Exception as problem:  # the database away: keep the groups it had, the next change tries again
            logger.warning("live groups of a workspace socket not worked out again: %r", problem)
            return
        live_fanout.regroup(self.base_send, groups)

    async def disconnect(self, code: int) -> None:
        live_fanout.leave(self.base_send)
        if self.connection_id:
            stop_vouching_for(self.connection_id)
            await database_sync_to_async(connection_closed)(user=self.scope["user"], connection_id=self.connection_id)

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
