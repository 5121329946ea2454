"""What customer service refuses. Both are the core's refusals, so the API's one handler maps them: input that
is wrong is a 400 listing each problem, an action the record's state forbids a 409."""

from interactions.rich_content import ContentRefused
from interactions.services.outbound import ActionRefused


class InputRefused(ContentRefused):
    """The request as given is wrong; each problem is a sentence the customer or agent can act on."""

    def __init__(self, *problems: str) -> None:
        super().__init__(list(problems))


class StateRefused(ActionRefused):
    """Not possible in the record's state (a comment on a closed case)."""
